// GpuView and MigView: physical GPUs and their MIG instances. Measurements
// are NaN when the source did not report them.

import { Health, flag } from '../enums.js';
import { formatGpuUuid } from '../uuid.js';
import { NodeView } from './node.js';
import { Rows, children } from './rows.js';

export class GpuView {
  static of = (snapshot, row) => new GpuView(snapshot, row);

  constructor(snapshot, row) {
    this.snapshot = snapshot;
    /** The GPU's row in `gpus`. */
    this.row = row;
  }

  get #gpus() {
    return this.snapshot.columns.gpus;
  }

  get node() {
    return new NodeView(this.snapshot, this.#gpus.node[this.row]);
  }

  /** Device index on the node. */
  get index() {
    return this.#gpus.index[this.row];
  }

  /** "GPU-8a2c6d3e-1f4b-4c5d-9e6f-0a1b2c3d4e5f"; `undefined` when not reported. */
  get uuid() {
    return formatGpuUuid(this.#gpus.uuidHigh[this.row], this.#gpus.uuidLow[this.row]);
  }

  /** Model name; `""` when absent. */
  get model() {
    return this.snapshot.string(this.#gpus.model[this.row]);
  }

  get utilization() {
    return this.#gpus.utilization[this.row];
  }

  get tensorActivity() {
    return this.#gpus.tensorActivity[this.row];
  }

  get memoryUsedMib() {
    return this.#gpus.memoryUsedMib[this.row];
  }

  get memoryTotalMib() {
    return this.#gpus.memoryTotalMib[this.row];
  }

  get temperatureC() {
    return this.#gpus.temperatureC[this.row];
  }

  get powerW() {
    return this.#gpus.powerW[this.row];
  }

  get powerLimitW() {
    return this.#gpus.powerLimitW[this.row];
  }

  get throttled() {
    return flag(this.#gpus.throttled[this.row]);
  }

  /** The last XID error; 0 when none. */
  get lastXid() {
    return this.#gpus.lastXid[this.row];
  }

  /** A `Health` case. */
  get health() {
    return Health.fromCode(this.#gpus.health[this.row]);
  }

  get migEnabled() {
    return flag(this.#gpus.migEnabled[this.row]);
  }

  /** The GPU's MIG instances, in row order. */
  get migInstances() {
    const { columns } = this.snapshot;
    const [start, end] = children(columns.gpus.migStart, this.row, columns.migInstances.gpu.length);
    return new Rows(this.snapshot, start, end, MigView.of);
  }
}

export class MigView {
  static of = (snapshot, row) => new MigView(snapshot, row);

  constructor(snapshot, row) {
    this.snapshot = snapshot;
    /** The instance's row in `mig-instances`. */
    this.row = row;
  }

  get #mig() {
    return this.snapshot.columns.migInstances;
  }

  get gpu() {
    return new GpuView(this.snapshot, this.#mig.gpu[this.row]);
  }

  /** Profile name ("1g.10gb"). */
  get profile() {
    return this.snapshot.string(this.#mig.profile[this.row]);
  }

  get instanceId() {
    return this.#mig.instanceId[this.row];
  }

  get placementStart() {
    return this.#mig.placementStart[this.row];
  }

  get placementSize() {
    return this.#mig.placementSize[this.row];
  }

  get utilization() {
    return this.#mig.utilization[this.row];
  }

  get memoryUsedMib() {
    return this.#mig.memoryUsedMib[this.row];
  }

  get memoryTotalMib() {
    return this.#mig.memoryTotalMib[this.row];
  }
}
