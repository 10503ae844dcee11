// One evaluation: read memory, walk the managed pools' members in row order,
// decide each one, write memory back. Per member, in this order:
// 1. no known node: leave it alone;
// 2. stale node: leave it alone (logged once per cycle at debug);
// 3. unhealthy node (judged so by the host, or with fewer than
//    `minHealthyShare` of its GPUs healthy) and `disableUnhealthy`: disable it
//    if it is enabled, and remember that this policy did; no ratio changes;
// 4. a node fit to serve again and a member this policy disabled that is
//    still disabled: enable it again (an operator's own disable is never undone);
// 5. enabled member on a node whose GPUs reported: move its ratio towards
//    `minRatio + score × healthy share × (maxRatio − minRatio)`, smoothed over
//    cycles, and propose it when the rounded ratio differs from the current one.

import { Decisions, Level, MemberState, StateError } from '@fulcrum/policy-sdk';

import { asU32, f32, roundHalfUp } from './f32.js';
import { describeProblem, healthyShare, problemOf } from './health.js';
import { EMPTY, KEY, MemoryWriter, decodeMemory } from './memory.js';
import { assessGpus, describeScore } from './score.js';
import { manages } from './settings.js';

/** Members on stale nodes named in the debug line; the rest are counted. */
const STALE_NAMED = 5;

/**
 * Decide on every managed member of `snapshot`.
 * @param {import('./settings.js').Settings} settings
 * @param {import('@fulcrum/policy-sdk').SnapshotView} snapshot
 * @param {import('@fulcrum/policy-sdk').Host} host
 */
export function decide(settings, snapshot, host) {
  const stored = host.stateGet(KEY);
  const previous = recall(stored, host);

  const decisions = new Decisions();
  const next = new MemoryWriter();
  const stale = [];
  let staleCount = 0;
  // Members and their nodes are read by row from their columns rather than
  // as MemberViews and NodeViews: in the component's interpreter a view and
  // its getters per member cost more than the decision itself.
  const { members, nodes, gpus } = snapshot.columns;
  const nodeCount = nodes.name.length;
  for (const pool of snapshot.pools) {
    if (!manages(settings, pool.name)) continue;
    const remembered = previous.get(pool.name);
    next.pool(pool.name);
    const { start, end } = pool.members;
    for (let row = start; row < end; row++) {
      const name = snapshot.string(members.name[row]);
      const node = members.node[row];
      const before = remembered?.get(name) ?? EMPTY;
      let after = before;
      // A row of `nodes` is a whole number below its length (`NONE`, the
      // largest u32, never is); anything else is no known node.
      if (node >>> 0 !== node || node >= nodeCount) {
        // No known node: left alone.
      } else if (nodes.stale[node] !== 0) {
        staleCount++;
        if (stale.length < STALE_NAMED) stale.push(name);
      } else {
        after = decideMember(settings, snapshot.columns, row, node, before, decisions);
      }
      next.member(name, after);
    }
  }

  if (staleCount > 0) {
    const more = staleCount > stale.length ? ` and ${staleCount - stale.length} more` : '';
    const members = staleCount === 1 ? 'member' : 'members';
    host.log(Level.Debug, `left ${staleCount} ${members} on stale nodes alone: ${stale.join(', ')}${more}`);
  }
  for (const missing of settings.pools ?? []) {
    if (snapshot.poolByName(missing) === undefined) {
      host.log(Level.Warn, `settings.pools: no pool named "${missing}" in the snapshot`);
    }
  }
  store(host, stored, next.finish());
  return decisions;
}

/**
 * The remembered records by pool; empty when none, or unreadable (logged).
 * @param {Uint8Array | undefined} stored
 * @param {import('@fulcrum/policy-sdk').Host} host
 */
function recall(stored, host) {
  if (stored === undefined) return new Map();
  try {
    return decodeMemory(stored);
  } catch (corrupt) {
    host.log(Level.Warn, `ignoring unreadable state "${KEY}" (${corrupt.message}); starting afresh`);
    return new Map();
  }
}

