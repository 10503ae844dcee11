//! Views over snapshots made by [`SnapshotBuilder`]: values round-trip, children
//! are grouped by parent, absent values read as absent.

use super::*;
use crate::column;
use crate::testing::{GpuSample, MigSample, SnapshotBuilder};
use crate::{Availability, Health, InstanceAction, InstanceStatus, MemberState};

/// Two nodes (the first with two GPUs, one of them MIG-partitioned; the second
/// with none), a pool of two members, an instance group, a signal.
fn cluster() -> Snapshot {
    let mut builder = SnapshotBuilder::new();
    builder.version(42).time_ms(1_700_000_000_000);
    let busy = builder.node("gpu-node-1", "10.0.0.1");
    builder.label(busy, "zone", "us-east1-b");
    builder.label(busy, "team", "search");
    builder.gpu(
        busy,
        GpuSample {
            index: 0,
            uuid: Some("GPU-8a2c6d3e-1f4b-4c5d-9e6f-0a1b2c3d4e5f".parse().unwrap()),
            model: "NVIDIA H100 80GB HBM3".into(),
            utilization: 0.9,
            tensor_activity: 0.5,
            memory_used_mib: 70_000.0,
            memory_total_mib: 81_559.0,
            temperature_c: 84.0,
            power_w: 650.0,
            power_limit_w: 700.0,
            throttled: true,
            last_xid: 79,
            health: Health::Unhealthy,
            mig_enabled: false,
        },
    );
    let partitioned = builder.gpu(
        busy,
        GpuSample {
            index: 1,
            mig_enabled: true,
            ..GpuSample::default()
        },
    );
    builder.mig_instance(
        partitioned,
        MigSample {
            profile: "3g.40gb".into(),
            instance_id: 1,
            placement_size: 4,
            ..MigSample::default()
        },
    );
    builder.mig_instance(
        partitioned,
        MigSample {
            profile: "1g.10gb".into(),
            instance_id: 7,
            placement_start: 6,
            placement_size: 1,
            ..MigSample::default()
        },
    );
    let idle = builder.node("gpu-node-2", "10.0.0.2");
    builder
        .node_health(idle, Health::Degraded)
        .node_stale(idle, true)
        .node_telemetry_age(idle, 45_000);

    let pool = builder.pool("mlPool", "Common", "ratio-member");
    builder.member(
        pool,
        "gpu-node-1:8080",
        "10.0.0.1",
        8080,
        40,
        MemberState::Enabled,
        Availability::Available,
        12,
        Some(busy),
    );
    let orphan = builder.member(
        pool,
        "orphan:8080",
        "10.0.0.9",
        8080,
        1,
        MemberState::Disabled,
        Availability::Unknown,
        0,
        None,
    );
    builder.member_connection_limit(orphan, 100);

    let group = builder.instance_group("tf-instance-group-manager", "us-east1", 3, 2, 1, 8);
    builder.group_backend(group, "ml-backend", 0.5);
    builder.instance(
        group,
        "instance-1",
        InstanceStatus::Running,
        InstanceAction::None,
        true,
        Some(busy),
    );
    let pending = builder.instance(
        group,
        "instance-2",
        InstanceStatus::Absent,
        InstanceAction::Creating,
        false,
        None,
    );
    builder.instance_error(pending, "ZONE_RESOURCE_POOL_EXHAUSTED");
    builder.instance_group("standalone", "us-west1-a", 0, 0, 0, 4);

    builder.signal("queued-requests", 17.5);
    builder.build()
}

#[test]
fn snapshot_fields_round_trip() {
    let snapshot = cluster();
    let view = SnapshotView::new(&snapshot);
    assert_eq!((view.version(), view.time_ms()), (42, 1_700_000_000_000));
    assert_eq!(view.signal("queued-requests"), Some(17.5));
    assert_eq!(view.signal("missing"), None);
    assert_eq!(
        view.signals().collect::<Vec<_>>(),
        [("queued-requests", 17.5)]
    );
}

