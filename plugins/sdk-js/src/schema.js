// The snapshot's tables and the element type of each column, as declared in
// wit/types.wit. The JSON loader, the column adapter and the snapshot builder
// all read the layout from here, so a column added to the contract is added
// in one place.

/**
 * Element types: `u8`/`u16`/`u32`/`u64` unsigned integers, `f32`/`f64` floats.
 * Tables and columns are keyed by their snake_case names as `host snapshot
 * --json` prints them; `camel` gives the name the component bindings use.
 */
export const TABLES = {
  nodes: {
    name: 'u32', address: 'u32', health: 'u8', telemetry_age_ms: 'u32', stale: 'u8',
    gpu_start: 'u32', label_start: 'u32',
  },
  labels: { node: 'u32', key: 'u32', value: 'u32' },
  gpus: {
    node: 'u32', index: 'u32', uuid_high: 'u64', uuid_low: 'u64', model: 'u32',
    utilization: 'f32', tensor_activity: 'f32', memory_used_mib: 'f32', memory_total_mib: 'f32',
    temperature_c: 'f32', power_w: 'f32', power_limit_w: 'f32', throttled: 'u8', last_xid: 'u32',
    health: 'u8', mig_enabled: 'u8', mig_start: 'u32',
  },
  mig_instances: {
    gpu: 'u32', profile: 'u32', instance_id: 'u32', placement_start: 'u8', placement_size: 'u8',
    utilization: 'f32', memory_used_mib: 'f32', memory_total_mib: 'f32',
  },
  pools: { name: 'u32', partition: 'u32', load_balancing_mode: 'u32', member_start: 'u32' },
  members: {
    pool: 'u32', node: 'u32', name: 'u32', address: 'u32', port: 'u16', ratio: 'u32', state: 'u8',
    availability: 'u8', current_connections: 'u32', connection_limit: 'u32',
  },
  instance_groups: {
    name: 'u32', location: 'u32', target_size: 'u32', current_size: 'u32', min_size: 'u32',
    max_size: 'u32', backend_service: 'u32', capacity_scaler: 'f32', instance_start: 'u32',
  },
  instances: {
    group: 'u32', node: 'u32', name: 'u32', status: 'u8', action: 'u8', serving: 'u8',
    last_error: 'u32',
  },
  signals: { name: 'u32', value: 'f64' },
};

/** The typed array that holds a column of each element type. */
export const ARRAY_OF = {
  u8: Uint8Array, u16: Uint16Array, u32: Uint32Array, u64: BigUint64Array,
  f32: Float32Array, f64: Float64Array,
};

/** `telemetry_age_ms` → `telemetryAgeMs`, the bindings' spelling. */
export function camel(snakeName) {
  return snakeName.replace(/_([a-z])/g, (_, letter) => letter.toUpperCase());
}

/** The value of an absent row or string id (`none` in the contract). */
export const NONE = 0xffffffff;
