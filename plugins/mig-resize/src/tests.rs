//! The policy on hand-built snapshots.

use fulcrum_sdk::testing::{GpuSample, MemoryHost, MigSample, SnapshotBuilder};
use fulcrum_sdk::{Action, Decision, Health, Level, Policy, SnapshotView};

use crate::MigResize;

const H100: &str = "NVIDIA H100 80GB HBM3";

fn gpu(index: u32, model: &str, utilization: f32, mig: bool) -> GpuSample {
    GpuSample {
        index,
        model: model.into(),
        utilization,
        health: Health::Healthy,
        mig_enabled: mig,
        ..GpuSample::default()
    }
}

fn instance(profile: &str, start: u8, size: u8, utilization: f32) -> MigSample {
    MigSample {
        profile: profile.into(),
        instance_id: u32::from(start) + 1,
        placement_start: start,
        placement_size: size,
        utilization,
        ..MigSample::default()
    }
}

/// Node ml-node-1 with an idle whole-GPU 7g H100 (row 0) and a busy one
/// split 3g+3g (row 1); node ml-node-2 with an idle MIG-off H100 (row 2).
fn fleet(builder: &mut SnapshotBuilder) {
    let node = builder.node("ml-node-1", "127.0.1.1");
    builder.node_health(node, Health::Healthy);
    let idle = builder.gpu(node, gpu(0, H100, 0.01, true));
    builder.mig_instance(idle, instance("7g.80gb", 0, 8, 0.01));
    let busy = builder.gpu(node, gpu(1, H100, 0.6, true));
    builder.mig_instance(busy, instance("3g.40gb", 0, 4, 0.9));
    builder.mig_instance(busy, instance("3g.40gb", 4, 4, 0.3));
    let other = builder.node("ml-node-2", "127.0.1.2");
    builder.node_health(other, Health::Healthy);
    builder.gpu(other, gpu(0, H100, 0.0, false));
}

fn run(settings: &str, builder: &SnapshotBuilder) -> (Vec<Decision>, MemoryHost) {
    let policy = MigResize::configure(settings).unwrap();
    let snapshot = builder.build();
    let mut host = MemoryHost::new();
    let decisions = policy
        .decide(&SnapshotView::new(&snapshot), &mut host)
        .unwrap()
        .to_vec();
    (decisions, host)
}

fn layout(decision: &Decision) -> (u32, Vec<u32>, Vec<(String, u32)>) {
    let Action::SetMigLayout(layout) = &decision.action else {
        panic!("not a MIG layout: {decision:?}");
    };
    let profiles = layout
        .profiles
        .iter()
        .map(|p| (p.profile.clone(), p.count))
        .collect();
    (layout.node, layout.gpus.clone(), profiles)
}

#[test]
fn without_demand_nothing_changes() {
    let mut builder = SnapshotBuilder::new();
    fleet(&mut builder);
    assert!(run("{}", &builder).0.is_empty());
    builder.signal("mig-demand/3g.40gb", 2.0);
    assert!(
        run("{}", &builder).0.is_empty(),
        "2 × 3g.40gb already exist"
    );
}

#[test]
fn demand_reshapes_the_idle_gpu_that_closes_it_and_explains_why() {
    let mut builder = SnapshotBuilder::new();
    fleet(&mut builder);
    builder.signal("mig-demand/1g.10gb", 3.5);
    builder.signal("mig-demand/3g.40gb", 3.0);
    let (decisions, _) = run("{}", &builder);
    assert_eq!(decisions.len(), 1, "{decisions:?}");
    let (node, gpus, profiles) = layout(&decisions[0]);
    // 4 × 1g and 1 × 3g are missing: one GPU closes all of it.
    assert_eq!((node, gpus), (0, vec![0]));
    assert_eq!(
        profiles,
        [("1g.10gb".to_owned(), 4), ("3g.40gb".to_owned(), 1)]
    );
    let reason = &decisions[0].reason;
    for part in [
        "ml-node-1 GPU 0",
        "H100 80GB",
        "1×7g.80gb → 4×1g.10gb + 1×3g.40gb",
        "demand 1g.10gb 4, 3g.40gb 3",
        "missing instances 5 → 0",
    ] {
        assert!(reason.contains(part), "{part:?} not in {reason:?}");
    }
}

