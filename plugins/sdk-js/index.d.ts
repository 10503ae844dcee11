// Types of @fulcrum/policy-sdk's public API (src/index.js). The contract's
// own types (Snapshot, Decisions, …) are generated from wit/types.wit into
// types/wit by `npm run generate-types`; `npm run check` holds this file,
// the generated types and test-d/usage.ts together.

/// <reference path="./types/wit/policy.d.ts" />

import type * as wit from 'fulcrum:policy/types@0.3.0';
import type { Level as LogLevel } from 'fulcrum:policy/log@0.3.0';

export type { wit };

/** An enum of the contract: its cases as constants, and its column codes. */
type Enumeration<Case extends string, Constants> = Readonly<Constants> & {
  /** The case with code `code`; past the last case, the enum's safe case. */
  fromCode(code: number): Case;
  /** This case's code in a column; throws for a name that is no case. */
  code(name: Case): number;
  readonly cases: readonly Case[];
};

export type Health = wit.Health;
export const Health: Enumeration<Health, {
  Healthy: 'healthy'; Degraded: 'degraded'; Unhealthy: 'unhealthy'; Unknown: 'unknown';
}>;
export type MemberState = wit.MemberState;
export const MemberState: Enumeration<MemberState, {
  Enabled: 'enabled'; Disabled: 'disabled'; ForcedOffline: 'forced-offline';
}>;
export type Availability = wit.Availability;
export const Availability: Enumeration<Availability, {
  Available: 'available'; Offline: 'offline'; Unknown: 'unknown';
}>;
export type InstanceStatus = wit.InstanceStatus;
export const InstanceStatus: Enumeration<InstanceStatus, {
  Provisioning: 'provisioning'; Staging: 'staging'; Running: 'running'; Stopping: 'stopping';
  Stopped: 'stopped'; Suspending: 'suspending'; Suspended: 'suspended';
  Terminated: 'terminated'; Absent: 'absent';
}>;
export type InstanceAction = wit.InstanceAction;
export const InstanceAction: Enumeration<InstanceAction, {
  None: 'none'; Creating: 'creating'; CreatingWithoutRetries: 'creating-without-retries';
  Recreating: 'recreating'; Deleting: 'deleting'; Abandoning: 'abandoning';
  Restarting: 'restarting'; Refreshing: 'refreshing'; Verifying: 'verifying';
}>;
export type ActionKind = wit.ActionKind;
export const ActionKind: Enumeration<ActionKind, {
  MemberRatio: 'member-ratio'; MemberState: 'member-state'; CapacityScaler: 'capacity-scaler';
  GroupSize: 'group-size'; MigLayout: 'mig-layout';
}>;
export type Level = LogLevel;
export const Level: Enumeration<Level, {
  Trace: 'trace'; Debug: 'debug'; Info: 'info'; Warn: 'warn'; Error: 'error';
}>;

/** The value of an absent row or string id. */
export const NONE: 0xffffffff;

/** A contiguous range of one table's rows, handed out as views. */
export class Rows<View> implements Iterable<View> {
  readonly snapshot: SnapshotView;
  readonly start: number;
  readonly end: number;
  readonly length: number;
  /** The view of `row` (a row of the whole table) if it lies in this range. */
  at(row: number): View | undefined;
  find(test: (view: View) => boolean): View | undefined;
  filter(test: (view: View) => boolean): View[];
  map<T>(map: (view: View) => T): T[];
  toArray(): View[];
  [Symbol.iterator](): Iterator<View>;
}

/** Every table's columns, indexable by row, as the views read them. */
export type Columns = {
  [Table in Exclude<keyof wit.Snapshot, 'version' | 'timeMs' | 'strings'>]: wit.Snapshot[Table];
};

export class SnapshotView {
  constructor(snapshot: wit.Snapshot);
  /** The snapshot as the bindings hand it over. */
  readonly raw: wit.Snapshot;
  readonly columns: Columns;
  readonly version: bigint;
  readonly timeMs: bigint;
  /** String `id`; `""` when absent or invalid. */
  string(id: number): string;
  /** String `id`; `undefined` when absent (`NONE`) or invalid. */
  optionalString(id: number): string | undefined;
  readonly nodes: Rows<NodeView>;
  node(row: number): NodeView | undefined;
  nodeByName(name: string): NodeView | undefined;
  readonly gpus: Rows<GpuView>;
  readonly pools: Rows<PoolView>;
  pool(row: number): PoolView | undefined;
  poolByName(name: string): PoolView | undefined;
  readonly members: Rows<MemberView>;
  member(row: number): MemberView | undefined;
  readonly instanceGroups: Rows<GroupView>;
  instanceGroup(row: number): GroupView | undefined;
  readonly signals: { name: string; value: number }[];
  signal(name: string): number | undefined;
  nodeOrNone(row: number): NodeView | undefined;
}

