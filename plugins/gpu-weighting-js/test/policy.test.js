// The policy end to end under plain Node: snapshots from SnapshotBuilder,
// state in MemoryHost, one test per behaviour (the Rust policy's tests, ported).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Health, MemberState, MemoryHost, actions, decideWith } from '@fulcrum/policy-sdk';

import { KEY, decodeMemory } from '../src/memory.js';
import policy from '../src/policy.js';
import { cluster, fallen, gpu, ratios } from './cluster.js';

const NO_SMOOTHING = '{"smoothing": 0}';

/** One evaluation's decisions, as Decision objects. */
const run = (settings, snapshot, host = new MemoryHost()) => decideWith(
  policy, policy.configure(settings), snapshot, host,
).toArray();

test('idle nodes get higher ratios than busy ones', () => {
  const snapshot = cluster([[gpu(0, 0, 40), gpu(0, 0, 40)], [gpu(0.95, 0.9, 40), gpu(0.95, 0.9, 40)]]).build();
  const decisions = run(NO_SMOOTHING, snapshot);
  assert.deepEqual(ratios(decisions), [[0, 100], [1, 8]]);
  assert.equal(decisions[0].reason, 'gpu util 0%, mem free 100%: ratio 50 → 100');
  assert.equal(decisions[1].reason, 'gpu util 95%, mem free 10%: ratio 50 → 8');
});

test('hot and throttled GPUs lower the ratio', () => {
  const snapshot = cluster([[gpu(0.5, 0.5, 60)], [gpu(0.5, 0.5, 90)], [gpu(0.5, 0.5, 60, { throttled: true })]]).build();
  const decisions = run(NO_SMOOTHING, snapshot);
  assert.deepEqual(ratios(decisions), [[0, 51], [1, 26], [2, 36]]);
  assert.equal(decisions[1].reason, 'gpu util 50%, mem free 50%, 1 hot GPU (90 °C): ratio 50 → 26');
  assert.equal(decisions[2].reason, 'gpu util 50%, mem free 50%, 1 throttled GPU: ratio 50 → 36');
});

test('members on unhealthy nodes are disabled with the reason', () => {
  const builder = cluster([[gpu(0.5, 0.5, 40), gpu(0.5, 0.5, 40), gpu(0.5, 0.5, 40), fallen()], [gpu(0.5, 0.5, 40)]]);
  builder.nodeHealth(1, Health.Unhealthy);
  assert.deepEqual(run('{}', builder.build()), [
    actions.setMemberState(0, MemberState.Disabled, 'GPU 3 reported XID 79 (fallen off the bus)'),
    actions.setMemberState(1, MemberState.Disabled, 'node unhealthy'),
  ]);
});

test('a node with most GPUs healthy serves on, weighted by them', () => {
  const settings = '{"smoothing": 0, "min_healthy_share": 0.5}';
  const healthy = () => gpu(0.5, 0.5, 40);
  const decisions = run(settings, cluster([[healthy(), healthy(), healthy(), fallen()], [healthy(), healthy(), healthy(), healthy()]]).build());
  assert.deepEqual(ratios(decisions), [[0, 38], [1, 51]]);
  assert.ok(decisions.every(({ action }) => action.kind === 'member-ratio'));
  const mostlyDown = run(settings, cluster([[fallen(), fallen(), fallen(), healthy()]]).build());
  assert.deepEqual(mostlyDown.map(({ action }) => action.kind), ['member-state']);
});

test('members the policy disabled are enabled again when healthy', () => {
  const builder = cluster([[gpu(0.5, 0.5, 40)]]);
  builder.nodeHealth(0, Health.Unhealthy);
  const host = new MemoryHost();
  assert.deepEqual(run(NO_SMOOTHING, builder.build(), host),
    [actions.setMemberState(0, MemberState.Disabled, 'node unhealthy')]);
  // The host applied the decision; the node is still unhealthy: nothing new.
  builder.memberState(0, MemberState.Disabled);
  assert.deepEqual(run(NO_SMOOTHING, builder.build(), host), []);
  builder.nodeHealth(0, Health.Healthy);
  assert.deepEqual(run(NO_SMOOTHING, builder.build(), host), [
    actions.setMemberState(0, MemberState.Enabled, 'node healthy again'),
    actions.setMemberRatio(0, 51, 'gpu util 50%, mem free 50%: ratio 50 → 51'),
  ]);
});

test("an operator's disable is respected", () => {
  const builder = cluster([[gpu(0.5, 0.5, 40)], [gpu(0.5, 0.5, 40)]]);
  builder.nodeHealth(0, Health.Unhealthy).memberState(0, MemberState.Disabled)
    .memberState(1, MemberState.ForcedOffline);
  const host = new MemoryHost();
  assert.deepEqual(run('{}', builder.build(), host), []);
  builder.nodeHealth(0, Health.Healthy);
  assert.deepEqual(run('{}', builder.build(), host), []);
});

