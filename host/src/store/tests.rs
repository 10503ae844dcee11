//! The store through its public API, and through a real crash: a child
//! process (this test binary, re-run on one ignored test) killed with SIGKILL
//! while it writes.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, UNIX_EPOCH};

use super::*;
use crate::guard::GuardClocks;
use crate::plan::{Change, PlannedChange};
use crate::runtime::{ENTRY_OVERHEAD_BYTES, PolicyState};

fn change(member: &str, to: u32) -> PlannedChange {
    PlannedChange {
        policy: "gpu-weighting".into(),
        reason: "GPU 3 at 91 °C".into(),
        change: Change::MemberRatio {
            pool: "mlPool".into(),
            member: member.into(),
            from: 10,
            to,
        },
    }
}

fn intent(cycle: u64) -> Intent {
    Intent {
        cycle,
        at_ms: cycle * 15_000,
        inputs_digest: format!("{cycle:064x}"),
        planned: vec![change("n1:8080", 20), change("n2:8080", 5)],
        replica: None,
    }
}

fn record(intent: &Intent, failed: Option<&str>) -> AuditRecord {
    AuditRecord {
        cycle: intent.cycle,
        at_ms: intent.at_ms,
        inputs_digest: intent.inputs_digest.clone(),
        outcome: CycleOutcome::Completed,
        policies: vec![PolicyRecord {
            policy: "gpu-weighting".into(),
            shadow: false,
            decisions: vec![DecisionRecord {
                target: Some("pool mlPool member n1:8080".into()),
                action: "ratio 20".into(),
                reason: "GPU 3 at 91 °C".into(),
            }],
            error: None,
        }],
        rejections: vec![RejectionRecord {
            policy: "queue-scaling".into(),
            target: Some("group tf-ig (us-central1-a)".into()),
            action: "size 2".into(),
            rule: "stabilization".into(),
            detail: "scale-in 4 → 2 held".into(),
        }],
        held_back: vec![HeldBackRecord {
            policy: "gpu-weighting".into(),
            target: "pool mlPool member n2:8080".into(),
            rule: "step-limit".into(),
            detail: "ratio 1 → 84 limited to a step of 10: 11".into(),
        }],
        planned: Vec::new(),
        applied: intent
            .planned
            .iter()
            .enumerate()
            .map(|(i, c)| AppliedRecord {
                change: c.clone(),
                error: (i == 1)
                    .then(|| failed.unwrap_or_default().to_owned())
                    .filter(|e| !e.is_empty()),
            })
            .collect(),
        errors: vec![],
        shadows: Vec::new(),
        replica: None,
    }
}

fn state(pairs: &[(&str, &[u8])]) -> PolicyState {
    PolicyState::from_entries(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_vec()))
            .collect(),
    )
}

/// Run one cycle the way the engine does: intent, apply, complete.
fn run_cycle(store: &Store, cycle: u64, policy_state: &PolicyState, clocks: &GuardClocks) {
    let intent = intent(cycle);
    let policies = [("gpu-weighting", policy_state)];
    let cycle_state = CycleState {
        policies: &policies,
        clocks: Some(clocks),
    };
    store.write_intent(&intent, &cycle_state).unwrap();
    store
        .complete_cycle(&record(&intent, None), None, &cycle_state)
        .unwrap();
}

#[test]
fn a_cycle_round_trips_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fulcrum.redb");
    let clocks: GuardClocks = serde_json::from_str(
        r#"{"groups":{"z/g":{"observed_since_ms":0,"recommendations":[{"at_ms":0,"size":4}],
            "last_scale_out_ms":null,"last_scale_in_ms":5}}}"#,
    )
    .unwrap();
    {
        let store = Store::open(&path).unwrap();
        assert_eq!(store.next_cycle().unwrap(), 1);
        assert_eq!(store.load_clocks().unwrap(), GuardClocks::default());
        run_cycle(&store, 1, &state(&[("a", b"1"), ("b", b"2")]), &clocks);
        // The next cycle drops key b: it is gone from the store too.
        let intent = intent(2);
        let next = state(&[("a", b"3")]);
        let policies = [("gpu-weighting", &next)];
        let cycle_state = CycleState {
            policies: &policies,
            clocks: None,
        };
        store.write_intent(&intent, &cycle_state).unwrap();
        store
            .complete_cycle(
                &record(&intent, Some("HTTP 503 from the device")),
                None,
                &cycle_state,
            )
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.next_cycle().unwrap(), 3);
    assert_eq!(
        store.load_policy_state("gpu-weighting").unwrap(),
        state(&[("a", b"3")])
    );
    assert_eq!(
        store.load_policy_state("other").unwrap(),
        PolicyState::default()
    );
    assert_eq!(store.load_clocks().unwrap(), clocks);
    assert!(store.incomplete_intents().unwrap().is_empty());
    let audit = store.audit_since(None).unwrap();
    assert_eq!(
        audit,
        vec![
            record(&intent(1), None),
            record(&intent(2), Some("HTTP 503 from the device"))
        ]
    );
    // n2 failed in cycle 2, so its last applied value is still cycle 1's.
    let last = store.last_applied().unwrap();
    assert_eq!(last["member-ratio mlPool/n1:8080"].cycle, 2);
    assert_eq!(last["member-ratio mlPool/n2:8080"].cycle, 1);
}