interface View {
  readonly snapshot: SnapshotView;
  /** The row in the view's table. */
  readonly row: number;
}

export class NodeView implements View {
  constructor(snapshot: SnapshotView, row: number);
  readonly snapshot: SnapshotView;
  readonly row: number;
  readonly name: string;
  readonly address: string;
  readonly health: Health;
  readonly stale: boolean;
  readonly telemetryAgeMs: number;
  readonly gpus: Rows<GpuView>;
  /** `[key, value]` pairs, in row order. */
  readonly labels: [string, string][];
  label(key: string): string | undefined;
}

/** A physical GPU; measurements are NaN when not reported. */
export class GpuView implements View {
  constructor(snapshot: SnapshotView, row: number);
  readonly snapshot: SnapshotView;
  readonly row: number;
  readonly node: NodeView;
  readonly index: number;
  readonly uuid: string | undefined;
  readonly model: string;
  readonly utilization: number;
  readonly tensorActivity: number;
  readonly memoryUsedMib: number;
  readonly memoryTotalMib: number;
  readonly temperatureC: number;
  readonly powerW: number;
  readonly powerLimitW: number;
  readonly throttled: boolean;
  readonly lastXid: number;
  readonly health: Health;
  readonly migEnabled: boolean;
  readonly migInstances: Rows<MigView>;
}

export class MigView implements View {
  constructor(snapshot: SnapshotView, row: number);
  readonly snapshot: SnapshotView;
  readonly row: number;
  readonly gpu: GpuView;
  readonly profile: string;
  readonly instanceId: number;
  readonly placementStart: number;
  readonly placementSize: number;
  readonly utilization: number;
  readonly memoryUsedMib: number;
  readonly memoryTotalMib: number;
}

export class PoolView implements View {
  constructor(snapshot: SnapshotView, row: number);
  readonly snapshot: SnapshotView;
  readonly row: number;
  readonly name: string;
  readonly partition: string;
  readonly loadBalancingMode: string;
  readonly members: Rows<MemberView>;
}

export class MemberView implements View {
  constructor(snapshot: SnapshotView, row: number);
  readonly snapshot: SnapshotView;
  readonly row: number;
  readonly pool: PoolView;
  readonly node: NodeView | undefined;
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly ratio: number;
  readonly state: MemberState;
  readonly availability: Availability;
  readonly currentConnections: number;
  readonly connectionLimit: number;
}

export class GroupView implements View {
  constructor(snapshot: SnapshotView, row: number);
  readonly snapshot: SnapshotView;
  readonly row: number;
  readonly name: string;
  readonly location: string;
  readonly targetSize: number;
  readonly currentSize: number;
  readonly minSize: number;
  readonly maxSize: number;
  readonly backendService: string | undefined;
  readonly capacityScaler: number;
  readonly instances: Rows<InstanceView>;
}

export class InstanceView implements View {
  constructor(snapshot: SnapshotView, row: number);
  readonly snapshot: SnapshotView;
  readonly row: number;
  readonly group: GroupView;
  readonly node: NodeView | undefined;
  readonly name: string;
  readonly status: InstanceStatus;
  readonly action: InstanceAction;
  readonly serving: boolean;
  readonly lastError: string | undefined;
}

export interface ProfileCount {
  profile: string;
  count: number;
}

/** One proposed change; `kind` is the ActionKind it needs. */
export type Action =
  | { kind: 'member-ratio'; member: number; ratio: number }
  | { kind: 'member-state'; member: number; state: MemberState }
  | { kind: 'capacity-scaler'; group: number; scaler: number }
  | { kind: 'group-size'; group: number; targetSize: number }
  | { kind: 'mig-layout'; node: number; gpus: number[]; profiles: ProfileCount[] };

export interface Decision {
  action: Action;
  /** Why, in a sentence shown to operators. */
  reason: string;
}

export namespace actions {
  function setMemberRatio(member: number, ratio: number, reason: string): Decision;
  function setMemberState(member: number, state: MemberState, reason: string): Decision;
  function setCapacityScaler(group: number, scaler: number, reason: string): Decision;
  function resizeGroup(group: number, targetSize: number, reason: string): Decision;
  function setMigLayout(node: number, gpus: number[], profiles: ProfileCount[], reason: string): Decision;
}

