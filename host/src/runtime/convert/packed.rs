//! The snapshot as a `fulcrum:policy@0.3.0` policy receives it: the model's
//! columns, every number wider than a byte packed little-endian into bytes,
//! one value per row (`wit/types.wit`, the `*-column` types). Byte columns
//! (enums, booleans, MIG placements) are copied as they are. Each table is
//! destructured whole, so a column added to the model breaks the build here
//! until it is packed.

use crate::model;
use crate::wit::current::types as wit;

/// `snapshot` with its number columns packed.
pub(crate) fn snapshot(snapshot: &model::Snapshot) -> wit::Snapshot {
    let model::Snapshot {
        version,
        time_ms,
        strings,
        nodes,
        labels,
        gpus,
        mig_instances,
        pools,
        members,
        instance_groups,
        instances,
        signals,
    } = snapshot;
    wit::Snapshot {
        version: *version,
        time_ms: *time_ms,
        strings: wit::SnapshotStrings {
            text: strings.text.clone(),
            offsets: u32s(&strings.offsets),
        },
        nodes: self::nodes(nodes),
        labels: self::labels(labels),
        gpus: self::gpus(gpus),
        mig_instances: self::mig_instances(mig_instances),
        pools: self::pools(pools),
        members: self::members(members),
        instance_groups: self::instance_groups(instance_groups),
        instances: self::instances(instances),
        signals: self::signals(signals),
    }
}

fn nodes(nodes: &model::Nodes) -> wit::Nodes {
    let model::Nodes {
        name,
        address,
        health,
        telemetry_age_ms,
        stale,
        gpu_start,
        label_start,
    } = nodes;
    wit::Nodes {
        name: u32s(name),
        address: u32s(address),
        health: health.clone(),
        telemetry_age_ms: u32s(telemetry_age_ms),
        stale: stale.clone(),
        gpu_start: u32s(gpu_start),
        label_start: u32s(label_start),
    }
}

fn labels(labels: &model::Labels) -> wit::Labels {
    let model::Labels { node, key, value } = labels;
    wit::Labels {
        node: u32s(node),
        key: u32s(key),
        value: u32s(value),
    }
}

fn gpus(gpus: &model::Gpus) -> wit::Gpus {
    let model::Gpus {
        node,
        index,
        uuid_high,
        uuid_low,
        model,
        utilization,
        tensor_activity,
        memory_used_mib,
        memory_total_mib,
        temperature_c,
        power_w,
        power_limit_w,
        throttled,
        last_xid,
        health,
        mig_enabled,
        mig_start,
    } = gpus;
    wit::Gpus {
        node: u32s(node),
        index: u32s(index),
        uuid_high: u64s(uuid_high),
        uuid_low: u64s(uuid_low),
        model: u32s(model),
        utilization: f32s(utilization),
        tensor_activity: f32s(tensor_activity),
        memory_used_mib: f32s(memory_used_mib),
        memory_total_mib: f32s(memory_total_mib),
        temperature_c: f32s(temperature_c),
        power_w: f32s(power_w),
        power_limit_w: f32s(power_limit_w),
        throttled: throttled.clone(),
        last_xid: u32s(last_xid),
        health: health.clone(),
        mig_enabled: mig_enabled.clone(),
        mig_start: u32s(mig_start),
    }
}

fn mig_instances(instances: &model::MigInstances) -> wit::MigInstances {
    let model::MigInstances {
        gpu,
        profile,
        instance_id,
        placement_start,
        placement_size,
        utilization,
        memory_used_mib,
        memory_total_mib,
    } = instances;
    wit::MigInstances {
        gpu: u32s(gpu),
        profile: u32s(profile),
        instance_id: u32s(instance_id),
        placement_start: placement_start.clone(),
        placement_size: placement_size.clone(),
        utilization: f32s(utilization),
        memory_used_mib: f32s(memory_used_mib),
        memory_total_mib: f32s(memory_total_mib),
    }
}

fn pools(pools: &model::Pools) -> wit::Pools {
    let model::Pools {
        name,
        partition,
        load_balancing_mode,
        member_start,
    } = pools;
    wit::Pools {
        name: u32s(name),
        partition: u32s(partition),
        load_balancing_mode: u32s(load_balancing_mode),
        member_start: u32s(member_start),
    }
}

fn members(members: &model::Members) -> wit::Members {
    let model::Members {
        pool,
        node,
        name,
        address,
        port,
        ratio,
        state,
        availability,
        current_connections,
        connection_limit,
    } = members;
    wit::Members {
        pool: u32s(pool),
        node: u32s(node),
        name: u32s(name),
        address: u32s(address),
        port: pack(port, u16::to_le_bytes),
        ratio: u32s(ratio),
        state: state.clone(),
        availability: availability.clone(),
        current_connections: u32s(current_connections),
        connection_limit: u32s(connection_limit),
    }
}

fn instance_groups(groups: &model::InstanceGroups) -> wit::InstanceGroups {
    let model::InstanceGroups {
        name,
        location,
        target_size,
        current_size,
        min_size,
        max_size,
        backend_service,
        capacity_scaler,
        instance_start,
    } = groups;
    wit::InstanceGroups {
        name: u32s(name),
        location: u32s(location),
        target_size: u32s(target_size),
        current_size: u32s(current_size),
        min_size: u32s(min_size),
        max_size: u32s(max_size),
        backend_service: u32s(backend_service),
        capacity_scaler: f32s(capacity_scaler),
        instance_start: u32s(instance_start),
    }
}

