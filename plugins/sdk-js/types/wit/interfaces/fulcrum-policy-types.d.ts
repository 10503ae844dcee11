declare module 'fulcrum:policy/types@0.3.0' {
  /**
   * Index of a string in `snapshot.strings`; `none` (0xffffffff) when absent.
   */
  export type StringId = number;
  /**
   * Row index into another table of the same snapshot; `none` when absent.
   */
  export type Row = number;
  /**
   * Packed little-endian `u16`, one per row: 2 bytes a row.
   */
  export type U16Column = Uint8Array;
  /**
   * Packed little-endian `u32`, one per row: 4 bytes a row.
   */
  export type U32Column = Uint8Array;
  /**
   * Packed little-endian `u64`, one per row: 8 bytes a row.
   */
  export type U64Column = Uint8Array;
  /**
   * Packed little-endian IEEE 754 `f32`, one per row: 4 bytes a row.
   */
  export type F32Column = Uint8Array;
  /**
   * Packed little-endian IEEE 754 `f64`, one per row: 8 bytes a row.
   */
  export type F64Column = Uint8Array;
  /**
   * Packed little-endian `row` indices (`u32`), one per row: 4 bytes a row;
   * 0xffffffff (`none`) where absent.
   */
  export type RowColumn = Uint8Array;
  /**
   * Packed little-endian `string-id`s (`u32`), one per row: 4 bytes a row;
   * 0xffffffff (`none`) where absent.
   */
  export type StringIdColumn = Uint8Array;
  /**
   * Strings interned in one text: string `i` is `text[offsets[i] .. offsets[i + 1]]`
   * (byte offsets into UTF-8 text). `offsets` has one more element than there
   * are strings and starts at 0; offsets never decrease. Decisions use it
   * for their reasons; the snapshot's strings are a `snapshot-strings`.
   */
  export interface StringTable {
    /**
     * The concatenated UTF-8 bytes of every string.
     */
    text: string,
    /**
     * Byte offsets of each string's start, followed by the end of the last.
     */
    offsets: Uint32Array,
  }
  /**
   * The snapshot's interned strings, as a `string-table` but with its
   * offsets packed: string `i` is `text[offset(i) .. offset(i + 1)]`, where
   * `offset(i)` is the `i`-th little-endian `u32` of `offsets`. There is one
   * more offset than there are strings; the first is 0 and offsets never
   * decrease.
   */
  export interface SnapshotStrings {
    /**
     * The concatenated UTF-8 bytes of every string.
     */
    text: string,
    /**
     * Byte offsets of each string's start, followed by the end of the last.
     */
    offsets: U32Column,
  }
  /**
   * How a node or GPU is doing, as judged by the host from its telemetry.
   * # Variants
   * 
   * ## `"healthy"`
   * 
   * Reporting, no errors.
   * ## `"degraded"`
   * 
   * Reporting, with warnings (for example a recent XID that does not need a reset,
   * or remapped-row pending).
   * ## `"unhealthy"`
   * 
   * Failing: the node is unreachable or a GPU reported a fatal XID.
   * ## `"unknown"`
   * 
   * No telemetry has been received, or it is too old to judge.
   */
  export type Health = 'healthy' | 'degraded' | 'unhealthy' | 'unknown';
  /**
   * Machines that run ML work: one row per node.
   */
  export interface Nodes {
    /**
     * Node name (the load balancer node name or instance name).
     */
    name: StringIdColumn,
    /**
     * Address the node is reached at, as text ("127.0.1.1").
     */
    address: StringIdColumn,
    /**
     * Overall health of the node, a `health` case.
     */
    health: Uint8Array,
    /**
     * Age of the node's newest telemetry at snapshot time, in milliseconds.
     */
    telemetryAgeMs: U32Column,
    /**
     * 1 when the node's telemetry is older than the source's staleness limit;
     * its GPU columns then hold the last values seen, or `NaN`.
     */
    stale: Uint8Array,
    /**
     * First row of this node's GPUs in `gpus`; its GPUs run to `gpu-start[i + 1]`
     * (or to the end of `gpus` for the last node).
     */
    gpuStart: U32Column,
    /**
     * First row of this node's labels in `labels`, grouped like `gpu-start`.
     */
    labelStart: U32Column,
  }
  /**
   * Node labels (key = value pairs), grouped by node.
   */
  export interface Labels {
    /**
     * The node each label belongs to.
     */
    node: RowColumn,
    /**
     * Label key.
     */
    key: StringIdColumn,
    /**
     * Label value.
     */
    value: StringIdColumn,
  }
  /**
   * Physical GPUs, grouped by node (see `nodes.gpu-start`).
   */
  export interface Gpus {
    /**
     * The node the GPU is in.
     */
    node: RowColumn,
    /**
     * Device index on the node (`nvidia-smi` index, DCGM `gpu` label).
     */
    index: U32Column,
    /**
     * Device UUID ("GPU-8a2c6d3e-…"), its 128 bits in two halves: the first
     * 8 bytes here, big-endian. Both halves are 0 when the source reported
     * no UUID or one not in NVIDIA's `GPU-` form. (Numbers rather than
     * interned text: 80,000 UUIDs would otherwise be most of the strings.)
     */
    uuidHigh: U64Column,
    /**
     * The last 8 bytes of the device UUID, big-endian.
     */
    uuidLow: U64Column,
    /**
     * Model name ("NVIDIA H100 80GB HBM3").
     */
    model: StringIdColumn,
    /**
     * Compute busy ratio 0..=1 (DCGM graphics-engine activity, or utilisation / 100).
     * Under MIG this is the mean over the GPU's instances.
     */
    utilization: F32Column,
    /**
     * Tensor-pipe activity ratio 0..=1.
     */
    tensorActivity: F32Column,
    /**
     * Framebuffer memory in use, MiB.
     */
    memoryUsedMib: F32Column,
    /**
     * Framebuffer memory in total, MiB.
     */
    memoryTotalMib: F32Column,
    /**
     * GPU temperature, °C.
     */
    temperatureC: F32Column,
    /**
     * Power draw, W.
     */
    powerW: F32Column,
    /**
     * Power limit, W.
     */
    powerLimitW: F32Column,
    /**
     * 1 while the GPU is clock-throttled for thermal or power reasons.
     */
    throttled: Uint8Array,
    /**
     * The last XID error the GPU reported; 0 when none.
     */
    lastXid: U32Column,
    /**
     * GPU health, a `health` case, derived from XIDs and reachability.
     */
    health: Uint8Array,
    /**
     * 1 when MIG mode is enabled on the GPU.
     */
    migEnabled: Uint8Array,
    /**
     * First row of this GPU's MIG instances in `mig-instances`, grouped like `nodes.gpu-start`.
     */
    migStart: U32Column,
  }
  /**
   * MIG GPU instances, grouped by GPU (see `gpus.mig-start`).
   */
  export interface MigInstances {
    /**
     * The physical GPU the instance lives on.
     */
    gpu: RowColumn,
    /**
     * Profile name ("1g.10gb", "3g.40gb").
     */
    profile: StringIdColumn,
    /**
     * GPU instance id (`GPU_I_ID`).
     */
    instanceId: U32Column,
    /**
     * First memory slice of the placement (0..=7).
     */
    placementStart: Uint8Array,
    /**
     * Number of memory slices the placement covers.
     */
    placementSize: Uint8Array,
    /**
     * Graphics-engine activity ratio 0..=1 of this instance.
     */
    utilization: F32Column,
    /**
     * Memory in use inside the instance, MiB.
     */
    memoryUsedMib: F32Column,
    /**
     * Memory of the instance, MiB.
     */
    memoryTotalMib: F32Column,
  }
  /**
   * Load-balancer pools (BIG-IP LTM pools).
   */
  export interface Pools {
    /**
     * Pool name ("mlPool").
     */
    name: StringIdColumn,
    /**
     * Administrative partition ("Common").
     */
    partition: StringIdColumn,
    /**
     * Load-balancing mode ("ratio-member", "least-connections-member", …).
     */
    loadBalancingMode: StringIdColumn,
    /**
     * First row of this pool's members in `members`, grouped like `nodes.gpu-start`.
     */
    memberStart: U32Column,
  }
  /**
   * Administrative state of a pool member.
   * # Variants
   * 
   * ## `"enabled"`
   * 
   * Receives new connections.
   * ## `"disabled"`
   * 
   * Finishes existing connections, accepts only persistent ones.
   * ## `"forced-offline"`
   * 
   * Accepts no connections at all.
   */
  export type MemberState = 'enabled' | 'disabled' | 'forced-offline';
  /**
   * What the load balancer's monitors say about a member.
   * # Variants
   * 
   * ## `"available"`
   * 
   * Monitors pass.
   * ## `"offline"`
   * 
   * Monitors fail.
   * ## `"unknown"`
   * 
   * No monitor, or not yet checked.
   */
  export type Availability = 'available' | 'offline' | 'unknown';
  /**
   * Pool members, grouped by pool (see `pools.member-start`).
   */
  export interface Members {
    /**
     * The pool the member belongs to.
     */
    pool: RowColumn,
    /**
     * The node serving this member; `none` when no node matches its address.
     */
    node: RowColumn,
    /**
     * Member name as the load balancer knows it ("ml-node-1:8080").
     */
    name: StringIdColumn,
    /**
     * Member address.
     */
    address: StringIdColumn,
    /**
     * Service port.
     */
    port: U16Column,
    /**
     * Ratio weight for ratio load balancing, 1..=65535.
     */
    ratio: U32Column,
    /**
     * Administrative state, a `member-state` case.
     */
    state: Uint8Array,
    /**
     * Monitor availability, an `availability` case.
     */
    availability: Uint8Array,
    /**
     * Connections open now.
     */
    currentConnections: U32Column,
    /**
     * Connection limit; 0 means unlimited.
     */
    connectionLimit: U32Column,
  }
  /**
   * Managed instance groups (GCE), zonal or regional.
   */
  export interface InstanceGroups {
    /**
     * Group name ("tf-instance-group-manager").
     */
    name: StringIdColumn,
    /**
     * Zone or region the group lives in.
     */
    location: StringIdColumn,
    /**
     * Size the group is asked to have.
     */
    targetSize: U32Column,
    /**
     * Instances that exist now, in any status.
     */
    currentSize: U32Column,
    /**
     * Smallest size the operator allows (host guard rail).
     */
    minSize: U32Column,
    /**
     * Largest size the operator allows (host guard rail).
     */
    maxSize: U32Column,
    /**
     * Backend service the group serves; `none` when it is no backend.
     */
    backendService: StringIdColumn,
    /**
     * The backend's capacity scaler, 0 or 0.1..=1; `NaN` when the group is no backend.
     */
    capacityScaler: F32Column,
    /**
     * First row of this group's instances in `instances`, grouped like `nodes.gpu-start`.
     */
    instanceStart: U32Column,
  }
  /**
   * Lifecycle status of a managed instance (Compute `instanceStatus`).
   * # Variants
   * 
   * ## `"provisioning"`
   * 
   * Resources are being allocated.
   * ## `"staging"`
   * 
   * Resources are acquired; the instance is being prepared to boot.
   * ## `"running"`
   * 
   * Booted and running.
   * ## `"stopping"`
   * 
   * Being stopped.
   * ## `"stopped"`
   * 
   * Stopped by a user or the group manager.
   * ## `"suspending"`
   * 
   * Being suspended.
   * ## `"suspended"`
   * 
   * Suspended.
   * ## `"terminated"`
   * 
   * Shut down or failed.
   * ## `"absent"`
   * 
   * The instance does not exist yet (for example while it is being created).
   */
  export type InstanceStatus = 'provisioning' | 'staging' | 'running' | 'stopping' | 'stopped' | 'suspending' | 'suspended' | 'terminated' | 'absent';
  /**
   * What the group manager is doing to an instance (Compute `currentAction`).
   * # Variants
   * 
   * ## `"none"`
   * 
   * Nothing; the instance is as the group wants it.
   * ## `"creating"`
   * 
   * Being created (retried until it succeeds).
   * ## `"creating-without-retries"`
   * 
   * Being created once, without retries.
   * ## `"recreating"`
   * 
   * Being deleted and created again.
   * ## `"deleting"`
   * 
   * Being deleted.
   * ## `"abandoning"`
   * 
   * Being removed from the group without deletion.
   * ## `"restarting"`
   * 
   * Being restarted.
   * ## `"refreshing"`
   * 
   * Being refreshed (new metadata or template without restart).
   * ## `"verifying"`
   * 
   * Being checked by the group manager after an action.
   */
  export type InstanceAction = 'none' | 'creating' | 'creating-without-retries' | 'recreating' | 'deleting' | 'abandoning' | 'restarting' | 'refreshing' | 'verifying';
  /**
   * Managed instances, grouped by group (see `instance-groups.instance-start`).
   */
  export interface Instances {
    /**
     * The group the instance belongs to.
     */
    group: RowColumn,
    /**
     * The node row for this instance; `none` when it has no telemetry yet.
     */
    node: RowColumn,
    /**
     * Instance name.
     */
    name: StringIdColumn,
    /**
     * Lifecycle status, an `instance-status` case.
     */
    status: Uint8Array,
    /**
     * Current action of the group manager on it, an `instance-action` case.
     */
    action: Uint8Array,
    /**
     * 1 when the backend service reports the instance healthy.
     */
    serving: Uint8Array,
    /**
     * The last error creating or running it (a stockout, a quota); `none` when none.
     */
    lastError: StringIdColumn,
  }
  /**
   * A policy-specific demand signal, given by the operator or a telemetry query
   * (for example queued requests per MIG profile).
   */
  export interface Signals {
    /**
     * Signal name, as configured by the operator.
     */
    name: StringIdColumn,
    /**
     * Current value.
     */
    value: F64Column,
  }
  /**
   * One immutable view of the cluster, handed to every policy in a cycle.
   */
  export interface Snapshot {
    /**
     * Increases by one every cycle; identifies the snapshot in logs and audit.
     */
    version: bigint,
    /**
     * When the snapshot was taken, milliseconds since the Unix epoch.
     */
    timeMs: bigint,
    /**
     * Every string the tables refer to; string 0 is "".
     */
    strings: SnapshotStrings,
    /**
     * GPU nodes.
     */
    nodes: Nodes,
    /**
     * Node labels.
     */
    labels: Labels,
    /**
     * Physical GPUs.
     */
    gpus: Gpus,
    /**
     * MIG GPU instances.
     */
    migInstances: MigInstances,
    /**
     * Load-balancer pools.
     */
    pools: Pools,
    /**
     * Pool members.
     */
    members: Members,
    /**
     * Managed instance groups.
     */
    instanceGroups: InstanceGroups,
    /**
     * Managed instances.
     */
    instances: Instances,
    /**
     * Operator-defined demand signals.
     */
    signals: Signals,
  }
  /**
   * The kinds of action a policy may propose; a policy declares the kinds it
   * uses in its metadata, and the operator grants kinds per policy.
   * # Variants
   * 
   * ## `"member-ratio"`
   * 
   * Set a pool member's ratio (`decisions.member-ratios`).
   * ## `"member-state"`
   * 
   * Enable, disable or force offline a pool member (`decisions.member-states`).
   * ## `"capacity-scaler"`
   * 
   * Scale a backend's capacity (`decisions.capacity-scalers`).
   * ## `"group-size"`
   * 
   * Resize a managed instance group (`decisions.group-sizes`).
   * ## `"mig-layout"`
   * 
   * Reconfigure GPUs' MIG layout (`decisions.mig-layouts`).
   */
  export type ActionKind = 'member-ratio' | 'member-state' | 'capacity-scaler' | 'group-size' | 'mig-layout';
  /**
   * Pool member state changes (kind `member-state`), one row per member.
   */
  export interface MemberStates {
    /**
     * Row in `members`.
     */
    member: Uint32Array,
    /**
     * New administrative state, a `member-state` case.
     */
    state: Uint8Array,
    /**
     * Why, a string in `decisions.reasons`.
     */
    reason: Uint32Array,
  }
  /**
   * Pool member ratio changes (kind `member-ratio`), one row per member.
   */
  export interface MemberRatios {
    /**
     * Row in `members`.
     */
    member: Uint32Array,
    /**
     * New ratio, 1..=65535.
     */
    ratio: Uint32Array,
    /**
     * Why, a string in `decisions.reasons`.
     */
    reason: Uint32Array,
  }
  /**
   * Backend capacity scaler changes (kind `capacity-scaler`), one row per group.
   */
  export interface CapacityScalers {
    /**
     * Row in `instance-groups`; the group must be a backend.
     */
    group: Uint32Array,
    /**
     * New scaler: exactly 0 (drained) or 0.1..=1.
     */
    scaler: Float32Array,
    /**
     * Why, a string in `decisions.reasons`.
     */
    reason: Uint32Array,
  }
  /**
   * Managed instance group resizes (kind `group-size`), one row per group.
   */
  export interface GroupSizes {
    /**
     * Row in `instance-groups`.
     */
    group: Uint32Array,
    /**
     * New target size; the host clamps nothing and rejects sizes outside min..=max.
     */
    targetSize: Uint32Array,
    /**
     * Why, a string in `decisions.reasons`.
     */
    reason: Uint32Array,
  }
  /**
   * How many instances of one MIG profile a layout holds.
   */
  export interface ProfileCount {
    /**
     * Profile name ("1g.10gb").
     */
    profile: string,
    /**
     * Number of instances of it.
     */
    count: number,
  }
  /**
   * Put the given GPUs of a node into one MIG layout (kind `mig-layout`).
   */
  export interface MigLayout {
    /**
     * Row in `nodes`.
     */
    node: Row,
    /**
     * Rows in `gpus`; every one must belong to `node`.
     */
    gpus: Uint32Array,
    /**
     * The layout each listed GPU gets; an empty list disables MIG on them.
     */
    profiles: Array<ProfileCount>,
    /**
     * Why, a string in `decisions.reasons`.
     */
    reason: StringId,
  }
  /**
   * Everything one `decide` proposes, laid out like the snapshot: a table per
   * kind of action, columns of equal length, and every reason interned once
   * in `reasons` (a reason shown to operators and kept in the audit log, in a
   * sentence: "GPU 3 at 91 °C, throttled: ratio 40 → 25"). Ten thousand ratio
   * changes cross the component boundary as a handful of bulk copies.
   * 
   * The host rejects the whole output if a table's columns differ in length,
   * a table has more than one row for the same target (member, group, or —
   * across all of `mig-layouts` — GPU), a row or `string-id` points outside
   * its table, a reason is empty or over 1 KiB, a MIG profile name is not 1
   * to 32 of `a-z 0-9 . +` or a layout has more than 8 profile entries, or a
   * value is out of range. It takes the tables in the order they are
   * declared here, each in row order.
   * 
   * What a policy hands back is bounded by its snapshot: at most the bytes
   * of one row per target in every table, each with a reason of its own of
   * 1 KiB, plus 64 KiB (or the state quota, if larger). Output past that is
   * not read at all, and neither is output that breaks the canonical ABI;
   * both are invalid output. An error string from `decide` or `configure`
   * is kept to its first 2 KiB, with control characters escaped.
   */
  export interface Decisions {
    /**
     * Every reason the tables refer to.
     */
    reasons: StringTable,
    /**
     * Member state changes.
     */
    memberStates: MemberStates,
    /**
     * Member ratio changes.
     */
    memberRatios: MemberRatios,
    /**
     * Capacity scaler changes.
     */
    capacityScalers: CapacityScalers,
    /**
     * Group resizes.
     */
    groupSizes: GroupSizes,
    /**
     * MIG layout changes.
     */
    migLayouts: Array<MigLayout>,
  }
  /**
   * What a policy says about itself. The whole record may be at most
   * 64 KiB; a policy whose metadata breaks a rule below does not load.
   */
  export interface Metadata {
    /**
     * Short name, kebab-case, 1 to 64 characters ("gpu-weighting").
     */
    name: string,
    /**
     * The policy's own version ("1.2.0"): 1 to 64 bytes, one line, no
     * control characters.
     */
    version: string,
    /**
     * One line on what it does: at most 512 bytes, no control characters.
     */
    description: string,
    /**
     * Every kind of action `decide` may return, each once; any other kind
     * is invalid output.
     */
    actionKinds: Array<ActionKind>,
  }
}