#[test]
fn the_audit_log_is_append_only_and_filtered_by_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("fulcrum.redb")).unwrap();
    for cycle in 1..=4 {
        run_cycle(
            &store,
            cycle,
            &PolicyState::default(),
            &GuardClocks::default(),
        );
    }
    let err = store
        .complete_cycle(
            &record(&intent(2), None),
            None,
            &CycleState {
                policies: &[],
                clocks: None,
            },
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("the audit log already holds cycle 2; it is append-only"),
        "{err}"
    );
    let cycles: Vec<u64> = store
        .audit_since(Some(45_000))
        .unwrap()
        .iter()
        .map(|r| r.cycle)
        .collect();
    assert_eq!(cycles, vec![3, 4]);
    assert_eq!(store.audit_since(Some(u64::MAX)).unwrap(), vec![]);
}

#[test]
fn a_recorded_cycle_reads_back_exactly_and_ages_with_its_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fulcrum.redb");
    let store = Store::open(&path)
        .unwrap()
        .with_audit_retention(Duration::from_secs(40));
    let snapshot = many_nodes();
    let rails = crate::guard::GuardRails {
        min_enabled_members: 3,
        ..Default::default()
    };
    let inputs = RecordedInputs::new(&serde_json::to_vec(&snapshot).unwrap(), &rails);
    // Compressed: a fraction of the snapshot's JSON.
    assert!(inputs.packed.len() * 4 < serde_json::to_vec(&snapshot).unwrap().len());
    let policies = [("gpu-weighting", &PolicyState::default())];
    let state = CycleState {
        policies: &policies,
        clocks: None,
    };
    store
        .complete_cycle(&record(&intent(1), None), Some(&inputs), &state)
        .unwrap();
    store
        .complete_cycle(&record(&intent(2), None), None, &state)
        .unwrap();

    // Read back by a reader beside the running store, exactly as decided from.
    let reader = AuditReader::open(&path).unwrap();
    let recorded = reader.recording(1).unwrap().expect("cycle 1 was recorded");
    assert_eq!(recorded.snapshot, snapshot);
    assert_eq!(recorded.rails, rails);
    assert!(reader.recording(2).unwrap().is_none());

    // Cycle 1 (at 15 s) ages out with its record when cycle 4 (at 60 s) lands.
    for cycle in 3..=4 {
        store
            .complete_cycle(&record(&intent(cycle), None), None, &state)
            .unwrap();
    }
    assert_eq!(audited(&store), [2, 3, 4]);
    assert!(store.recording(1).unwrap().is_none());
}

#[test]
fn records_past_the_retention_are_dropped_as_new_ones_are_appended() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fulcrum.redb");
    let (policy_state, clocks) = (PolicyState::default(), GuardClocks::default());
    // Cycle N is at N × 15 s; forty seconds keep the newest record and the
    // two before it.
    let store = Store::open(&path)
        .unwrap()
        .with_audit_retention(Duration::from_secs(40));
    for cycle in 1..=6 {
        run_cycle(&store, cycle, &policy_state, &clocks);
    }
    assert_eq!(audited(&store), [4, 5, 6]);
    assert_eq!(store.next_cycle().unwrap(), 7);
    drop(store);

    // Without a retention nothing is dropped; a backlog found later is
    // worked off a bounded number of records per commit.
    let store = Store::open(&path).unwrap();
    for cycle in 7..=100 {
        run_cycle(&store, cycle, &policy_state, &clocks);
    }
    assert_eq!(audited(&store), (4..=100).collect::<Vec<_>>());
    drop(store);
    let store = Store::open(&path)
        .unwrap()
        .with_audit_retention(Duration::from_millis(1));
    run_cycle(&store, 101, &policy_state, &clocks);
    let left = audited(&store);
    assert_eq!(left.len(), 101 - 3 - PRUNE_PER_COMMIT);
    assert_eq!(left.first(), Some(&(4 + PRUNE_PER_COMMIT as u64)));
    run_cycle(&store, 102, &policy_state, &clocks);
    assert_eq!(audited(&store), [102]);
}

