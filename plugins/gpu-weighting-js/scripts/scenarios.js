// Random but reproducible clusters for comparing the port with the Rust
// policy: several pools (a member name may repeat across pools, and within
// one), stale and unhealthy nodes, GPUs with XIDs, unreported readings,
// hot and throttled GPUs, members in every state, with or without a node.

import { Health, MemberState, SnapshotBuilder } from '@fulcrum/policy-sdk';

/** A seeded generator of numbers in [0, 1) (mulberry32). */
export function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (rand, items) => items[Math.floor(rand() * items.length)];
const maybe = (rand, chance, value, otherwise) => (rand() < chance ? value : otherwise);

/** Valid settings text, varied. */
export function randomSettings(rand) {
  const settings = {};
  if (rand() < 0.5) settings.smoothing = pick(rand, [0, 0.1, 0.5, 0.9, 0.3333]);
  if (rand() < 0.3) settings.memory_weight = pick(rand, [0, 0.2, 0.7, 1]);
  if (rand() < 0.3) settings.compute_weight = pick(rand, [0.1, 0.5, 1]);
  if (rand() < 0.3) [settings.min_ratio, settings.max_ratio] = pick(rand, [[1, 100], [5, 500], [10, 65535], [1, 2]]);
  if (rand() < 0.3) settings.hot_temperature_c = pick(rand, [30, 70.5, 83, 120]);
  if (rand() < 0.3) settings.hot_penalty = pick(rand, [0, 0.25, 1]);
  if (rand() < 0.3) settings.throttle_penalty = pick(rand, [0, 0.3, 0.9]);
  if (rand() < 0.3) settings.disable_unhealthy = false;
  if (rand() < 0.4) settings.min_healthy_share = pick(rand, [0, 0.5, 0.75, 1]);
  if (rand() < 0.2) settings.pools = pick(rand, [['pool-0'], ['pool-1', 'missing']]);
  return JSON.stringify(settings);
}

/**
 * A cluster as `{ nodes, pools }`, evolving over cycles through `step`;
 * `build()` gives this cycle's snapshot.
 */
export function randomCluster(rand) {
  const nodes = Array.from({ length: 1 + Math.floor(rand() * 8) }, (_, i) => ({
    name: `node-${i}`,
    health: pick(rand, [Health.Healthy, Health.Healthy, Health.Healthy, Health.Degraded, Health.Unhealthy, Health.Unknown]),
    stale: rand() < 0.1,
    gpus: Array.from({ length: Math.floor(rand() * 9) }, () => randomGpu(rand)),
  }));
  const pools = Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, p) => ({
    name: `pool-${p}`,
    members: Array.from({ length: Math.floor(rand() * 6) }, (_, m) => ({
      name: maybe(rand, 0.1, 'shared:80', `m-${p}-${m}:80`),
      node: maybe(rand, 0.1, undefined, Math.floor(rand() * nodes.length)),
      ratio: pick(rand, [1, 50, 100, 1 + Math.floor(rand() * 65535)]),
      state: pick(rand, [MemberState.Enabled, MemberState.Enabled, MemberState.Disabled, MemberState.ForcedOffline]),
    })),
  }));
  return { nodes, pools };
}

function randomGpu(rand) {
  const unhealthy = rand() < 0.08;
  return {
    utilization: maybe(rand, 0.1, NaN, pick(rand, [0, 1, rand(), rand() * 1.2 - 0.1])),
    memoryTotalMib: maybe(rand, 0.05, NaN, pick(rand, [81559, 40960, 0])),
    memoryUsedMib: maybe(rand, 0.1, NaN, rand() * 82000),
    temperatureC: maybe(rand, 0.1, NaN, 25 + rand() * 70),
    throttled: rand() < 0.15,
    health: unhealthy ? Health.Unhealthy : pick(rand, [Health.Healthy, Health.Degraded, Health.Unknown]),
    lastXid: unhealthy ? pick(rand, [0, 79, 48, 999]) : maybe(rand, 0.05, 31, 0),
  };
}

/** The cluster a cycle later: readings drift, some health flips, decisions applied. */
export function step(rand, cluster, decisions) {
  for (const { action } of decisions) {
    const member = memberAt(cluster, action.member);
    if (action.kind === 'member-ratio') member.ratio = action.ratio;
    else member.state = action.state;
  }
  for (const node of cluster.nodes) {
    if (rand() < 0.1) node.health = pick(rand, [Health.Healthy, Health.Unhealthy]);
    if (rand() < 0.05) node.stale = !node.stale;
    for (const gpu of node.gpus) {
      if (rand() < 0.5) gpu.utilization = Math.min(1, Math.max(0, (gpu.utilization || 0) + rand() * 0.4 - 0.2));
      if (rand() < 0.05) gpu.health = pick(rand, [Health.Healthy, Health.Unhealthy]);
      if (rand() < 0.3) gpu.temperatureC = 25 + rand() * 70;
    }
  }
  if (rand() < 0.1) cluster.pools.reverse();
}

/** Member `row` in the order `build` lays members out. */
function memberAt(cluster, row) {
  return cluster.pools.flatMap((pool) => pool.members)[row];
}

/** This cycle's snapshot of `cluster`. */
export function build(cluster) {
  const builder = new SnapshotBuilder();
  cluster.nodes.forEach((node) => {
    const row = builder.node(node.name);
    builder.nodeHealth(row, node.health).nodeStale(row, node.stale);
    node.gpus.forEach((gpu, index) => builder.gpu(row, { ...gpu, index }));
  });
  for (const pool of cluster.pools) {
    const row = builder.pool(pool.name);
    for (const member of pool.members) builder.member(row, member.name, member);
  }
  return builder.build();
}
