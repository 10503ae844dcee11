//! The fleet's lifecycle: a group's instances boot (later past a stockout),
//! leave the pool when it shrinks and drain first, a lost node is noticed by
//! its monitor and recreated, and requests follow the members' ratios.

use std::path::Path;

use super::*;
use crate::simulate::scenario::Scenario;

fn scenario(extra: &str) -> Scenario {
    let text = format!(
        "[run]\nduration = \"30m\"\n[load.synthetic]\nrate = 1.0\nprompt_tokens = 100\noutput_tokens = 10\n\
         [[fleet.nodes]]\ncount = 4\ngpu = \"H100\"\ngpus = 2\n{extra}"
    );
    Scenario::parse(&text, Path::new(".")).unwrap()
}

fn jobs(from: f64, to: f64, rate: f64) -> Vec<Job> {
    let n = ((to - from) * rate) as usize;
    (0..n)
        .map(|i| Job::new(from + i as f64 / rate, 500, 20))
        .collect()
}

#[test]
fn a_group_grows_after_its_boot_time_and_past_a_stockout() {
    let s = scenario(
        "[group]\ninitial = 1\nboot = \"2m\"\nstockouts = [{ from = \"5m\", until = \"9m\" }]\n",
    );
    let mut fleet = Fleet::new(&s, 1);
    let mut metrics = Metrics::new(2.0);
    assert_eq!(fleet.sizes(), (1, 1));
    assert!(fleet.resize(2, 60.0));
    assert!(matches!(fleet.slots[1].life, Life::Creating { ready_s, .. } if ready_s == 180.0));
    assert_eq!(fleet.slots[1].availability(100.0), Availability::Offline);
    assert_eq!(fleet.next_change(60.0), 180.0);
    fleet.change(180.0, &mut metrics);
    assert_eq!(fleet.sizes(), (2, 2));
    // Created in the stockout: the VM comes when capacity does.
    fleet.resize(3, 360.0);
    assert!(
        matches!(fleet.slots[2].life, Life::Creating { ready_s, .. } if ready_s == 540.0 + 120.0)
    );
}

#[test]
fn a_shrinking_group_drains_what_it_removes() {
    let s = scenario("[group]\ninitial = 2\n");
    let mut fleet = Fleet::new(&s, 1);
    let mut metrics = Metrics::new(2.0);
    fleet.advance(0.0, 10.0, &jobs(0.0, 10.0, 4.0), &mut metrics);
    fleet.resize(1, 10.0);
    assert_eq!(fleet.slots[1].life, Life::Draining);
    assert!(fleet.slots[1].member.is_none());
    fleet.advance(10.0, 20.0, &jobs(10.0, 20.0, 4.0), &mut metrics);
    // Gone at the first change after it drained: paid for until then.
    fleet.change(20.0, &mut metrics);
    assert_eq!(fleet.slots[1].life, Life::Absent);
    fleet.advance(20.0, 120.0, &[], &mut metrics);
    assert_eq!(metrics.failed, 0);
    assert_eq!(metrics.served, 80);
    assert_eq!(fleet.instance_s, 2.0 * 20.0 + 100.0);
}

#[test]
fn a_lost_node_is_noticed_by_its_monitor_and_recreated_by_its_group() {
    let s = scenario(
        "[group]\ninitial = 2\nboot = \"1m\"\n[[faults]]\nat = \"1m\"\nnode = \"ml-node-1\"\nlost = true\n",
    );
    let mut fleet = Fleet::new(&s, 1);
    let mut metrics = Metrics::new(2.0);
    assert_eq!(fleet.next_change(0.0), 60.0);
    fleet.advance(0.0, 60.0, &jobs(0.0, 60.0, 2.0), &mut metrics);
    fleet.change(60.0, &mut metrics);
    assert!(matches!(fleet.slots[0].life, Life::Lost { detected_s, .. } if detected_s == 76.0));
    assert_eq!(fleet.slots[0].availability(70.0), Availability::Available);
    // Until the monitor notices, half the requests still go there and are lost.
    fleet.advance(60.0, 76.0, &jobs(60.0, 76.0, 2.0), &mut metrics);
    assert!(metrics.failed >= 15, "{}", metrics.failed);
    fleet.change(76.0, &mut metrics);
    assert!(matches!(fleet.slots[0].life, Life::Creating { ready_s, .. } if ready_s == 136.0));
    fleet.change(136.0, &mut metrics);
    assert_eq!(fleet.slots[0].life, Life::Serving);
}

#[test]
fn requests_follow_the_ratios_and_a_disabled_member_gets_none() {
    let s = scenario("");
    let mut fleet = Fleet::new(&s, 2);
    assert!(fleet.set_ratio("ml-node-1:80", 30));
    assert!(fleet.set_ratio("ml-node-2:80", 10));
    assert!(fleet.set_state("ml-node-3:80", MemberState::Disabled));
    assert!(fleet.set_state("ml-node-4:80", MemberState::ForcedOffline));
    assert!(!fleet.set_ratio("ml-node-9:80", 1));
    let mut metrics = Metrics::new(2.0);
    fleet.advance(0.0, 100.0, &jobs(0.0, 90.0, 4.0), &mut metrics);
    let served: Vec<u64> = fleet
        .slots
        .iter_mut()
        .map(|s| {
            let node = s.node.as_mut().unwrap();
            node.read_busy(100.0);
            (node.gpus.iter().map(|g| g.busy[0]).sum::<f64>() * 1e6) as u64
        })
        .collect();
    assert!(served[0] > 2 * served[1], "{served:?}");
    assert_eq!((served[2], served[3]), (0, 0));
    assert_eq!(metrics.served, 360);
}
