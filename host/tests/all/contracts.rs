//! Both contract versions the host loads: a policy built against the
//! previous one, `fulcrum:policy@0.2.0`, still reads the snapshot intact,
//! decides, and uses state; `host check` names the contract each policy
//! targets and says why 0.2.0 is deprecated.

use fulcrum_host::model::{
    Action, Availability, GpuSample, Health, MemberSample, MemberState, NodeSample, Snapshot,
    SnapshotBuilder,
};
use fulcrum_host::runtime::{Contract, EngineConfig, PolicyEngine, PolicySpec, PolicyState};
use fulcrum_plugin_artifacts as artifacts;

use crate::common::host_ok;

fn gpu(uuid: &'static str, utilization: f32, last_xid: u32) -> GpuSample<'static> {
    GpuSample {
        index: 0,
        uuid,
        model: "NVIDIA H100 80GB HBM3",
        utilization,
        tensor_activity: 0.5,
        memory_used_mib: 1024.0,
        memory_total_mib: 81_559.0,
        temperature_c: 60.0,
        power_w: 300.0,
        power_limit_w: 700.0,
        throttled: false,
        last_xid,
        health: Health::Healthy,
        mig: None,
    }
}

fn member(
    name: &'static str,
    address: &'static str,
    port: u16,
    ratio: u32,
) -> MemberSample<'static> {
    MemberSample {
        name,
        address,
        port,
        ratio,
        state: MemberState::Enabled,
        availability: Availability::Available,
        current_connections: 0,
        connection_limit: 0,
    }
}

/// Two nodes of two GPUs, a pool with a member on each, a signal.
fn snapshot() -> Snapshot {
    let mut builder = SnapshotBuilder::new();
    for (name, address, uuid, xid) in [
        (
            "gpu-1",
            "10.0.0.1",
            "GPU-8a2c6d3e-1111-2222-3333-444455556666",
            0,
        ),
        (
            "gpu-2",
            "10.0.0.2",
            "GPU-0000beef-1111-2222-3333-444455556666",
            79,
        ),
    ] {
        let node = NodeSample {
            name,
            address,
            health: Health::Healthy,
            telemetry_age_ms: 0,
            stale: false,
            labels: &[],
        };
        builder.node(&node, &[gpu(uuid, 0.25, xid), gpu("", 0.5, 0)]);
    }
    builder.pool(
        "mlPool",
        "Common",
        "ratio-member",
        &[
            member("gpu-1:8080", "10.0.0.1", 8080, 10),
            member("gpu-2:9090", "10.0.0.2", 9090, 40),
        ],
    );
    builder.signal("queued", 12.5);
    builder.build(3, 1_767_225_600_000)
}

#[test]
fn a_policy_built_against_0_2_0_reads_the_snapshot_intact_and_decides() {
    let engine = PolicyEngine::new(&EngineConfig {
        cache_dir: None,
        max_instances: 4,
    })
    .unwrap();
    let policy = engine
        .load(&PolicySpec::new(artifacts::CONTRACT_V0_2))
        .unwrap();
    assert_eq!(policy.info().contract, Contract::V0_2);

    let snapshot = snapshot();
    let strings = snapshot.strings.offsets.len() - 1;
    let mut state = PolicyState::default();
    let decisions = policy.evaluate(&snapshot, &mut state).unwrap().decisions;
    let seen: Vec<(Action, &str)> = decisions
        .iter()
        .map(|decision| (decision.action.clone(), decision.reason.as_str()))
        .collect();
    let first = format!(
        "gpu-1:8080 port 8080 node gpu-1 (10.0.0.1): 2 GPUs, utilization 0.75, \
         uuid 8a2c6d3e11112222, xid 0, signal queued=12.5, {strings} strings"
    );
    let second = format!(
        "gpu-2:9090 port 9090 node gpu-2 (10.0.0.2): 2 GPUs, utilization 0.75, \
         uuid 0000beef11112222, xid 79, signal queued=12.5, {strings} strings"
    );
    assert_eq!(
        seen,
        [
            (
                Action::SetMemberRatio {
                    member: 0,
                    ratio: 11
                },
                first.as_str()
            ),
            (
                Action::SetMemberRatio {
                    member: 1,
                    ratio: 41
                },
                second.as_str()
            ),
        ]
    );
    policy.evaluate(&snapshot, &mut state).unwrap();
    assert_eq!(state.get("count"), Some(&2u64.to_le_bytes()[..]));
}

#[test]
fn check_names_the_contract_and_why_0_2_0_is_deprecated() {
    let current = String::from_utf8(host_ok(&["check", artifacts::GPU_WEIGHTING]).stdout).unwrap();
    assert!(
        current.contains("contract   fulcrum:policy@0.3.0\n"),
        "{current}"
    );
    let previous = String::from_utf8(host_ok(&["check", artifacts::CONTRACT_V0_2]).stdout).unwrap();
    assert!(
        previous.contains("contract   fulcrum:policy@0.2.0 (deprecated: ")
            && previous.contains("rebuild against 0.3.0"),
        "{previous}"
    );
    assert!(
        previous.contains("fulcrum:policy/state@0.2.0"),
        "{previous}"
    );
}
