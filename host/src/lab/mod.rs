//! The policy lab: trying a policy away from production. `host test` runs a
//! policy on test cases written as fixtures ([`fixture`], snapshots in a
//! compact form a person writes) and checks what must hold of its decisions,
//! in the real sandbox and, when a case asks, through the real guard.

mod compact;
mod expect;
mod fixture;
mod outcome;
mod report;
mod suite;

pub use fixture::{Case, FixtureError, fixture_files};
pub use outcome::describe;
pub use report::{junit, text, write_junit};
pub use suite::{CaseResult, run};
