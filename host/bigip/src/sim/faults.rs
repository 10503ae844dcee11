//! Injected faults: latency on every request, and bursts of mcpd-lost 500s, 503s, dropped
//! connections and token expiry, each after a number of untouched requests. Tests and the CLI
//! switch them on; the admin endpoint changes them at run time.

use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// `count` faulty requests after `after` good ones. Counts only `/mgmt/...` requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Burst {
    /// Requests let through untouched first.
    #[serde(default)]
    pub after: u32,
    /// Requests that get the fault then.
    #[serde(default)]
    pub count: u32,
}

/// The faults to inject.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Faults {
    /// Added before every `/mgmt/...` answer, in milliseconds.
    pub latency_ms: u64,
    /// 500 "The connection to mcpd has been lost, try again."
    pub mcpd_lost: Burst,
    /// 503 with the HTML "Configuration Utility restarting" page.
    pub unavailable: Burst,
    /// The connection is closed without an answer.
    pub dropped_connections: Burst,
    /// Every live token expires just before the request is handled.
    pub token_expiry: Burst,
}

/// What to do with one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Injection {
    None,
    DropConnection,
    Unavailable,
    McpdLost,
    ExpireTokens,
}

/// The faults in force and how far each burst has got.
#[derive(Debug, Default)]
pub(crate) struct FaultState {
    faults: Mutex<Faults>,
}

impl FaultState {
    pub fn new(faults: Faults) -> FaultState {
        FaultState {
            faults: Mutex::new(faults),
        }
    }

    pub fn set(&self, faults: Faults) {
        *self.faults.lock().expect("fault lock poisoned") = faults;
    }

    pub fn get(&self) -> Faults {
        self.faults.lock().expect("fault lock poisoned").clone()
    }

    /// The latency to add and the fault (if any) for the next request.
    pub fn next(&self) -> (Duration, Injection) {
        let mut guard = self.faults.lock().expect("fault lock poisoned");
        let faults = &mut *guard;
        let latency = Duration::from_millis(faults.latency_ms);
        let mut chosen = Injection::None;
        for (burst, injection) in [
            (&mut faults.dropped_connections, Injection::DropConnection),
            (&mut faults.unavailable, Injection::Unavailable),
            (&mut faults.mcpd_lost, Injection::McpdLost),
            (&mut faults.token_expiry, Injection::ExpireTokens),
        ] {
            if burst.after > 0 {
                burst.after -= 1;
            } else if burst.count > 0 {
                burst.count -= 1;
                if chosen == Injection::None {
                    chosen = injection;
                }
            }
        }
        (latency, chosen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_start_after_their_quiet_requests_and_end() {
        let state = FaultState::new(Faults {
            mcpd_lost: Burst { after: 1, count: 2 },
            ..Faults::default()
        });
        let seen: Vec<Injection> = (0..4).map(|_| state.next().1).collect();
        assert_eq!(
            seen,
            [
                Injection::None,
                Injection::McpdLost,
                Injection::McpdLost,
                Injection::None
            ]
        );
    }
}