#[test]
fn large_records_are_stored_compressed_and_read_and_aged_like_any_other() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("fulcrum.redb"))
        .unwrap()
        .with_audit_retention(Duration::from_secs(40));
    let state = CycleState {
        policies: &[],
        clocks: None,
    };
    let large = |cycle: u64| {
        let mut intent = intent(cycle);
        intent.planned = (0..500)
            .map(|n| change(&format!("ml-node-{n}:80"), n))
            .collect();
        let record = record(&intent, None);
        (intent, record)
    };
    for cycle in 1..=4 {
        let (intent, record) = large(cycle);
        store.write_intent(&intent, &state).unwrap();
        store.complete_cycle(&record, None, &state).unwrap();
    }
    let stored = store.db.begin_read().unwrap();
    let audit = stored.open_table(AUDIT).unwrap();
    let bytes = audit.get(4).unwrap().unwrap().value().to_vec();
    let json = encode(&large(4).1);
    assert!(
        bytes.len() * 4 < json.len(),
        "{} bytes stored for {} of JSON",
        bytes.len(),
        json.len()
    );
    // Cycle 1 (at 15 s) aged past the 40 s retention when cycle 4 (at
    // 60 s) was appended; the rest read back whole.
    assert_eq!(audited(&store), [2, 3, 4]);
    let mut out = Vec::new();
    print_audit(&store, None, true, UNIX_EPOCH, &mut out).unwrap();
    let read: Vec<AuditRecord> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(read, [large(2).1, large(3).1, large(4).1]);
}

#[test]
fn an_interrupted_cycle_is_listed_then_closed_into_the_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("fulcrum.redb")).unwrap();
    run_cycle(&store, 1, &PolicyState::default(), &GuardClocks::default());
    store
        .write_intent(
            &intent(2),
            &CycleState {
                policies: &[],
                clocks: None,
            },
        )
        .unwrap();
    assert_eq!(store.incomplete_intents().unwrap(), vec![intent(2)]);
    assert_eq!(store.next_cycle().unwrap(), 3);
    store
        .close_interrupted(
            &intent(2),
            "host stopped while applying; observed state re-read in cycle 3",
        )
        .unwrap();
    assert!(store.incomplete_intents().unwrap().is_empty());
    let last = store.audit_since(None).unwrap().pop().unwrap();
    assert_eq!(last.outcome, CycleOutcome::Interrupted);
    assert_eq!(last.planned, intent(2).planned);
}

#[test]
fn a_cycles_changes_are_read_once_whichever_version_wrote_the_record() {
    let completed = record(&intent(2), None);
    assert!(completed.planned.is_empty(), "listed once, under applied");
    let earlier = AuditRecord {
        planned: intent(2).planned,
        ..completed.clone()
    };
    let interrupted = AuditRecord {
        outcome: CycleOutcome::Interrupted,
        planned: intent(2).planned,
        applied: Vec::new(),
        ..completed.clone()
    };
    for record in [completed, earlier, interrupted] {
        let changes: Vec<PlannedChange> = record.planned_changes().cloned().collect();
        assert_eq!(changes, intent(2).planned, "{:?}", record.outcome);
    }
}

#[test]
fn a_second_process_cannot_open_the_same_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fulcrum.redb");
    let _first = Store::open(&path).unwrap();
    let err = Store::open(&path).err().unwrap().to_string();
    assert!(
        err.starts_with(&format!("{}: cannot open the state store", path.display())),
        "{err}"
    );
}

