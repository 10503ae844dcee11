//! The node agent against the fleet's MIG state: seeding, idle-only
//! acceptance, the reconfiguration delay, failure when load returns, and
//! repeated requests.

use super::*;

const H100: &str = "NVIDIA H100 80GB HBM3";

fn agent() -> MigAgent {
    MigAgent::new([
        ("ml-node-1", GpuKind::H100Sxm80, 8),
        ("ml-node-3", GpuKind::A100Sxm40, 8),
    ])
}

fn request(gpus: &[u32], layout: &[(&str, u32)]) -> MigRequest {
    MigRequest {
        node: "ml-node-1".into(),
        gpus: gpus.to_vec(),
        model: H100.into(),
        profiles: layout.iter().map(|&(p, n)| (p.to_owned(), n)).collect(),
    }
}

fn profiles(agent: &MigAgent, gpu: usize) -> Option<Vec<&'static str>> {
    agent.instances(0)[gpu]
        .as_ref()
        .map(|i| i.iter().map(|i| i.profile).collect())
}

#[test]
fn the_first_nodes_first_four_h100s_start_with_one_whole_gpu_instance() {
    let agent = agent();
    for gpu in 0..4 {
        assert_eq!(profiles(&agent, gpu), Some(vec!["7g.80gb"]));
    }
    assert_eq!(profiles(&agent, 4), None);
    assert!(agent.instances(1).iter().all(Option::is_none), "A100 node");
    let whole = agent.instances(0)[0].clone().unwrap()[0].clone();
    assert_eq!((whole.start, whole.size), (0, 8));
}

#[test]
fn instance_activity_follows_the_gpus() {
    let agent = agent();
    agent.advance(|_, _| 0.6);
    let instance = agent.instances(0)[0].clone().unwrap()[0].clone();
    assert!(instance.utilization > 0.4 && instance.utilization <= 1.0);
    assert!(instance.memory_used_mib > 0.1 * instance.memory_total_mib);
}

#[test]
fn an_idle_gpu_is_reconfigured_after_the_delay() {
    let agent = agent();
    agent.set_reconfigure_steps(2);
    let small = request(&[1], &[("1g.10gb", 7)]);
    agent.request(&small).unwrap();
    assert!(matches!(agent.status(&small), Ok(ApplyStatus::Pending(_))));
    agent.advance(|_, _| 0.0);
    assert!(matches!(agent.status(&small), Ok(ApplyStatus::Pending(_))));
    assert_eq!(profiles(&agent, 1), Some(vec!["7g.80gb"]), "not yet");
    agent.advance(|_, _| 0.0);
    assert_eq!(agent.status(&small), Ok(ApplyStatus::Success));
    let instances = agent.instances(0)[1].clone().unwrap();
    assert_eq!(instances.len(), 7);
    let starts: Vec<u8> = instances.iter().map(|i| i.start).collect();
    assert_eq!(starts, vec![0, 1, 2, 3, 4, 5, 6]);
    assert_eq!(
        profiles(&agent, 0),
        Some(vec!["7g.80gb"]),
        "other GPUs untouched"
    );
    agent.request(&small).unwrap();
    assert_eq!(
        agent.status(&small),
        Ok(ApplyStatus::Success),
        "applied once"
    );
}

#[test]
fn a_busy_gpu_is_refused() {
    let agent = agent();
    agent.advance(|_, gpu| if gpu == 2 { 0.4 } else { 0.0 });
    let err = agent
        .request(&request(&[1, 2], &[("3g.40gb", 2)]))
        .unwrap_err();
    assert!(matches!(err, AgentError::Busy { gpu: 2, .. }), "{err}");
    assert!(
        err.to_string().contains("ml-node-1, GPU 2: in use"),
        "{err}"
    );
    assert!(
        agent.lock().nodes[0].gpus[1].change.is_none(),
        "nothing starts when one GPU is busy"
    );
}

