//! Applying a cycle's plan: the intent is committed first (nothing that
//! could not be recorded is applied), then the changes are written through
//! the actuators and every MIG rollout takes its next step, and last the
//! audit record is committed with the state the cycle leaves.

use std::sync::Arc;
use std::time::Instant;

use super::record::{self, LeftState};
use super::{CycleReport, Engine};
use crate::actuators::{self, ApplyError, ChangeResult};
use crate::guard::GuardClocks;
use crate::observe::{ChangeApplied, MigStep};
use crate::store::StoreError;

impl Engine {
    /// Apply `report`'s plan, keep `clocks` for the next cycle, and record
    /// it all; the report comes back with the results and timings filled in.
    pub(super) async fn apply(
        &mut self,
        report: CycleReport,
        clocks: GuardClocks,
        now_ms: u64,
    ) -> CycleReport {
        let left = LeftState::new(&self.policies, &clocks);
        let store = self.store.as_ref();
        let mark = Instant::now();
        let (mut report, begun) = record::begin(store, report, now_ms, &left, &self.observer).await;
        report.timings.record = mark.elapsed();

        let mark = Instant::now();
        let mut results = match &begun.intent {
            Ok(()) => actuators::apply(&self.backends, &report.plan).await,
            Err(error) => not_recorded(error, report.plan.changes.len()),
        };
        if let Some(mig) = &mut self.mig {
            report.mig_events = mig
                .cycle(
                    &self.backends,
                    store,
                    &report.snapshot,
                    &report.plan,
                    &mut results,
                    now_ms,
                )
                .await;
        }
        let cycle = report.version;
        for event in &report.mig_events {
            self.observer.emit(MigStep { cycle, event });
        }
        for (planned, result) in report.plan.changes.iter().zip(&results) {
            self.observer.emit(ChangeApplied {
                cycle,
                planned,
                result,
            });
        }
        report.applied = Some(results);
        report.timings.apply = mark.elapsed();

        let mark = Instant::now();
        let mut report = record::complete(
            store,
            report,
            now_ms,
            begun,
            &self.rails,
            &left,
            &self.observer,
        )
        .await;
        report.timings.record += mark.elapsed();
        self.clocks = clocks;
        report
    }
}

/// Every change refused: the intent to apply them could not be recorded.
fn not_recorded(error: &Arc<StoreError>, changes: usize) -> Vec<ChangeResult> {
    vec![Err(ApplyError::NotRecorded(Arc::clone(error))); changes]
}