test('a member the operator took over is not re-enabled', () => {
  const builder = cluster([[gpu(0.5, 0.5, 40)]]);
  builder.nodeHealth(0, Health.Unhealthy);
  const host = new MemoryHost();
  run('{}', builder.build(), host);
  // The operator forced the member offline, then set it to disabled by hand.
  builder.memberState(0, MemberState.ForcedOffline);
  assert.deepEqual(run('{}', builder.build(), host), []);
  builder.nodeHealth(0, Health.Healthy).memberState(0, MemberState.Disabled);
  assert.deepEqual(run('{}', builder.build(), host), []);
});

test('members on stale nodes are left alone, and named at debug', () => {
  const builder = cluster([[gpu(1, 1, 95)], [gpu(1, 1, 95)]]);
  builder.nodeStale(0, true).nodeHealth(0, Health.Unhealthy);
  const host = new MemoryHost();
  const decisions = run('{}', builder.build(), host);
  assert.deepEqual(ratios(decisions), [[1, 1]]);
  assert.equal(decisions.length, 1);
  assert.deepEqual(host.logged('debug'), ['left 1 member on stale nodes alone: gpu-node-0:8080']);
});

test('past five stale members the rest are counted', () => {
  const builder = cluster(Array.from({ length: 7 }, () => [gpu(0, 0, 40)]));
  for (let node = 0; node < 7; node++) builder.nodeStale(node, true);
  const host = new MemoryHost();
  run('{}', builder.build(), host);
  assert.deepEqual(host.logged('debug'), [
    'left 7 members on stale nodes alone: gpu-node-0:8080, gpu-node-1:8080, gpu-node-2:8080, gpu-node-3:8080, gpu-node-4:8080 and 2 more',
  ]);
});

test('members without a node or usable GPUs are left alone', () => {
  const builder = cluster([[gpu(NaN, NaN, 90)], []]);
  builder.member(0, 'unknown:8080', { address: '10.9.9.9', port: 8080, ratio: 50 });
  assert.deepEqual(run('{}', builder.build()), []);
});

test('smoothing carries across cycles through state', () => {
  const host = new MemoryHost();
  const settings = '{"smoothing": 0.5}';
  assert.deepEqual(ratios(run(settings, cluster([[gpu(0, 0, 40)]]).build(), host)), [[0, 100]]);
  const busy = cluster([[gpu(1, 1, 40)]]);
  busy.memberRatio(0, 100);
  // Half the previous 100, half the target 1.
  assert.deepEqual(ratios(run(settings, busy.build(), host)), [[0, 51]]);
  busy.memberRatio(0, 51);
  assert.deepEqual(ratios(run(settings, busy.build(), host)), [[0, 26]]);
  assert.deepEqual([...host.state.keys()], [KEY]);
  assert.equal(decodeMemory(host.state.get(KEY)).get('mlPool').get('gpu-node-0:8080').smoothed, 25.75);
});

test('no action when the rounded ratio is unchanged', () => {
  const builder = cluster([[gpu(0, 0, 40)], [gpu(0.5, 0.5, 40)]]);
  builder.memberRatio(0, 100).memberRatio(1, 51);
  assert.deepEqual(run('{}', builder.build()), []);
});

test('only the configured pools are managed; a missing one is warned about', () => {
  const builder = cluster([[gpu(0, 0, 40)], [gpu(0, 0, 40)]]);
  const other = builder.pool('otherPool');
  builder.member(other, 'gpu-node-1:9090', { node: 1, port: 9090, ratio: 50 });
  const host = new MemoryHost();
  const decisions = run('{"pools": ["otherPool", "gonePool"]}', builder.build(), host);
  assert.deepEqual(ratios(decisions), [[2, 100]]);
  assert.deepEqual(host.logged('warn'), ['settings.pools: no pool named "gonePool" in the snapshot']);
});

test('corrupt state is ignored with a warning, and replaced', () => {
  const host = new MemoryHost();
  host.state.set(KEY, new TextEncoder().encode('garbage'));
  assert.deepEqual(ratios(run('{}', cluster([[gpu(0, 0, 40)]]).build(), host)), [[0, 100]]);
  assert.deepEqual(host.logged('warn'), [
    'ignoring unreadable state "member-memory" (byte 0: unknown format (no "fgw1" header)); starting afresh',
  ]);
  assert.ok(decodeMemory(host.state.get(KEY)).has('mlPool'));
});

test('a refused state write is logged and the decisions stand', () => {
  const host = new MemoryHost({ quota: 8 });
  assert.deepEqual(ratios(run('{}', cluster([[gpu(0, 0, 40)]]).build(), host)), [[0, 100]]);
  assert.deepEqual(host.logged('warn'), [
    'could not save state "member-memory" (38 bytes): StateError::QuotaExceeded(8)',
  ]);
});

test('nothing to remember deletes what was stored', () => {
  const host = new MemoryHost();
  host.state.set(KEY, Uint8Array.of(0x66, 0x67, 0x77, 0x31));
  run('{}', cluster([[gpu(NaN, NaN, NaN)]]).build(), host);
  assert.equal(host.state.has(KEY), false);
});

test('invalid settings are refused naming the setting', () => {
  assert.throws(() => policy.configure('{"max_ratio": 0}'),
    { message: 'settings.max_ratio: 0 is out of range; expected 1..=65535' });
  assert.throws(() => policy.configure('{"foo": 1}'), /^Error: settings: unknown field `foo`/);
});
