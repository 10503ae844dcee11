// GroupView and InstanceView: managed instance groups and their instances.

import { InstanceAction, InstanceStatus, flag } from '../enums.js';
import { Rows, children } from './rows.js';

export class GroupView {
  static of = (snapshot, row) => new GroupView(snapshot, row);

  constructor(snapshot, row) {
    this.snapshot = snapshot;
    /** The group's row in `instance-groups`; what actions on it refer to. */
    this.row = row;
  }

  get #groups() {
    return this.snapshot.columns.instanceGroups;
  }

  get name() {
    return this.snapshot.string(this.#groups.name[this.row]);
  }

  /** Zone or region. */
  get location() {
    return this.snapshot.string(this.#groups.location[this.row]);
  }

  get targetSize() {
    return this.#groups.targetSize[this.row];
  }

  get currentSize() {
    return this.#groups.currentSize[this.row];
  }

  get minSize() {
    return this.#groups.minSize[this.row];
  }

  get maxSize() {
    return this.#groups.maxSize[this.row];
  }

  /** The backend service; `undefined` when the group is no backend. */
  get backendService() {
    return this.snapshot.optionalString(this.#groups.backendService[this.row]);
  }

  /** 0 or 0.1..=1; NaN when the group is no backend. */
  get capacityScaler() {
    return this.#groups.capacityScaler[this.row];
  }

  /** The group's instances, in row order. */
  get instances() {
    const { columns } = this.snapshot;
    const [start, end] = children(
      columns.instanceGroups.instanceStart, this.row, columns.instances.group.length,
    );
    return new Rows(this.snapshot, start, end, InstanceView.of);
  }
}

export class InstanceView {
  static of = (snapshot, row) => new InstanceView(snapshot, row);

  constructor(snapshot, row) {
    this.snapshot = snapshot;
    /** The instance's row in `instances`. */
    this.row = row;
  }

  get #instances() {
    return this.snapshot.columns.instances;
  }

  get group() {
    return new GroupView(this.snapshot, this.#instances.group[this.row]);
  }

  /** The node; `undefined` when it has no telemetry yet. */
  get node() {
    return this.snapshot.nodeOrNone(this.#instances.node[this.row]);
  }

  get name() {
    return this.snapshot.string(this.#instances.name[this.row]);
  }

  /** An `InstanceStatus` case; an unknown code reads as `absent`. */
  get status() {
    return InstanceStatus.fromCode(this.#instances.status[this.row]);
  }

  /** An `InstanceAction` case; an unknown code reads as `none`. */
  get action() {
    return InstanceAction.fromCode(this.#instances.action[this.row]);
  }

  /** True when the backend reports the instance healthy. */
  get serving() {
    return flag(this.#instances.serving[this.row]);
  }

  /** The last error; `undefined` when none. */
  get lastError() {
    return this.snapshot.optionalString(this.#instances.lastError[this.row]);
  }
}
