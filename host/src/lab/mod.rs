//! The policy lab: trying a policy away from production. `host test` runs a
//! policy on test cases written as fixtures (snapshots in a compact form a
//! person writes, or recorded ones) and checks what must hold of its
//! decisions, in the real sandbox and, when a case asks, through the real
//! guard. `host replay` runs a candidate on the cycles a host recorded and
//! compares it with what the live policy did ([`replay`]).

mod compact;
mod expect;
mod fixture;
mod outcome;
mod replay;
mod report;
mod suite;

pub use fixture::{Case, FixtureError, fixture_files};
pub use outcome::describe;
pub use replay::{CycleComparison, Replay, ReplayError, replay};
pub use report::{junit, replay_text, text, write_junit};
pub use suite::{CaseResult, run};