/** The decisions of one evaluation, in the contract's columnar form. */
export class Decisions {
  static from(decisions: Iterable<Decision>): Decisions;
  setMemberRatio(member: number, ratio: number, reason: string): void;
  setMemberState(member: number, state: MemberState, reason: string): void;
  setCapacityScaler(group: number, scaler: number, reason: string): void;
  resizeGroup(group: number, targetSize: number, reason: string): void;
  setMigLayout(node: number, gpus: number[], profiles: ProfileCount[], reason: string): void;
  push(decision: Decision): void;
  readonly length: number;
  /** Kind by kind (states, ratios, scalers, sizes, layouts), each in written order. */
  toArray(): Decision[];
  toWit(): wit.Decisions;
}

/** Why the host refused a state write. */
export class StateError extends Error {
  constructor(kind: 'invalid-key' | 'quota-exceeded', quota?: bigint);
  readonly kind: 'invalid-key' | 'quota-exceeded';
  /** The quota in bytes, for `quota-exceeded`. */
  readonly quota: bigint | undefined;
}

/** What a policy may ask of the host while deciding. */
export interface Host {
  log(level: Level, message: string): void;
  stateGet(key: string): Uint8Array | undefined;
  /** Throws a StateError when the host refuses the write. */
  stateSet(key: string, value: Uint8Array): void;
  stateDelete(key: string): void;
}

/** An in-memory Host for tests under plain Node. */
export class MemoryHost implements Host {
  static readonly DEFAULT_QUOTA: bigint;
  constructor(options?: { quota?: number | bigint; state?: Map<string, Uint8Array> });
  quota: bigint;
  state: Map<string, Uint8Array>;
  logs: { level: Level; message: string }[];
  logged(level: Level): string[];
  log(level: Level, message: string): void;
  stateGet(key: string): Uint8Array | undefined;
  stateSet(key: string, value: Uint8Array): void;
  stateDelete(key: string): void;
}

export interface Metadata {
  name: string;
  version: string;
  description: string;
  actionKinds: ActionKind[];
}

export interface PolicyDefinition<Configured> {
  metadata: Metadata;
  /** Validate the settings text (a JSON object); throw naming the setting on error. */
  configure(settings: string): Configured;
  decide(configured: Configured, snapshot: SnapshotView, host: Host): Decisions | Decision[];
}

export interface Policy<Configured> extends PolicyDefinition<Configured> {
  readonly metadata: Readonly<Metadata>;
}

export function definePolicy<Configured>(definition: PolicyDefinition<Configured>): Policy<Configured>;

/** Run `policy.decide` as the component does; a snapshot in bindings shape or a view. */
export function decideWith<Configured>(
  policy: Policy<Configured>, configured: Configured, snapshot: wit.Snapshot | SnapshotView, host: Host,
): Decisions;

/** A snapshot from `host snapshot --json` output; throws naming the bad field. */
export function snapshotFromJson(text: string): wit.Snapshot;

export interface GpuSample {
  index?: number;
  uuid?: string;
  model?: string;
  utilization?: number;
  tensorActivity?: number;
  memoryUsedMib?: number;
  memoryTotalMib?: number;
  temperatureC?: number;
  powerW?: number;
  powerLimitW?: number;
  throttled?: boolean;
  lastXid?: number;
  health?: Health;
  migEnabled?: boolean;
}

export interface MigSample {
  profile?: string;
  instanceId?: number;
  placementStart?: number;
  placementSize?: number;
  utilization?: number;
  memoryUsedMib?: number;
  memoryTotalMib?: number;
}

export interface MemberFields {
  node?: number;
  address?: string;
  port?: number;
  ratio?: number;
  state?: MemberState;
  availability?: Availability;
  currentConnections?: number;
  connectionLimit?: number;
}

/** Builds a valid snapshot row by row; children grouped by parent. */
export class SnapshotBuilder {
  version: bigint;
  timeMs: bigint;
  intern(text: string): number;
  node(name: string, address?: string): number;
  nodeHealth(node: number, health: Health): this;
  nodeStale(node: number, stale: boolean): this;
  label(node: number, key: string, value: string): number;
  gpu(node: number, sample?: GpuSample): number;
  migInstance(gpu: number, sample?: MigSample): number;
  pool(name: string, partition?: string, loadBalancingMode?: string): number;
  member(pool: number, name: string, fields?: MemberFields): number;
  memberState(member: number, state: MemberState): this;
  memberRatio(member: number, ratio: number): this;
  instanceGroup(name: string, fields?: {
    location?: string; targetSize?: number; currentSize?: number; minSize?: number;
    maxSize?: number; backendService?: string; capacityScaler?: number;
  }): number;
  instance(group: number, name: string, fields?: {
    node?: number; status?: InstanceStatus; action?: InstanceAction; serving?: boolean; lastError?: string;
  }): number;
  signal(name: string, value: number): number;
  build(): wit.Snapshot;
}

export function formatGpuUuid(high: bigint, low: bigint): string | undefined;
export function parseGpuUuid(text: string): [bigint, bigint];
