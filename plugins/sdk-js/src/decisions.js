// Decisions: what `decide` returns, kept in the contract's columnar form as
// it is written, with every distinct reason interned once in a string table.

import * as actions from './actions.js';
import { ActionKind, MemberState } from './enums.js';
import { utf8Length } from './utf8.js';

const U32_MAX = 0xffffffff;

/** Throws unless `value` is a whole number that fits a u32 column. */
function u32(value, what) {
  // `>>> 0` keeps exactly the whole numbers in 0..=U32_MAX, and costs the
  // interpreter less than a call to Number.isInteger.
  if (typeof value !== 'number' || value >>> 0 !== value) {
    throw new TypeError(`${what}: ${String(value)} is not a whole number in 0..=${U32_MAX}`);
  }
  return value;
}

/** Throws unless `reason` is a string. */
function text(reason, what) {
  if (typeof reason !== 'string') {
    throw new TypeError(`${what}: the reason must be a string, got ${typeof reason}`);
  }
  return reason;
}

// Each writer checks its arguments, then appends one value per column, with
// no intermediate row object: a policy may write a decision per member, and
// in the component's interpreter every allocation and loop counts.
export class Decisions {
  constructor() {
    this.reasonText = [];
    this.reasonOffsets = [0];
    this.reasonIds = new Map();
    this.memberStates = { member: [], state: [], reason: [] };
    this.memberRatios = { member: [], ratio: [], reason: [] };
    this.capacityScalers = { group: [], scaler: [], reason: [] };
    this.groupSizes = { group: [], targetSize: [], reason: [] };
    this.migLayouts = [];
  }

  /** All of `decisions` (Decision objects from `actions`), in order. */
  static from(decisions) {
    const all = new Decisions();
    for (const decision of decisions) all.push(decision);
    return all;
  }

  /** Set member `member`'s ratio weight to `ratio` (1..=65535). */
  setMemberRatio(member, ratio, reason) {
    const row = u32(member, 'setMemberRatio member');
    const weight = u32(ratio, 'setMemberRatio ratio');
    const id = this.#reason(text(reason, 'setMemberRatio'));
    const table = this.memberRatios;
    table.member.push(row);
    table.ratio.push(weight);
    table.reason.push(id);
  }

  /** Set member `member`'s administrative state (a `MemberState` case). */
  setMemberState(member, state, reason) {
    const row = u32(member, 'setMemberState member');
    const code = MemberState.code(state);
    const id = this.#reason(text(reason, 'setMemberState'));
    const table = this.memberStates;
    table.member.push(row);
    table.state.push(code);
    table.reason.push(id);
  }

  /** Set group `group`'s backend capacity scaler: exactly 0 or 0.1..=1. */
  setCapacityScaler(group, scaler, reason) {
    if (typeof scaler !== 'number') {
      throw new TypeError(`setCapacityScaler scaler: ${String(scaler)} is not a number`);
    }
    const row = u32(group, 'setCapacityScaler group');
    const id = this.#reason(text(reason, 'setCapacityScaler'));
    const table = this.capacityScalers;
    table.group.push(row);
    table.scaler.push(scaler);
    table.reason.push(id);
  }

  /** Resize managed instance group `group` to `targetSize` instances. */
  resizeGroup(group, targetSize, reason) {
    const row = u32(group, 'resizeGroup group');
    const size = u32(targetSize, 'resizeGroup targetSize');
    const id = this.#reason(text(reason, 'resizeGroup'));
    const table = this.groupSizes;
    table.group.push(row);
    table.targetSize.push(size);
    table.reason.push(id);
  }

  /** Put `gpus` of `node` into the MIG layout `profiles` (`[{ profile, count }]`). */
  setMigLayout(node, gpus, profiles, reason) {
    const layout = {
      node: u32(node, 'setMigLayout node'),
      gpus: Uint32Array.from(gpus, (gpu) => u32(gpu, 'setMigLayout gpus')),
      profiles: profiles.map(({ profile, count }) => ({
        profile: String(profile),
        count: u32(count, 'setMigLayout count'),
      })),
    };
    layout.reason = this.#reason(text(reason, 'setMigLayout'));
    this.migLayouts.push(layout);
  }

