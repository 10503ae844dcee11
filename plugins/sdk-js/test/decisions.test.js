// Decisions: written per kind, read back kind by kind, reasons interned once
// with UTF-8 byte offsets, and bad arguments refused with what is wrong.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as actions from '../src/actions.js';
import { Decisions } from '../src/decisions.js';
import { MemberState } from '../src/enums.js';

test('reads back kind by kind, each in the order written', () => {
  const decisions = new Decisions();
  decisions.resizeGroup(0, 4, 'demand');
  decisions.setMemberRatio(2, 30, 'score 0.5');
  decisions.setMemberState(1, MemberState.Disabled, 'XID 79');
  decisions.setMemberRatio(1, 10, 'idle');
  decisions.setCapacityScaler(3, 0.5, 'drain');
  decisions.setMigLayout(0, [8, 9], [{ profile: '3g.40gb', count: 2 }], 'layout');
  assert.equal(decisions.length, 6);
  assert.deepEqual(decisions.toArray(), [
    actions.setMemberState(1, MemberState.Disabled, 'XID 79'),
    actions.setMemberRatio(2, 30, 'score 0.5'),
    actions.setMemberRatio(1, 10, 'idle'),
    actions.setCapacityScaler(3, 0.5, 'drain'),
    actions.resizeGroup(0, 4, 'demand'),
    actions.setMigLayout(0, [8, 9], [{ profile: '3g.40gb', count: 2 }], 'layout'),
  ]);
});

test('each distinct reason is stored once, with UTF-8 byte offsets', () => {
  const decisions = new Decisions();
  decisions.setMemberRatio(0, 5, 'hot: 40 → 25');
  decisions.setMemberRatio(1, 5, 'idle');
  decisions.setMemberState(2, MemberState.Enabled, 'hot: 40 → 25');
  const wit = decisions.toWit();
  assert.equal(wit.reasons.text, 'hot: 40 → 25idle');
  assert.deepEqual([...wit.reasons.offsets], [0, 14, 18], '"→" is three bytes');
  assert.deepEqual([...wit.memberRatios.reason], [0, 1]);
  assert.deepEqual([...wit.memberStates.reason], [0]);
  assert.deepEqual([...wit.memberStates.state], [0]);
  assert.ok(wit.memberRatios.member instanceof Uint32Array);
  assert.ok(wit.capacityScalers.scaler instanceof Float32Array);
});

test('collects Decision objects of every kind', () => {
  const all = [
    actions.setMemberState(0, MemberState.ForcedOffline, 'b'),
    actions.setMemberRatio(0, 1, 'a'),
    actions.setCapacityScaler(1, 0, 'c'),
    actions.resizeGroup(1, 2, 'd'),
    actions.setMigLayout(0, [0, 1], [], 'e'),
  ];
  assert.deepEqual(Decisions.from(all).toArray(), all);
  assert.equal(new Decisions().length, 0);
});

test('bad arguments are refused, naming the argument', () => {
  const decisions = new Decisions();
  assert.throws(() => decisions.setMemberRatio(0, 12.5, 'x'), /setMemberRatio ratio: 12.5 is not a whole number/);
  assert.throws(() => decisions.setMemberRatio(-1, 5, 'x'), /setMemberRatio member: -1/);
  assert.throws(() => decisions.setMemberState(0, 'asleep', 'x'), /"asleep" is not one of enabled, disabled, forced-offline/);
  assert.throws(() => decisions.resizeGroup(0, 3), /resizeGroup: the reason must be a string/);
  assert.throws(() => decisions.push({ action: { kind: 'reboot' }, reason: 'x' }), /unknown action kind "reboot"/);
  assert.equal(decisions.length, 0);
});