#[test]
fn nodes_and_gpus_round_trip() {
    let snapshot = cluster();
    let view = SnapshotView::new(&snapshot);
    assert_eq!(view.nodes().len(), 2);

    let node = view.node_by_name("gpu-node-1").unwrap();
    assert_eq!(
        (node.row(), node.name(), node.address()),
        (0, "gpu-node-1", "10.0.0.1")
    );
    assert_eq!(
        (node.health(), node.stale(), node.telemetry_age_ms()),
        (Health::Healthy, false, 0)
    );
    assert_eq!(
        node.labels().collect::<Vec<_>>(),
        [("zone", "us-east1-b"), ("team", "search")]
    );
    assert_eq!(node.label("team"), Some("search"));
    assert_eq!(node.label("rack"), None);

    let gpu = node.gpus().next().unwrap();
    assert_eq!(
        (gpu.index(), gpu.uuid().map(|u| u.to_string()), gpu.model()),
        (
            0,
            Some("GPU-8a2c6d3e-1f4b-4c5d-9e6f-0a1b2c3d4e5f".to_owned()),
            "NVIDIA H100 80GB HBM3"
        )
    );
    assert_eq!((gpu.utilization(), gpu.tensor_activity()), (0.9, 0.5));
    assert_eq!(
        (gpu.memory_used_mib(), gpu.memory_total_mib()),
        (70_000.0, 81_559.0)
    );
    assert_eq!(
        (gpu.temperature_c(), gpu.power_w(), gpu.power_limit_w()),
        (84.0, 650.0, 700.0)
    );
    assert_eq!(
        (
            gpu.throttled(),
            gpu.last_xid(),
            gpu.health(),
            gpu.mig_enabled()
        ),
        (true, 79, Health::Unhealthy, false)
    );
    assert_eq!(gpu.node().name(), "gpu-node-1");

    let other = view.node(1).unwrap();
    assert_eq!(
        (other.health(), other.stale(), other.telemetry_age_ms()),
        (Health::Degraded, true, 45_000)
    );
    assert!(view.node(2).is_none());
}

#[test]
fn children_are_the_rows_of_their_parent() {
    let snapshot = cluster();
    let view = SnapshotView::new(&snapshot);
    let gpus: Vec<u32> = view.nodes().map(|node| node.gpus().len() as u32).collect();
    assert_eq!(gpus, [2, 0]);
    assert_eq!(view.node(1).unwrap().labels().len(), 0);

    let partitioned = view.node(0).unwrap().gpus().nth(1).unwrap();
    let mig: Vec<(&str, u32, u8, u8)> = partitioned
        .mig_instances()
        .map(|mig| {
            (
                mig.profile(),
                mig.instance_id(),
                mig.placement_start(),
                mig.placement_size(),
            )
        })
        .collect();
    assert_eq!(mig, [("3g.40gb", 1, 0, 4), ("1g.10gb", 7, 6, 1)]);
    assert!(
        partitioned
            .mig_instances()
            .all(|mig| mig.gpu().row() == partitioned.row())
    );
    assert_eq!(view.gpus().next().unwrap().mig_instances().len(), 0);

    let groups: Vec<usize> = view
        .instance_groups()
        .map(|group| group.instances().len())
        .collect();
    assert_eq!(groups, [2, 0]);
}

#[test]
fn members_round_trip_through_their_pool() {
    let snapshot = cluster();
    let view = SnapshotView::new(&snapshot);
    let pool = view.pool_by_name("mlPool").unwrap();
    assert_eq!(
        (pool.partition(), pool.load_balancing_mode()),
        ("Common", "ratio-member")
    );

    let members: Vec<MemberView<'_>> = pool.members().collect();
    assert_eq!(members.len(), 2);
    let first = members[0];
    assert_eq!(
        (first.row(), first.name(), first.address(), first.port()),
        (0, "gpu-node-1:8080", "10.0.0.1", 8080)
    );
    assert_eq!(
        (first.ratio(), first.state(), first.availability()),
        (40, MemberState::Enabled, Availability::Available)
    );
    assert_eq!(
        (first.current_connections(), first.connection_limit()),
        (12, 0)
    );
    assert_eq!(first.node().map(|node| node.name()), Some("gpu-node-1"));
    assert_eq!(first.pool().name(), "mlPool");
    assert_eq!(members[1].connection_limit(), 100);
    assert_eq!(
        view.member(1).map(|member| member.name()),
        Some("orphan:8080")
    );
}

