// One proposed change at a time: Decision objects ({ action, reason }) and
// the functions that build them, one per kind of action. `action.kind` is
// the ActionKind the change needs.

import { ActionKind } from './enums.js';

/** Set pool member `member`'s ratio weight to `ratio` (1..=65535). */
export function setMemberRatio(member, ratio, reason) {
  return { action: { kind: ActionKind.MemberRatio, member, ratio }, reason };
}

/** Set pool member `member`'s administrative state (a `MemberState` case). */
export function setMemberState(member, state, reason) {
  return { action: { kind: ActionKind.MemberState, member, state }, reason };
}

/** Set the capacity scaler of group `group`'s backend: exactly 0 or 0.1..=1. */
export function setCapacityScaler(group, scaler, reason) {
  return { action: { kind: ActionKind.CapacityScaler, group, scaler }, reason };
}

/** Resize managed instance group `group` to `targetSize` instances. */
export function resizeGroup(group, targetSize, reason) {
  return { action: { kind: ActionKind.GroupSize, group, targetSize }, reason };
}

/**
 * Put `gpus` (rows in `gpus`, all on `node`) into the MIG layout `profiles`
 * (`[{ profile, count }]`); an empty `profiles` disables MIG on them.
 */
export function setMigLayout(node, gpus, profiles, reason) {
  return { action: { kind: ActionKind.MigLayout, node, gpus, profiles }, reason };
}
