// Why a node counts as unhealthy, said the way an operator would. A node is
// unhealthy when the host judged it so, or when any of its GPUs is unhealthy
// (a fatal XID, or unreachable); degraded and unknown health do not count.

import { Health } from '@fulcrum/policy-sdk';

import { f32 } from './f32.js';

/**
 * The health columns' code for `unhealthy`: compared as a byte, not decoded
 * per GPU or node.
 */
export const UNHEALTHY = Health.code(Health.Unhealthy);

/** The share of `all` GPUs that are not among the `unhealthy`, in f32; 1 without GPUs. */
export function healthyShare(unhealthy, all) {
  return all === 0 ? 1 : f32((all - unhealthy) / all);
}

/**
 * The first thing wrong with a node whose health code is `nodeHealth` and
 * whose GPUs are rows `start..end` of `gpus`, `unhealthy` of them unhealthy:
 * `{ kind: 'xid', index, xid }`, `{ kind: 'gpu', index }` or `{ kind: 'node' }`;
 * `undefined` when healthy. The count spares the search through a healthy
 * node's GPUs.
 * @param {number} nodeHealth the node's code in the `health` column of `nodes`
 * @param {import('@fulcrum/policy-sdk').Columns['gpus']} gpus
 * @param {number} start
 * @param {number} end
 * @param {number} unhealthy
 */
export function problemOf(nodeHealth, gpus, start, end, unhealthy) {
  const { health, index, lastXid } = gpus;
  for (let row = start; unhealthy > 0 && row < end; row++) {
    if (health[row] !== UNHEALTHY) continue;
    return lastXid[row] !== 0
      ? { kind: 'xid', index: index[row], xid: lastXid[row] }
      : { kind: 'gpu', index: index[row] };
  }
  return nodeHealth === UNHEALTHY ? { kind: 'node' } : undefined;
}

/** "GPU 3 reported XID 79 (fallen off the bus)", "GPU 3 unhealthy", "node unhealthy" */
export function describeProblem(problem) {
  switch (problem.kind) {
    case 'xid': {
      const meaning = XID_MEANINGS.get(problem.xid);
      const reported = `GPU ${problem.index} reported XID ${problem.xid}`;
      return meaning === undefined ? reported : `${reported} (${meaning})`;
    }
    case 'gpu':
      return `GPU ${problem.index} unhealthy`;
    default:
      return 'node unhealthy';
  }
}

/** What the XIDs that most often take a GPU out mean (NVIDIA's XID catalogue). */
const XID_MEANINGS = new Map([
  [13, 'graphics engine exception'],
  [31, 'GPU memory page fault'],
  [43, 'GPU stopped processing'],
  [45, 'preemptive cleanup'],
  [48, 'double-bit ECC error'],
  [61, 'internal micro-controller breakpoint'],
  [62, 'internal micro-controller halt'],
  [63, 'row remapping recorded'],
  [64, 'row remapping failed'],
  [74, 'NVLink error'],
  [79, 'fallen off the bus'],
  [92, 'high single-bit ECC error rate'],
  [94, 'contained ECC error'],
  [95, 'uncontained ECC error'],
  [119, 'GSP RPC timeout'],
  [120, 'GSP error'],
]);
