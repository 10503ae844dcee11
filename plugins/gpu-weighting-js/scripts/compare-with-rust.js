// Runs this port and the Rust gpu-weighting component on the same random
// clusters for several cycles each, each with its own state, and reports
// every cycle where their decisions, stored state or log lines differ.
//
//   node scripts/compare-with-rust.js <gpu_weighting.wasm> [scenarios] [seed]

import { MemoryHost, decideWith } from '@fulcrum/policy-sdk';

import policy from '../src/policy.js';
import { loadRustPolicy } from './rust-policy.js';
import { build, random, randomCluster, randomSettings, step } from './scenarios.js';

const CYCLES = 6;
const [path, scenarios = '300', seed = '1'] = process.argv.slice(2);
if (path === undefined) {
  console.error('usage: node scripts/compare-with-rust.js <gpu_weighting.wasm> [scenarios] [seed]');
  process.exit(2);
}

const rust = await loadRustPolicy(path);
const rand = random(Number(seed));
let cycles = 0;
let decisions = 0;
const differences = [];
for (let scenario = 0; scenario < Number(scenarios); scenario++) {
  const settings = randomSettings(rand);
  const cluster = randomCluster(rand);
  const quota = rand() < 0.05 ? 200 : undefined;
  const hosts = { js: new MemoryHost({ quota }), rust: new MemoryHost({ quota }) };
  rust.configure(settings);
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const snapshot = build(cluster);
    const js = decideWith(policy, policy.configure(settings), snapshot, hosts.js).toArray();
    const fromRust = readDecisions(rust.decide(snapshot, hosts.rust));
    const seen = { js: outcome(js, hosts.js), rust: outcome(fromRust, hosts.rust) };
    if (seen.js !== seen.rust) differences.push({ scenario, cycle, settings, ...seen });
    hosts.js.logs.length = 0;
    hosts.rust.logs.length = 0;
    cycles++;
    decisions += js.length;
    step(rand, cluster, js);
  }
}

console.log(`${scenarios} scenarios, ${cycles} cycles, ${decisions} decisions: ${differences.length} cycles differ`);
for (const difference of differences.slice(0, 5)) console.log(JSON.stringify(difference, null, 1));
process.exit(differences.length === 0 ? 0 : 1);

/** The Rust component's decisions record as Decision objects. */
function readDecisions(wit) {
  const text = new TextEncoder().encode(wit.reasons.text);
  const reason = (id) => new TextDecoder().decode(text.subarray(wit.reasons.offsets[id], wit.reasons.offsets[id + 1]));
  const states = ['enabled', 'disabled', 'forced-offline'];
  return [
    ...[...wit.memberStates.member].map((member, i) => ({
      action: { kind: 'member-state', member, state: states[wit.memberStates.state[i]] },
      reason: reason(wit.memberStates.reason[i]),
    })),
    ...[...wit.memberRatios.member].map((member, i) => ({
      action: { kind: 'member-ratio', member, ratio: wit.memberRatios.ratio[i] },
      reason: reason(wit.memberRatios.reason[i]),
    })),
  ];
}

/** Everything one cycle left behind, as comparable text. */
function outcome(decided, host) {
  const state = [...host.state].map(([key, value]) => `${key}=${Buffer.from(value).toString('hex')}`);
  return JSON.stringify({ decided, state, logs: host.logs });
}