#[test]
fn records_render_for_people_and_as_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("fulcrum.redb")).unwrap();
    run_cycle(&store, 1, &PolicyState::default(), &GuardClocks::default());
    let intent2 = intent(2);
    store
        .complete_cycle(
            &record(&intent2, Some("HTTP 503")),
            None,
            &CycleState {
                policies: &[],
                clocks: None,
            },
        )
        .unwrap();
    let now = UNIX_EPOCH + Duration::from_secs(60);
    let mut text = Vec::new();
    print_audit(&store, Some("40s"), false, now, &mut text).unwrap();
    assert_eq!(
        String::from_utf8(text).unwrap(),
        "cycle 2 at 1970-01-01T00:00:30.000Z: completed, inputs 000000000000\n\
         \x20 decided   policy gpu-weighting: ratio 20 on pool mlPool member n1:8080: GPU 3 at 91 °C\n\
         \x20 rejected  policy queue-scaling: size 2 on group tf-ig (us-central1-a) by stabilization: scale-in 4 → 2 held\n\
         \x20 held back policy gpu-weighting on pool mlPool member n2:8080 by step-limit: ratio 1 → 84 limited to a step of 10: 11\n\
         \x20 planned   mlPool/n1:8080 ratio 10 → 20 (policy gpu-weighting)\n\
         \x20 planned   mlPool/n2:8080 ratio 10 → 5 (policy gpu-weighting)\n\
         \x20 applied   mlPool/n1:8080 ratio 10 → 20\n\
         \x20 not done  mlPool/n2:8080 ratio 10 → 5: HTTP 503\n"
    );
    let mut json = Vec::new();
    print_audit(&store, Some("1970-01-01T00:00:00Z"), true, now, &mut json).unwrap();
    let lines: Vec<AuditRecord> = String::from_utf8(json)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1], record(&intent2, Some("HTTP 503")));
    let err = parse_since("yesterday-ish", now).unwrap_err().to_string();
    assert!(
        err.starts_with("--since \"yesterday-ish\": neither an RFC 3339 time nor a duration"),
        "{err}"
    );
}

#[test]
fn the_inputs_digest_is_sha256_of_the_snapshot() {
    let snapshot = crate::model::Snapshot::empty();
    let digest = inputs_digest(&snapshot_json(&snapshot));
    assert_eq!(digest.len(), 64);
    assert_eq!(digest, inputs_digest(&snapshot_json(&snapshot.clone())));
    let mut other = snapshot;
    other.version = 2;
    assert_ne!(digest, inputs_digest(&snapshot_json(&other)));

    // What anyone can recompute from the snapshot's JSON.
    let fleet = many_nodes();
    let json = serde_json::to_vec(&fleet).unwrap();
    assert_eq!(
        inputs_digest(&snapshot_json(&fleet)),
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&json))
    );
}

/// A snapshot of 150 nodes of eight GPUs, over 64 KiB of JSON.
fn many_nodes() -> crate::model::Snapshot {
    use crate::model::{GpuSample, Health, NodeSample, SnapshotBuilder};
    let mut builder = SnapshotBuilder::new();
    for node in 0..150 {
        let name = format!("ml-node-{node}");
        let address = format!("127.0.1.{node}");
        let uuids: Vec<String> = (0..8)
            .map(|gpu| format!("GPU-{node:04}-{gpu:04}"))
            .collect();
        let gpus: Vec<GpuSample<'_>> = (0..8)
            .map(|gpu| GpuSample {
                index: gpu,
                uuid: &uuids[gpu as usize],
                model: "NVIDIA H100 80GB HBM3",
                utilization: 0.5,
                tensor_activity: 0.25,
                memory_used_mib: 40_000.0,
                memory_total_mib: 81_559.0,
                temperature_c: 55.0,
                power_w: 400.0,
                power_limit_w: 700.0,
                throttled: false,
                last_xid: 0,
                health: Health::Healthy,
                mig: None,
            })
            .collect();
        builder.node(
            &NodeSample {
                name: &name,
                address: &address,
                health: Health::Healthy,
                telemetry_age_ms: 0,
                stale: false,
                labels: &[],
            },
            &gpus,
        );
    }
    builder.build(1, 0)
}

/// Set for the child process: the store file it writes to, and what it does.
const CRASH_DB: &str = "FULCRUM_STORE_CRASH_DB";
const CRASH_MODE: &str = "FULCRUM_STORE_CRASH_MODE";