#[test]
fn load_returning_mid_reconfiguration_fails_it_and_keeps_the_old_layout() {
    let agent = agent();
    agent.set_reconfigure_steps(3);
    let small = request(&[0], &[("1g.10gb", 7)]);
    agent.request(&small).unwrap();
    agent.advance(|_, _| 0.0);
    agent.advance(|_, _| 0.5);
    match agent.status(&small) {
        Ok(ApplyStatus::Failed(why)) => assert!(why.contains("in use"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(profiles(&agent, 0), Some(vec!["7g.80gb"]));
}

#[test]
fn wrong_node_gpu_or_model_is_refused_by_name() {
    let agent = agent();
    let mut other = request(&[0], &[("1g.10gb", 1)]);
    other.node = "ml-node-9".into();
    assert!(
        agent
            .request(&other)
            .unwrap_err()
            .to_string()
            .contains("ml-node-9")
    );
    let err = agent
        .request(&request(&[8], &[("1g.10gb", 1)]))
        .unwrap_err();
    assert_eq!(
        err,
        AgentError::NoGpu {
            node: "ml-node-1".into(),
            gpu: 8
        }
    );
    let mut a100 = request(&[0], &[("1g.5gb", 1)]);
    a100.model = "NVIDIA A100-SXM4-40GB".into();
    assert!(matches!(
        agent.request(&a100),
        Err(AgentError::Model { .. })
    ));
}

#[test]
fn disabling_mig_turns_the_mode_off() {
    let agent = agent();
    agent.set_reconfigure_steps(0);
    let off = request(&[3], &[]);
    agent.request(&off).unwrap();
    assert_eq!(profiles(&agent, 3), None);
    assert_eq!(agent.status(&off), Ok(ApplyStatus::Success));
}

#[test]
fn the_scrape_path_carries_the_fleets_mig_instances() {
    use std::sync::Arc;

    use crate::model::SnapshotBuilder;
    use crate::sim::{Fleet, FleetConfig};
    use crate::sources::{NodeIdentity, NodeReadings, NodeTelemetry};

    let mut fleet = Fleet::new(FleetConfig::default(), 0);
    fleet.mig_agent().set_reconfigure_steps(0);
    fleet
        .mig_agent()
        .request(&request(&[1], &[("1g.10gb", 3), ("3g.40gb", 1)]))
        .unwrap();
    fleet.advance();
    let text = fleet.dcgm_metrics(0).unwrap();
    let scrape = crate::sources::dcgm::parse_scrape("sim", &text).unwrap();
    assert!(scrape.warnings.is_empty(), "{:?}", scrape.warnings);
    let telemetry = NodeTelemetry {
        source: Some(0),
        readings: Some(Arc::new(NodeReadings {
            target: "sim".into(),
            read_at_ms: 0,
            gpus: scrape.gpus,
            mig_instances: scrape.mig_instances,
            mig_devices: Vec::new(),
            warnings: Vec::new(),
        })),
        age_ms: 0,
        stale: false,
    };
    let identity = NodeIdentity {
        name: "ml-node-1".into(),
        address: "127.0.1.1".into(),
        hostname: None,
    };
    let mut builder = SnapshotBuilder::new();
    telemetry.add_to(&mut builder, &identity, &[]);
    let scraped = builder.build(1, 0);
    let direct = fleet.snapshot(1);
    let rows = direct.node_gpus(0);
    assert_eq!(scraped.gpus.mig_enabled, direct.gpus.mig_enabled[rows]);
    assert_eq!(scraped.gpus.mig_start[..8], direct.gpus.mig_start[..8]);
    let (a, b) = (&scraped.mig_instances, &direct.mig_instances);
    let on_node_0 = a.gpu.len();
    assert_eq!(
        on_node_0,
        4 - 1 + 4,
        "three 7g GPUs and GPU 1's four instances"
    );
    assert_eq!(a.gpu, b.gpu[..on_node_0]);
    assert_eq!(a.instance_id, b.instance_id[..on_node_0]);
    assert_eq!(a.placement_start, b.placement_start[..on_node_0]);
    assert_eq!(a.placement_size, b.placement_size[..on_node_0]);
    for row in 0..on_node_0 {
        assert_eq!(
            scraped.string(a.profile[row]),
            direct.string(b.profile[row])
        );
        assert!((a.utilization[row] - b.utilization[row]).abs() < 1e-6);
        assert_eq!(a.memory_used_mib[row], b.memory_used_mib[row]);
    }
}