  /** Add one Decision (from `actions`). */
  push({ action, reason }) {
    switch (action.kind) {
      case ActionKind.MemberRatio: return this.setMemberRatio(action.member, action.ratio, reason);
      case ActionKind.MemberState: return this.setMemberState(action.member, action.state, reason);
      case ActionKind.CapacityScaler:
        return this.setCapacityScaler(action.group, action.scaler, reason);
      case ActionKind.GroupSize: return this.resizeGroup(action.group, action.targetSize, reason);
      case ActionKind.MigLayout:
        return this.setMigLayout(action.node, action.gpus, action.profiles, reason);
      default: throw new TypeError(`unknown action kind ${JSON.stringify(action.kind)}`);
    }
  }

  /** How many decisions there are. */
  get length() {
    return this.memberStates.member.length + this.memberRatios.member.length
      + this.capacityScalers.group.length + this.groupSizes.group.length + this.migLayouts.length;
  }

  /**
   * Every decision as a Decision object, kind by kind (member states, member
   * ratios, capacity scalers, group sizes, MIG layouts), each in the order
   * written: the order the host takes them in.
   */
  toArray() {
    const reason = (id) => this.reasonText[id];
    const all = [];
    const { memberStates: states, memberRatios: ratios, capacityScalers: scalers,
      groupSizes: sizes } = this;
    states.member.forEach((member, i) => all.push(actions.setMemberState(
      member, MemberState.fromCode(states.state[i]), reason(states.reason[i]))));
    ratios.member.forEach((member, i) => all.push(actions.setMemberRatio(
      member, ratios.ratio[i], reason(ratios.reason[i]))));
    scalers.group.forEach((group, i) => all.push(actions.setCapacityScaler(
      group, scalers.scaler[i], reason(scalers.reason[i]))));
    sizes.group.forEach((group, i) => all.push(actions.resizeGroup(
      group, sizes.targetSize[i], reason(sizes.reason[i]))));
    for (const layout of this.migLayouts) {
      all.push(actions.setMigLayout(
        layout.node, [...layout.gpus], layout.profiles, reason(layout.reason)));
    }
    return all;
  }

  /** The contract's `decisions` record, for the component's `decide` export. */
  toWit() {
    const { memberStates: states, memberRatios: ratios, capacityScalers: scalers,
      groupSizes: sizes } = this;
    return {
      reasons: { text: this.reasonText.join(''), offsets: Uint32Array.from(this.reasonOffsets) },
      memberStates: {
        member: Uint32Array.from(states.member),
        state: Uint8Array.from(states.state),
        reason: Uint32Array.from(states.reason),
      },
      memberRatios: {
        member: Uint32Array.from(ratios.member),
        ratio: Uint32Array.from(ratios.ratio),
        reason: Uint32Array.from(ratios.reason),
      },
      capacityScalers: {
        group: Uint32Array.from(scalers.group),
        scaler: Float32Array.from(scalers.scaler),
        reason: Uint32Array.from(scalers.reason),
      },
      groupSizes: {
        group: Uint32Array.from(sizes.group),
        targetSize: Uint32Array.from(sizes.targetSize),
        reason: Uint32Array.from(sizes.reason),
      },
      migLayouts: this.migLayouts,
    };
  }

  /** The id of `reason` in the reasons table, adding it if it is new. */
  #reason(reason) {
    let id = this.reasonIds.get(reason);
    if (id === undefined) {
      id = this.reasonText.length;
      this.reasonText.push(reason);
      this.reasonOffsets.push(this.reasonOffsets[id] + utf8Length(reason));
      this.reasonIds.set(reason, id);
    }
    return id;
  }
}