/// The child: writes cycles and reports each step on stdout until killed.
/// Mode `applying` stops for good after writing cycle 3's intent, as a host
/// busy applying does; mode `writing` writes large cycles without pause, so
/// the kill lands inside a commit or between two.
#[test]
#[ignore = "run by the crash tests as their child process"]
fn crash_child() {
    let (Ok(path), Ok(mode)) = (std::env::var(CRASH_DB), std::env::var(CRASH_MODE)) else {
        return;
    };
    let store = Store::open(Path::new(&path)).unwrap();
    let big = state(&[("history", &vec![7u8; 4 << 20])]);
    let clocks = GuardClocks::default();
    for cycle in 1.. {
        let intent = intent(cycle);
        let policies = [("gpu-weighting", &big)];
        let cycle_state = CycleState {
            policies: &policies,
            clocks: Some(&clocks),
        };
        store.write_intent(&intent, &cycle_state).unwrap();
        println!("intent {cycle}");
        if mode == "applying" && cycle == 3 {
            loop {
                std::thread::park();
            }
        }
        store
            .complete_cycle(&record(&intent, None), None, &cycle_state)
            .unwrap();
        println!("done {cycle}");
    }
}

/// Start the child on `path` in `mode`, read its lines until `until`, kill it
/// with SIGKILL, and give back the lines read.
fn crash(path: &Path, mode: &str, until: &str) -> Vec<String> {
    crash_after(path, mode, until, || {})
}

/// [`crash`], running `alive` once the child wrote `until`, before the kill.
fn crash_after(path: &Path, mode: &str, until: &str, alive: impl FnOnce()) -> Vec<String> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "store::tests::crash_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CRASH_DB, path)
        .env(CRASH_MODE, mode)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        let done = line == until;
        lines.push(line);
        if done {
            break;
        }
    }
    alive();
    // `Child::kill` is SIGKILL on Unix: no destructor, no flush, no clean close.
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        lines.iter().any(|l| l == until),
        "the child ended early: {lines:?}"
    );
    lines
}

/// The cycles the audit log holds, oldest first.
fn audited(log: &dyn ReadAudit) -> Vec<u64> {
    log.audit_since(None)
        .unwrap()
        .iter()
        .map(|r| r.cycle)
        .collect()
}

#[test]
fn a_kill_while_applying_leaves_the_intent_and_an_intact_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fulcrum.redb");
    crash_after(&path, "applying", "intent 3", || {
        // The writer is alive, mid-cycle: the audit log reads beside it.
        assert_eq!(audited(&AuditReader::open(&path).unwrap()), vec![1, 2]);
        assert!(Store::open(&path).is_err(), "a second writer is refused");
    });
    let store = Store::open(&path).unwrap();
    assert_eq!(audited(&store), vec![1, 2]);
    assert_eq!(store.incomplete_intents().unwrap(), vec![intent(3)]);
    assert_eq!(store.next_cycle().unwrap(), 4);
    assert_eq!(
        store
            .load_policy_state("gpu-weighting")
            .unwrap()
            .used_bytes(),
        7 + (4 << 20) + ENTRY_OVERHEAD_BYTES
    );
}

#[test]
fn a_kill_while_writing_keeps_every_committed_cycle_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fulcrum.redb");
    let lines = crash(&path, "writing", "intent 4");
    assert!(lines.contains(&"done 3".to_owned()));
    let store = Store::open(&path).unwrap();
    let audited = audited(&store);
    let pending: Vec<u64> = store
        .incomplete_intents()
        .unwrap()
        .iter()
        .map(|i| i.cycle)
        .collect();
    // Cycles 1-3 completed before the kill; cycle 4 is audited or pending,
    // and a fifth at most pending: none lost, none both.
    assert_eq!(audited[..3], [1, 2, 3]);
    let mut all: Vec<u64> = audited.iter().chain(&pending).copied().collect();
    all.sort();
    let expected: Vec<u64> = (1..=all.len() as u64).collect();
    assert_eq!(all, expected, "audited {audited:?}, pending {pending:?}");
    assert!(
        pending.len() <= 1 && (4..=5).contains(&(all.len() as u64)),
        "audited {audited:?}, pending {pending:?}"
    );
    for record in store.audit_since(None).unwrap() {
        assert_eq!(record, super::tests::record(&intent(record.cycle), None));
    }
    let _: BTreeMap<String, LastApplied> = store.last_applied().unwrap();
}
