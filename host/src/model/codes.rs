//! Enum columns travel as `list<u8>` (the case's position in its WIT enum), so
//! they copy in bulk. Encoding and decoding live here, together, and nowhere
//! else.

use super::snapshot::{Availability, Health, InstanceAction, InstanceStatus, MemberState};

/// An enum stored in a `list<u8>` column.
pub trait Code: Copy + Sized + 'static {
    /// The value's code: its case's position in the WIT enum.
    fn code(self) -> u8;
    /// The value with `code`; an unknown code reads as the safest case.
    fn from_code(code: u8) -> Self;
    /// The case's name in the WIT contract ("forced-offline").
    fn name(self) -> &'static str;
    /// Every case, in contract order.
    fn cases() -> &'static [Self];
    /// The case called `name` in the WIT contract.
    fn from_name(name: &str) -> Option<Self> {
        Self::cases()
            .iter()
            .copied()
            .find(|case| case.name() == name)
    }
}

macro_rules! codes {
    ($enum:ident, fallback = $fallback:ident, [$($case:ident = $name:literal),+ $(,)?]) => {
        impl Code for $enum {
            fn code(self) -> u8 {
                self as u8
            }

            fn from_code(code: u8) -> Self {
                Self::cases().get(usize::from(code)).copied().unwrap_or($enum::$fallback)
            }

            fn cases() -> &'static [Self] {
                &[$($enum::$case),+]
            }

            fn name(self) -> &'static str {
                match self {
                    $($enum::$case => $name),+
                }
            }
        }
    };
}

codes!(
    Health,
    fallback = Unknown,
    [
        Healthy = "healthy",
        Degraded = "degraded",
        Unhealthy = "unhealthy",
        Unknown = "unknown"
    ]
);
// An unknown member state reads as forced offline: never route to what we cannot read.
codes!(
    MemberState,
    fallback = ForcedOffline,
    [
        Enabled = "enabled",
        Disabled = "disabled",
        ForcedOffline = "forced-offline"
    ]
);
codes!(
    Availability,
    fallback = Unknown,
    [
        Available = "available",
        Offline = "offline",
        Unknown = "unknown"
    ]
);
codes!(
    InstanceStatus,
    fallback = Absent,
    [
        Provisioning = "provisioning",
        Staging = "staging",
        Running = "running",
        Stopping = "stopping",
        Stopped = "stopped",
        Suspending = "suspending",
        Suspended = "suspended",
        Terminated = "terminated",
        Absent = "absent",
    ]
);
codes!(
    InstanceAction,
    fallback = None,
    [
        None = "none",
        Creating = "creating",
        CreatingWithoutRetries = "creating-without-retries",
        Recreating = "recreating",
        Deleting = "deleting",
        Abandoning = "abandoning",
        Restarting = "restarting",
        Refreshing = "refreshing",
        Verifying = "verifying",
    ]
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_follow_declaration_order() {
        for health in [
            Health::Healthy,
            Health::Degraded,
            Health::Unhealthy,
            Health::Unknown,
        ] {
            assert_eq!(Health::from_code(health.code()), health);
        }
        assert_eq!(Health::Unhealthy.code(), 2);
        assert_eq!(InstanceAction::Verifying.code(), 8);
        assert_eq!(
            InstanceStatus::from_code(InstanceStatus::Terminated.code()),
            InstanceStatus::Terminated
        );
    }

    #[test]
    fn names_are_the_wit_case_names() {
        assert_eq!(MemberState::ForcedOffline.name(), "forced-offline");
        assert_eq!(
            InstanceAction::CreatingWithoutRetries.name(),
            "creating-without-retries"
        );
    }

    #[test]
    fn names_read_back_as_their_case() {
        assert_eq!(
            MemberState::from_name("forced-offline"),
            Some(MemberState::ForcedOffline)
        );
        assert_eq!(Health::from_name("Healthy"), None);
    }

    #[test]
    fn unknown_codes_read_as_the_safe_case() {
        assert_eq!(Health::from_code(200), Health::Unknown);
        assert_eq!(MemberState::from_code(9), MemberState::ForcedOffline);
        assert_eq!(Availability::from_code(3), Availability::Unknown);
    }
}