#[test]
fn busy_gpus_are_never_reconfigured() {
    let mut builder = SnapshotBuilder::new();
    let node = builder.node("ml-node-1", "127.0.1.1");
    builder.node_health(node, Health::Healthy);
    let busy = builder.gpu(node, gpu(0, H100, 0.02, true));
    // The GPU looks idle but one instance works.
    builder.mig_instance(busy, instance("3g.40gb", 0, 4, 0.0));
    builder.mig_instance(busy, instance("3g.40gb", 4, 4, 0.4));
    builder.gpu(node, gpu(1, H100, f32::NAN, false));
    builder.signal("mig-demand/1g.10gb", 7.0);
    assert!(run("{}", &builder).0.is_empty());
    // With a threshold above its activity it may go.
    let (decisions, _) = run(r#"{"busy_threshold": 0.5}"#, &builder);
    assert_eq!(layout(&decisions[0]).1, vec![0]);
}

#[test]
fn the_fewest_gpus_change() {
    let mut builder = SnapshotBuilder::new();
    fleet(&mut builder);
    builder.signal("mig-demand/2g.20gb", 3.0);
    let (decisions, _) = run(r#"{"max_gpus_per_cycle": 4}"#, &builder);
    assert_eq!(decisions.len(), 1, "{decisions:?}");
    let (_, _, profiles) = layout(&decisions[0]);
    assert_eq!(profiles[0], ("2g.20gb".to_owned(), 3));
    // More than one GPU's worth spreads over two, never the busy one.
    builder.signal("mig-demand/2g.20gb", 5.0);
    let (decisions, _) = run(r#"{"max_gpus_per_cycle": 4}"#, &builder);
    let rows: Vec<Vec<u32>> = decisions.iter().map(|d| layout(d).1).collect();
    assert_eq!(rows, [vec![0], vec![2]]);
}

#[test]
fn nodes_that_are_reconfiguring_stale_or_unhealthy_are_left_alone() {
    for spoil in 0..3 {
        let mut builder = SnapshotBuilder::new();
        let node = builder.node("ml-node-1", "127.0.1.1");
        builder.node_health(node, Health::Healthy);
        match spoil {
            0 => {
                builder.label(node, "nvidia.com/mig.config.state", "pending");
            }
            1 => {
                builder.node_stale(node, true);
            }
            _ => {
                builder.node_health(node, Health::Degraded);
            }
        }
        builder.gpu(node, gpu(0, H100, 0.0, false));
        builder.signal("mig-demand/1g.10gb", 1.0);
        assert!(run("{}", &builder).0.is_empty(), "case {spoil}");
    }
}

#[test]
fn each_model_gets_its_own_profiles_and_bad_signals_are_logged() {
    let mut builder = SnapshotBuilder::new();
    let node = builder.node("ml-node-3", "127.0.1.3");
    builder.node_health(node, Health::Healthy);
    builder.gpu(node, gpu(0, "NVIDIA A100-SXM4-40GB", 0.0, false));
    builder.gpu(node, gpu(1, "Tesla T4", 0.0, false));
    builder.signal("mig-demand/1g.5gb", 2.0);
    builder.signal("mig-demand/9g.1tb", 1.0);
    builder.signal("mig-demand/2g.10gb", f64::NAN);
    builder.signal("queue-depth", 40.0);
    let (decisions, host) = run("{}", &builder);
    let (_, gpus, profiles) = layout(&decisions[0]);
    assert_eq!(gpus, vec![0]);
    assert_eq!(profiles[0].0, "1g.5gb");
    let warnings: Vec<&str> = host.logged(Level::Warn).collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings.iter().any(|w| w.contains("9g.1tb")));
}

#[test]
fn settings_are_validated_with_named_errors() {
    assert!(MigResize::configure("{}").is_ok());
    let error = MigResize::configure(
        r#"{"busy_threshold": 2, "max_gpus_per_cycle": 0, "signal_prefix": ""}"#,
    )
    .unwrap_err();
    for part in [
        "settings.busy_threshold: 2 is out of range",
        "settings.max_gpus_per_cycle: 0 is out of range; expected 1..=64",
        "settings.signal_prefix: empty",
    ] {
        assert!(error.contains(part), "{part:?} not in {error:?}");
    }
    let error = MigResize::configure(r#"{"threshold": 1}"#).unwrap_err();
    assert!(error.contains("unknown field `threshold`"), "{error}");
}
