use std::path::Path;

use super::*;

const SMALL: &str = r#"
name = "small"
[run]
cycle = "10s"
duration = "30m"
[load.synthetic]
rate = 4.0
prompt_tokens = 1000
output_tokens = 200
tokens = "exponential"
[[load.synthetic.bursts]]
at = "10m"
duration = "2m"
factor = 3
[[fleet.nodes]]
count = 2
gpu = "H100"
[[fleet.nodes]]
gpu = "A100-40"
gpus = 4
cooling = "poor"
[[fleet.nodes]]
gpu = "H100"
mig = ["3g.40gb", "3g.40gb"]
[group]
initial = 2
max = 4
boot = "3m"
stockouts = [{ from = "5m", until = "8m" }]
[[faults]]
at = "12m"
node = "ml-node-3"
xid = 79
gpu = 1
recover_after = "4m"
[[faults]]
at = "20m"
node = "ml-node-1"
lost = true
[guard]
scale_in_stabilization_secs = 120
[policies.gpu-weighting]
settings = { smoothing = 0.2 }
priority = 5
"#;

fn parse(text: &str) -> Result<Scenario, Vec<String>> {
    resolve(text, Path::new("/scenarios"))
}

#[test]
fn a_full_scenario_resolves() {
    let s = parse(SMALL).unwrap();
    assert_eq!(s.name, "small");
    assert_eq!((s.cycle_s, s.duration_s), (10.0, Some(1_800.0)));
    assert_eq!(s.slot_classes(), vec![0, 0, 1, 2]);
    assert_eq!(s.fleet[1].cooling, Cooling::Poor);
    assert_eq!(s.fleet[1].gpus, 4);
    let mig = s.fleet[2].mig.as_ref().unwrap();
    assert_eq!(mig.len(), 2);
    assert_eq!((mig[0].start, mig[1].start), (0, 4));
    let group = s.group.as_ref().unwrap();
    assert_eq!(
        (group.initial, group.min, group.max, group.boot_s),
        (2, 1, 4, 180.0)
    );
    assert_eq!(group.stockouts, vec![(300.0, 480.0)]);
    assert_eq!(s.faults.len(), 2);
    assert_eq!(s.faults[0].slot, 2);
    assert_eq!(
        s.faults[0].kind,
        FaultKind::Xid {
            gpu: 1,
            xid: 79,
            recover_s: Some(240.0)
        }
    );
    assert_eq!(s.faults[1].kind, FaultKind::Lost);
    assert_eq!(
        s.guard.scale_in_stabilization,
        std::time::Duration::from_secs(120)
    );
    let policy = &s.policies["gpu-weighting"];
    assert_eq!(policy.priority, 5);
    assert_eq!(policy.settings["smoothing"], 0.2);
    let Load::Synthetic(load) = &s.load else {
        panic!("synthetic")
    };
    assert_eq!(load.bursts.len(), 1);
    assert_eq!(load.output, Tokens::Exponential(200.0));
}

#[test]
fn a_trace_is_relative_to_the_file() {
    let text = "[load]\ntrace = \"traces/t.csv\"\nscale = 2.5\n[[fleet.nodes]]\ngpu = \"H200\"\n";
    let s = parse(text).unwrap();
    assert_eq!(
        s.load,
        Load::Trace {
            path: Path::new("/scenarios/traces/t.csv").to_owned(),
            scale: 2.5,
            jitter_s: 1.0
        }
    );
    assert!(s.group.is_none() && s.duration_s.is_none());
}

#[test]
fn every_problem_is_reported_with_its_line() {
    let text = r#"[run]
cycle = "soon"
[slo]
attainment = 1.5
[load.synthetic]
rate = -1.0
prompt_tokens = 10
output_tokens = 10
[[fleet.nodes]]
gpu = "V100"
[[fleet.nodes]]
gpu = "H100"
mig = ["1g.10gb"]
cooling = "icy"
[group]
max = 9
[[faults]]
at = "1m"
node = "ml-node-7"
xid = 79
"#;
    let problems = parse(text).unwrap_err();
    let expected = [
        "run.cycle (line 2): \"soon\" is not a duration",
        "slo.attainment (line 4): 1.5 is out of range",
        "run.duration (line 5): synthetic load needs run.duration",
        "load.synthetic.rate (line 6): -1 is out of range",
        "fleet.nodes[0].gpu (line 10): unknown GPU \"V100\"",
        "fleet.nodes[1].cooling (line 14): \"icy\"",
        "fleet.nodes[1].mig (line 13): a 1g.10gb instance of H100",
        "group.max (line 16): 9 is more than the fleet's 2 nodes",
        "faults[0].node (line 19): no node \"ml-node-7\"",
    ];
    for want in expected {
        assert!(
            problems.iter().any(|p| p.starts_with(want)),
            "missing {want:?} in {problems:#?}"
        );
    }
    assert_eq!(problems.len(), expected.len(), "{problems:#?}");
}

#[test]
fn unknown_keys_are_refused_with_their_line() {
    let problems = parse("[load]\ntrace = \"t.csv\"\n[[fleet.nodes]]\ngpu = \"H100\"\nfans = 3\n")
        .unwrap_err();
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].contains("line 5") && problems[0].contains("unknown field `fans`"),
        "{problems:?}"
    );
}
