//! Applying a cycle's plan: a replica first confirms it still leads (one
//! that cannot applies nothing and records nothing); the intent is committed
//! (nothing that could not be recorded is applied), then the changes are
//! written through the actuators and every MIG rollout takes its next step,
//! under the leader's lease, and last the audit record is committed with the
//! state the cycle leaves.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use super::record::{self, LeftState};
use super::{CycleReport, Engine};
use crate::actuators::{self, ApplyError, ChangeResult};
use crate::guard::GuardClocks;
use crate::ha::{HaError, Leadership};
use crate::observe::{ApplyRefused, ChangeApplied, LeadConfirmed, MigStep};

impl Engine {
    /// Apply `report`'s plan, keep `clocks` for the next cycle, and record
    /// it all; the report comes back with the results and timings filled in.
    pub(super) async fn apply(
        &mut self,
        mut report: CycleReport,
        clocks: GuardClocks,
        now_ms: u64,
    ) -> CycleReport {
        let leadership = self.leadership.clone();
        if let Some(leadership) = &leadership {
            match leadership.confirm().await {
                Ok(took) => {
                    report.timings.confirm = took;
                    self.observer.emit(LeadConfirmed { took });
                }
                Err(why) => {
                    self.observer.emit(ApplyRefused {
                        cycle: report.version,
                        why: &why,
                    });
                    let error = ApplyError::NotLeading(Arc::new(why));
                    report.applied = Some(every_change(error, &report));
                    return report;
                }
            }
        }
        let left = LeftState::new(&self.policies, &clocks);
        let store = self.state.as_ref();
        let mark = Instant::now();
        let (mut report, begun) = record::begin(store, report, now_ms, &left, &self.observer).await;
        report.timings.record = mark.elapsed();

        let mark = Instant::now();
        let mut results = match &begun.intent {
            Ok(()) => {
                let applying = actuators::apply(&self.backends, &report.plan);
                match under(leadership.as_ref(), applying).await {
                    Ok(results) => results,
                    Err(lapsed) => every_change(ApplyError::LeaseLapsed(Arc::new(lapsed)), &report),
                }
            }
            Err(error) => every_change(ApplyError::NotRecorded(Arc::clone(error)), &report),
        };
        if let Some(mig) = &mut self.mig {
            let stepping = mig.cycle(
                &self.backends,
                store,
                &report.snapshot,
                &report.plan,
                &mut results,
                now_ms,
            );
            // A lapsed lease takes no MIG step: the next leader resumes the
            // rollouts from their last saved step.
            report.mig_events = under(leadership.as_ref(), stepping)
                .await
                .unwrap_or_default();
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

/// `work` under `leadership`'s lease when there is one: dropped where it
/// stands if the lease lapses first.
async fn under<F: Future>(leadership: Option<&Leadership>, work: F) -> Result<F::Output, HaError> {
    match leadership {
        Some(leadership) => leadership.while_leading(work).await,
        None => Ok(work.await),
    }
}

/// Every change of `report`'s plan failed with `error`.
fn every_change(error: ApplyError, report: &CycleReport) -> Vec<ChangeResult> {
    vec![Err(error); report.plan.changes.len()]
}