#[test]
fn absent_values_read_as_absent() {
    let snapshot = cluster();
    let view = SnapshotView::new(&snapshot);
    assert!(view.member(1).unwrap().node().is_none());

    let unreported = view.node(0).unwrap().gpus().nth(1).unwrap();
    assert!(unreported.utilization().is_nan());
    assert!(unreported.temperature_c().is_nan());
    assert_eq!(unreported.uuid(), None);

    let group = view.instance_group(0).unwrap();
    assert_eq!(
        (group.backend_service(), group.capacity_scaler()),
        (Some("ml-backend"), 0.5)
    );
    let standalone = view.instance_group(1).unwrap();
    assert_eq!(standalone.backend_service(), None);
    assert!(standalone.capacity_scaler().is_nan());

    let instances: Vec<InstanceView<'_>> = group.instances().collect();
    assert_eq!(
        instances[0].node().map(|node| node.name()),
        Some("gpu-node-1")
    );
    assert_eq!(instances[0].last_error(), None);
    assert_eq!(instances[1].node().map(|node| node.row()), None);
    assert_eq!(
        instances[1].last_error(),
        Some("ZONE_RESOURCE_POOL_EXHAUSTED")
    );
    assert_eq!(
        (
            instances[1].status(),
            instances[1].action(),
            instances[1].serving()
        ),
        (InstanceStatus::Absent, InstanceAction::Creating, false)
    );
    assert_eq!(instances[1].group().name(), "tf-instance-group-manager");

    assert_eq!(view.optional_string(NONE), None);
    assert_eq!(view.string(NONE), "");
    assert_eq!(view.optional_string(10_000), None);
}

#[test]
fn unknown_codes_read_as_the_safe_case_and_nonzero_bytes_as_true() {
    let mut snapshot = cluster();
    snapshot.nodes.health[0] = 4;
    snapshot.nodes.stale[0] = 2;
    snapshot.gpus.health[0] = u8::MAX;
    snapshot.gpus.throttled[1] = 0x80;
    snapshot.gpus.mig_enabled[0] = 7;
    snapshot.members.state[0] = 3;
    snapshot.members.availability[0] = 3;
    snapshot.instances.status[0] = 9;
    snapshot.instances.action[0] = 9;
    snapshot.instances.serving[1] = 255;
    let view = SnapshotView::new(&snapshot);

    let node = view.node(0).unwrap();
    assert_eq!((node.health(), node.stale()), (Health::Unknown, true));
    let gpus: Vec<GpuView<'_>> = node.gpus().collect();
    assert_eq!(
        (gpus[0].health(), gpus[0].mig_enabled(), gpus[1].throttled()),
        (Health::Unknown, true, true)
    );
    let member = view.member(0).unwrap();
    assert_eq!(
        (member.state(), member.availability()),
        (MemberState::ForcedOffline, Availability::Unknown)
    );
    let instances: Vec<InstanceView<'_>> = view.instance_group(0).unwrap().instances().collect();
    assert_eq!(
        (instances[0].status(), instances[0].action()),
        (InstanceStatus::Absent, InstanceAction::None)
    );
    assert!(instances[1].serving());
}

#[test]
fn malformed_start_columns_give_empty_children_not_panics() {
    let mut snapshot = cluster();
    snapshot.nodes.gpu_start = column::pack([5u32, 1]);
    let view = SnapshotView::new(&snapshot);
    assert_eq!(view.node(0).unwrap().gpus().len(), 0);
    assert_eq!(children(&column::pack([0u32, 2]), 7, 4), 4..4);
}
