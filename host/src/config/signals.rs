//! `[[signals]]`: demand signals whose values the operator sets, handed to
//! the policies with each snapshot.
//!
//! ```toml
//! [[signals]]
//! name = "queue-depth"
//! value = 250
//! ```

use serde::Deserialize;

use super::problem::Problems;
use super::resolve::{Resolve, Resolver};

/// `[[signals]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SignalToml {
    name: String,
    value: f64,
}

/// A demand signal with a value the operator sets.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalConfig {
    pub name: String,
    pub value: f64,
}

impl Resolve for SignalToml {
    type Output = SignalConfig;

    fn resolve(self, _: &Resolver<'_>, _: &mut Problems) -> SignalConfig {
        SignalConfig {
            name: self.name,
            value: self.value,
        }
    }
}
