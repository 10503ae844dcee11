// Why a node counts as unhealthy, said the way an operator would. A node is
// unhealthy when the host judged it so, or when any of its GPUs is unhealthy
// (a fatal XID, or unreachable); degraded and unknown health do not count.

import { Health } from '@fulcrum/policy-sdk';

import { f32 } from './f32.js';

/**
 * The first thing wrong with `node`: `{ kind: 'xid', index, xid }`,
 * `{ kind: 'gpu', index }` or `{ kind: 'node' }`; `undefined` when healthy.
 * @param {import('@fulcrum/policy-sdk').NodeView} node
 */
export function problemOf(node) {
  const gpu = node.gpus.find((candidate) => candidate.health === Health.Unhealthy);
  if (gpu !== undefined) {
    return gpu.lastXid !== 0
      ? { kind: 'xid', index: gpu.index, xid: gpu.lastXid }
      : { kind: 'gpu', index: gpu.index };
  }
  return node.health === Health.Unhealthy ? { kind: 'node' } : undefined;
}

/**
 * The share of `node`'s GPUs that are not unhealthy, in f32; 1 without GPUs.
 * @param {import('@fulcrum/policy-sdk').NodeView} node
 */
export function healthyShare(node) {
  let healthy = 0;
  let all = 0;
  for (const gpu of node.gpus) {
    if (gpu.health !== Health.Unhealthy) healthy++;
    all++;
  }
  return all === 0 ? 1 : f32(healthy / all);
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