/**
 * Decide on the member in `row` of `members`, whose node (row `node` of
 * `nodes`) is known and fresh; returns what to remember.
 * @param {import('./settings.js').Settings} settings
 * @param {import('@fulcrum/policy-sdk').Columns} columns the snapshot's tables
 * @param {number} row
 * @param {number} node
 * @param {import('./memory.js').MemberRecord} before
 * @param {Decisions} decisions
 * @returns {import('./memory.js').MemberRecord}
 */
function decideMember(settings, { members, nodes, gpus }, row, node, before, decisions) {
  let state = MemberState.fromCode(members.state[row]);
  // A member stays "ours" only while it is still disabled: if an operator
  // enabled it or forced it offline since, it is theirs again.
  let disabledByPolicy = before.disabledByPolicy && state === MemberState.Disabled;

  // The node's GPUs are rows `start..end` of `gpus`: up to the next node's
  // first, clamped to the table as the SDK's views clamp a malformed column.
  const gpuCount = gpus.node.length;
  const next = nodes.gpuStart[node + 1];
  const end = next === undefined || next > gpuCount ? gpuCount : next;
  const first = nodes.gpuStart[node];
  const start = first === undefined || first > end ? end : first;

  // A node the host judged unhealthy, or with too few healthy GPUs, is taken
  // out; one with a few GPUs down serves on with what it has.
  const assessed = assessGpus(gpus, start, end, settings);
  const { unhealthy } = assessed;
  const share = healthyShare(unhealthy, end - start);
  const problem = problemOf(nodes.health[node], gpus, start, end, unhealthy);
  const takeOut = problem !== undefined && (problem.kind === 'node' || share < settings.minHealthyShare);
  if (takeOut && settings.disableUnhealthy) {
    if (state === MemberState.Enabled) {
      decisions.setMemberState(row, MemberState.Disabled, describeProblem(problem));
      disabledByPolicy = true;
    }
    return { smoothed: before.smoothed, disabledByPolicy };
  }
  // Ours, and still unhealthy: it stays off until the node recovers.
  if (takeOut && disabledByPolicy) return { smoothed: before.smoothed, disabledByPolicy };
  if (!takeOut && disabledByPolicy) {
    decisions.setMemberState(row, MemberState.Enabled, 'node healthy again');
    disabledByPolicy = false;
    state = MemberState.Enabled;
  }
  if (state !== MemberState.Enabled) return { smoothed: before.smoothed, disabledByPolicy };
  const { score } = assessed;
  if (score === undefined) return { smoothed: before.smoothed, disabledByPolicy };

  const span = f32(settings.maxRatio - settings.minRatio);
  const target = f32(settings.minRatio + f32(f32(score * share) * span));
  const smoothed = before.smoothed === undefined
    ? target
    : f32(f32(settings.smoothing * before.smoothed) + f32(f32(1 - settings.smoothing) * target));
  const ratio = Math.min(Math.max(asU32(roundHalfUp(smoothed)), settings.minRatio), settings.maxRatio);
  const current = members.ratio[row];
  if (ratio !== current) {
    decisions.setMemberRatio(row, ratio, `${describeScore(assessed)}: ratio ${current} → ${ratio}`);
  }
  return { smoothed, disabledByPolicy };
}

/**
 * Write this cycle's memory; a refused write is logged, not fatal (the
 * decisions stand, only smoothing and re-enabling lose memory).
 * @param {import('@fulcrum/policy-sdk').Host} host
 * @param {Uint8Array | undefined} stored
 * @param {Uint8Array | undefined} next
 */
function store(host, stored, next) {
  if (next === undefined) {
    if (stored !== undefined) host.stateDelete(KEY);
    return;
  }
  try {
    host.stateSet(KEY, next);
  } catch (error) {
    if (!(error instanceof StateError)) throw error;
    host.log(Level.Warn, `could not save state "${KEY}" (${next.length} bytes): ${rustStateError(error)}`);
  }
}

/** A refused write as the Rust policy logs it ("StateError::QuotaExceeded(1048576)"). */
function rustStateError(error) {
  return error.kind === 'invalid-key'
    ? 'StateError::InvalidKey'
    : `StateError::QuotaExceeded(${error.quota})`;
}
