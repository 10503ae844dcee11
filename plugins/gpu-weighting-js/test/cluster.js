// Snapshots for the policy's tests: one pool, one enabled member at ratio 50
// per node; member `i` is served by node `i` ("gpu-node-i").

import { Health, MemberState, SnapshotBuilder } from '@fulcrum/policy-sdk';

/** A GPU with 80 GB, `utilization` busy, `used` of its memory in use. */
export function gpu(utilization, used, temperatureC, extra = {}) {
  return {
    utilization, memoryUsedMib: used * 80000, memoryTotalMib: 80000, temperatureC,
    health: Health.Healthy, ...extra,
  };
}

/** A GPU that fell off the bus (XID 79) and reports nothing. */
export const fallen = () => gpu(NaN, NaN, NaN, { health: Health.Unhealthy, lastXid: 79 });

/** A builder holding one node per entry of `nodes` (each a list of GPU samples). */
export function cluster(nodes) {
  const builder = new SnapshotBuilder();
  const pool = builder.pool('mlPool');
  nodes.forEach((gpus, i) => {
    const node = builder.node(`gpu-node-${i}`, `10.0.0.${i}`);
    gpus.forEach((sample, index) => builder.gpu(node, { ...sample, index }));
  });
  nodes.forEach((_, i) => {
    builder.member(pool, `gpu-node-${i}:8080`, {
      node: i, address: `10.0.0.${i}`, port: 8080, ratio: 50, state: MemberState.Enabled,
    });
  });
  return builder;
}

/** The `[member, ratio]` of every ratio decision, in order. */
export const ratios = (decisions) => decisions
  .filter(({ action }) => action.kind === 'member-ratio')
  .map(({ action }) => [action.member, action.ratio]);
