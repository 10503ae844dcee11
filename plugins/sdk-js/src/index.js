// @fulcrum/policy-sdk: write Fulcrum load-balancing and scaling policies in
// JavaScript. Views over the columnar snapshot, decisions with reasons, a way
// to define a policy, the host's log and state, and the pieces for testing
// under plain Node (MemoryHost, SnapshotBuilder, snapshots from JSON).

export * as actions from './actions.js';
export { Decisions } from './decisions.js';
export {
  ActionKind, Availability, Health, InstanceAction, InstanceStatus, Level, MemberState,
} from './enums.js';
export { decideWith } from './evaluate.js';
export { MemoryHost, StateError } from './host.js';
export { definePolicy } from './policy.js';
export { NONE } from './schema.js';
export { SnapshotBuilder } from './snapshot-builder.js';
export { snapshotFromJson } from './snapshot-json.js';
export { formatGpuUuid, parseGpuUuid } from './uuid.js';
export { GpuView, MigView } from './view/gpu.js';
export { GroupView, InstanceView } from './view/group.js';
export { NodeView } from './view/node.js';
export { MemberView, PoolView } from './view/pool.js';
export { Rows } from './view/rows.js';
export { SnapshotView } from './view/snapshot.js';