fn instances(instances: &model::Instances) -> wit::Instances {
    let model::Instances {
        group,
        node,
        name,
        status,
        action,
        serving,
        last_error,
    } = instances;
    wit::Instances {
        group: u32s(group),
        node: u32s(node),
        name: u32s(name),
        status: status.clone(),
        action: action.clone(),
        serving: serving.clone(),
        last_error: u32s(last_error),
    }
}

fn signals(signals: &model::Signals) -> wit::Signals {
    let model::Signals { name, value } = signals;
    wit::Signals {
        name: u32s(name),
        value: pack(value, f64::to_le_bytes),
    }
}

fn u32s(column: &[u32]) -> Vec<u8> {
    pack(column, u32::to_le_bytes)
}

fn u64s(column: &[u64]) -> Vec<u8> {
    pack(column, u64::to_le_bytes)
}

fn f32s(column: &[f32]) -> Vec<u8> {
    pack(column, f32::to_le_bytes)
}

/// `column` as `N`-byte little-endian values, back to back. Written into a
/// zeroed buffer chunk by chunk, which compiles to a plain copy on
/// little-endian hosts.
fn pack<T: Copy, const N: usize>(column: &[T], to_le_bytes: fn(T) -> [u8; N]) -> Vec<u8> {
    let mut bytes = vec![0; column.len() * N];
    let (chunks, _) = bytes.as_chunks_mut::<N>();
    for (chunk, &value) in chunks.iter_mut().zip(column) {
        *chunk = to_le_bytes(value);
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Availability, GpuSample, Health, MemberSample, MemberState, NodeSample, SnapshotBuilder,
    };

    fn u32_at(column: &[u8], row: usize) -> u32 {
        u32::from_le_bytes(column[row * 4..][..4].try_into().unwrap())
    }

    fn f32_at(column: &[u8], row: usize) -> f32 {
        f32::from_le_bytes(column[row * 4..][..4].try_into().unwrap())
    }

    #[test]
    fn every_number_reads_back_from_its_packed_column() {
        let original = sample_snapshot();
        let packed = snapshot(&original);
        let gpus = &original.gpus;
        assert_eq!(packed.gpus.utilization.len(), gpus.utilization.len() * 4);
        for row in 0..gpus.node.len() {
            assert_eq!(u32_at(&packed.gpus.node, row), gpus.node[row]);
            assert_eq!(
                f32_at(&packed.gpus.utilization, row).to_bits(),
                gpus.utilization[row].to_bits()
            );
            let uuid_high =
                u64::from_le_bytes(packed.gpus.uuid_high[row * 8..][..8].try_into().unwrap());
            assert_eq!(uuid_high, gpus.uuid_high[row]);
        }
        assert_eq!(packed.gpus.health, gpus.health);
        let port = u16::from_le_bytes(packed.members.port[..2].try_into().unwrap());
        assert_eq!(port, original.members.port[0]);
        let value = f64::from_le_bytes(packed.signals.value[..8].try_into().unwrap());
        assert_eq!(value, original.signals.value[0]);
        for (row, &offset) in original.strings.offsets.iter().enumerate() {
            assert_eq!(u32_at(&packed.strings.offsets, row), offset);
        }
        assert_eq!(packed.strings.text, original.strings.text);
    }

    #[test]
    fn not_reported_measurements_stay_nan() {
        let packed = snapshot(&sample_snapshot());
        assert!(f32_at(&packed.gpus.temperature_c, 1).is_nan());
    }

    fn gpu(uuid: &'static str, utilization: f32, temperature_c: f32) -> GpuSample<'static> {
        GpuSample {
            index: 0,
            uuid,
            model: "NVIDIA H100 80GB HBM3",
            utilization,
            tensor_activity: 0.5,
            memory_used_mib: 1024.0,
            memory_total_mib: 81_559.0,
            temperature_c,
            power_w: 300.0,
            power_limit_w: 700.0,
            throttled: false,
            last_xid: 79,
            health: Health::Degraded,
            mig: None,
        }
    }

    fn sample_snapshot() -> model::Snapshot {
        let mut builder = SnapshotBuilder::new();
        let node = NodeSample {
            name: "gpu-1",
            address: "10.0.0.1",
            health: Health::Healthy,
            telemetry_age_ms: 250,
            stale: false,
            labels: &[("zone", "a")],
        };
        builder.node(
            &node,
            &[
                gpu("GPU-8a2c6d3e-1111-2222-3333-444455556666", 0.75, 61.5),
                gpu("", 0.25, f32::NAN),
            ],
        );
        let member = MemberSample {
            name: "gpu-1:8080",
            address: "10.0.0.1",
            port: 8080,
            ratio: 10,
            state: MemberState::Enabled,
            availability: Availability::Available,
            current_connections: 3,
            connection_limit: 0,
        };
        builder.pool("mlPool", "Common", "ratio-member", &[member]);
        builder.signal("queued", 12.5);
        builder.build(7, 1_767_225_600_000)
    }
}
