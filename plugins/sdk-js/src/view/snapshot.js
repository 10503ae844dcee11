// SnapshotView: the entry point to a snapshot's tables, strings and signals.

import { adaptColumns, asColumn } from '../columns.js';
import { NONE } from '../schema.js';
import { StringTable } from '../strings.js';
import { GpuView } from './gpu.js';
import { GroupView } from './group.js';
import { NodeView } from './node.js';
import { MemberView, PoolView } from './pool.js';
import { Rows } from './rows.js';

export class SnapshotView {
  /** @param {import('fulcrum:policy/types@0.3.0').Snapshot} snapshot the bindings' snapshot */
  constructor(snapshot) {
    /** The snapshot as the bindings hand it over, for what the views lack. */
    this.raw = snapshot;
    /** Every table's columns, indexable by row (see columns.js). */
    this.columns = adaptColumns(snapshot);
    const { text, offsets } = snapshot.strings;
    this.strings = new StringTable({ text, offsets: asColumn(offsets, 'u32') });
  }

  /** Increases by one every cycle. */
  get version() {
    return this.raw.version;
  }

  /** When the snapshot was taken, milliseconds since the Unix epoch. */
  get timeMs() {
    return this.raw.timeMs;
  }

  /** String `id`; `""` when absent or invalid. */
  string(id) {
    return this.strings.get(id) ?? '';
  }

  /** String `id`; `undefined` when absent (`NONE`) or invalid. */
  optionalString(id) {
    return this.strings.get(id);
  }

  get nodes() {
    return new Rows(this, 0, this.columns.nodes.name.length, NodeView.of);
  }

  node(row) {
    return this.nodes.at(row);
  }

  nodeByName(name) {
    return this.nodes.find((node) => node.name === name);
  }

  get gpus() {
    return new Rows(this, 0, this.columns.gpus.node.length, GpuView.of);
  }

  get pools() {
    return new Rows(this, 0, this.columns.pools.name.length, PoolView.of);
  }

  pool(row) {
    return this.pools.at(row);
  }

  poolByName(name) {
    return this.pools.find((pool) => pool.name === name);
  }

  get members() {
    return new Rows(this, 0, this.columns.members.pool.length, MemberView.of);
  }

  member(row) {
    return this.members.at(row);
  }

  get instanceGroups() {
    return new Rows(this, 0, this.columns.instanceGroups.name.length, GroupView.of);
  }

  instanceGroup(row) {
    return this.instanceGroups.at(row);
  }

  /** Every demand signal as `{ name, value }`, in row order. */
  get signals() {
    const { name, value } = this.columns.signals;
    const signals = [];
    for (let row = 0; row < name.length; row++) {
      signals.push({ name: this.string(name[row]), value: value[row] });
    }
    return signals;
  }

  /** The value of the first signal named `name`. */
  signal(name) {
    const signals = this.columns.signals;
    for (let row = 0; row < signals.name.length; row++) {
      if (this.string(signals.name[row]) === name) return signals.value[row];
    }
    return undefined;
  }

  /** The node in `row` of `nodes`, unless `row` is `NONE` or outside the table. */
  nodeOrNone(row) {
    // Asked once per member or instance, so the range is checked here rather
    // than through a Rows of every node.
    return row !== NONE && Number.isInteger(row) && row >= 0 && row < this.columns.nodes.name.length
      ? new NodeView(this, row)
      : undefined;
  }
}
