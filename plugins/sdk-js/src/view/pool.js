// PoolView and MemberView: load-balancer pools and their members.

import { Availability, MemberState } from '../enums.js';
import { Rows, children } from './rows.js';

export class PoolView {
  static of = (snapshot, row) => new PoolView(snapshot, row);

  constructor(snapshot, row) {
    this.snapshot = snapshot;
    /** The pool's row in `pools`. */
    this.row = row;
  }

  get name() {
    return this.snapshot.string(this.snapshot.columns.pools.name[this.row]);
  }

  get partition() {
    return this.snapshot.string(this.snapshot.columns.pools.partition[this.row]);
  }

  get loadBalancingMode() {
    return this.snapshot.string(this.snapshot.columns.pools.loadBalancingMode[this.row]);
  }

  /** The pool's members, in row order. */
  get members() {
    const { columns } = this.snapshot;
    const [start, end] = children(columns.pools.memberStart, this.row, columns.members.pool.length);
    return new Rows(this.snapshot, start, end, MemberView.of);
  }
}

export class MemberView {
  static of = (snapshot, row) => new MemberView(snapshot, row);

  constructor(snapshot, row) {
    this.snapshot = snapshot;
    /** The member's row in `members`; what actions on it refer to. */
    this.row = row;
  }

  get #members() {
    return this.snapshot.columns.members;
  }

  get pool() {
    return new PoolView(this.snapshot, this.#members.pool[this.row]);
  }

  /** The node serving this member; `undefined` when no node matches its address. */
  get node() {
    return this.snapshot.nodeOrNone(this.#members.node[this.row]);
  }

  /** Name as the load balancer knows it ("ml-node-1:8080"). */
  get name() {
    return this.snapshot.string(this.#members.name[this.row]);
  }

  get address() {
    return this.snapshot.string(this.#members.address[this.row]);
  }

  get port() {
    return this.#members.port[this.row];
  }

  /** Ratio weight, 1..=65535. */
  get ratio() {
    return this.#members.ratio[this.row];
  }

  /** A `MemberState` case; an unknown code reads as `forced-offline`. */
  get state() {
    return MemberState.fromCode(this.#members.state[this.row]);
  }

  /** An `Availability` case. */
  get availability() {
    return Availability.fromCode(this.#members.availability[this.row]);
  }

  get currentConnections() {
    return this.#members.currentConnections[this.row];
  }

  /** Connection limit; 0 means unlimited. */
  get connectionLimit() {
    return this.#members.connectionLimit[this.row];
  }
}
