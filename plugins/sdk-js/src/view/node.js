// NodeView: one machine, its GPUs and its labels.

import { Health, flag } from '../enums.js';
import { GpuView } from './gpu.js';
import { Rows, children } from './rows.js';

export class NodeView {
  static of = (snapshot, row) => new NodeView(snapshot, row);

  constructor(snapshot, row) {
    this.snapshot = snapshot;
    /** The node's row in `nodes`. */
    this.row = row;
  }

  get name() {
    return this.snapshot.string(this.snapshot.columns.nodes.name[this.row]);
  }

  /** Address as text; `""` when absent. */
  get address() {
    return this.snapshot.string(this.snapshot.columns.nodes.address[this.row]);
  }

  /** A `Health` case. */
  get health() {
    return Health.fromCode(this.snapshot.columns.nodes.health[this.row]);
  }

  /** True when the telemetry is older than its source's staleness limit. */
  get stale() {
    return flag(this.snapshot.columns.nodes.stale[this.row]);
  }

  get telemetryAgeMs() {
    return this.snapshot.columns.nodes.telemetryAgeMs[this.row];
  }

  /** The node's GPUs, in row order. */
  get gpus() {
    const { columns } = this.snapshot;
    const [start, end] = children(columns.nodes.gpuStart, this.row, columns.gpus.node.length);
    return new Rows(this.snapshot, start, end, GpuView.of);
  }

  /** The node's labels as `[key, value]` pairs, in row order. */
  get labels() {
    const { columns } = this.snapshot;
    const [start, end] = children(columns.nodes.labelStart, this.row, columns.labels.node.length);
    const labels = [];
    for (let row = start; row < end; row++) {
      labels.push([
        this.snapshot.string(columns.labels.key[row]),
        this.snapshot.string(columns.labels.value[row]),
      ]);
    }
    return labels;
  }

  /** The value of label `key`, if the node has it. */
  label(key) {
    return this.labels.find(([label]) => label === key)?.[1];
  }
}
