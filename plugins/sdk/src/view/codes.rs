//! The codes of the snapshot's enum and boolean columns, decoded and encoded in
//! this one place so the two cannot drift apart.
//!
//! Enum and boolean columns cross the component boundary as `list<u8>`, which
//! copies in bulk: an enum value is the position of its case in the WIT
//! declaration (0 for the first), a boolean is 0 or 1. The views decode with
//! the `from_code` functions below; [`SnapshotBuilder`](crate::testing::SnapshotBuilder)
//! and tests that edit a built snapshot encode with `code`.
//!
//! Decoding never fails: the host only writes valid codes, but a code past the
//! last case (a newer host, a corrupt column) reads as the case a policy can
//! act on most safely, named on each `from_code`. Any nonzero boolean byte
//! reads as true. Each decode compiles to a compare and a select, with no
//! panic path, so it stays cheap over 10,000 nodes × 8 GPUs.

use crate::{Availability, Health, InstanceAction, InstanceStatus, MemberState};

impl Health {
    /// The case with code `code`; a code past the last case reads as
    /// [`Health::Unknown`] (no judgement can be made).
    #[inline]
    pub const fn from_code(code: u8) -> Health {
        match code {
            0 => Health::Healthy,
            1 => Health::Degraded,
            2 => Health::Unhealthy,
            _ => Health::Unknown,
        }
    }

    /// This case's code in a snapshot column: its position in the WIT declaration.
    #[inline]
    pub const fn code(self) -> u8 {
        self as u8
    }
}

impl MemberState {
    /// The case with code `code`; a code past the last case reads as
    /// [`MemberState::ForcedOffline`], the conservative reading: a member in a
    /// state the policy does not know is taken to receive no traffic, and is
    /// neither weighted nor enabled by a policy that only acts on members it
    /// knows to be enabled or disabled.
    #[inline]
    pub const fn from_code(code: u8) -> MemberState {
        match code {
            0 => MemberState::Enabled,
            1 => MemberState::Disabled,
            _ => MemberState::ForcedOffline,
        }
    }

    /// This case's code in a snapshot column: its position in the WIT declaration.
    #[inline]
    pub const fn code(self) -> u8 {
        self as u8
    }
}

impl Availability {
    /// The case with code `code`; a code past the last case reads as
    /// [`Availability::Unknown`].
    #[inline]
    pub const fn from_code(code: u8) -> Availability {
        match code {
            0 => Availability::Available,
            1 => Availability::Offline,
            _ => Availability::Unknown,
        }
    }

    /// This case's code in a snapshot column: its position in the WIT declaration.
    #[inline]
    pub const fn code(self) -> u8 {
        self as u8
    }
}

impl InstanceStatus {
    /// The case with code `code`; a code past the last case reads as
    /// [`InstanceStatus::Absent`] (the instance is not known to exist).
    #[inline]
    pub const fn from_code(code: u8) -> InstanceStatus {
        match code {
            0 => InstanceStatus::Provisioning,
            1 => InstanceStatus::Staging,
            2 => InstanceStatus::Running,
            3 => InstanceStatus::Stopping,
            4 => InstanceStatus::Stopped,
            5 => InstanceStatus::Suspending,
            6 => InstanceStatus::Suspended,
            7 => InstanceStatus::Terminated,
            _ => InstanceStatus::Absent,
        }
    }

    /// This case's code in a snapshot column: its position in the WIT declaration.
    #[inline]
    pub const fn code(self) -> u8 {
        self as u8
    }
}

impl InstanceAction {
    /// The case with code `code`; a code past the last case reads as
    /// [`InstanceAction::None`].
    #[inline]
    pub const fn from_code(code: u8) -> InstanceAction {
        match code {
            0 => InstanceAction::None,
            1 => InstanceAction::Creating,
            2 => InstanceAction::CreatingWithoutRetries,
            3 => InstanceAction::Recreating,
            4 => InstanceAction::Deleting,
            5 => InstanceAction::Abandoning,
            6 => InstanceAction::Restarting,
            7 => InstanceAction::Refreshing,
            8 => InstanceAction::Verifying,
            _ => InstanceAction::None,
        }
    }

    /// This case's code in a snapshot column: its position in the WIT declaration.
    #[inline]
    pub const fn code(self) -> u8 {
        self as u8
    }
}

/// A boolean column's byte as a `bool`: any nonzero byte is true.
#[inline]
pub(crate) const fn flag(code: u8) -> bool {
    code != 0
}

/// A `bool` as a boolean column's byte: 0 or 1.
#[inline]
pub(crate) const fn flag_code(value: bool) -> u8 {
    value as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every case in WIT declaration order has its position as its code, and
    /// decodes back to itself; the first code past the end reads as `fallback`.
    fn check<T: Copy + PartialEq + std::fmt::Debug>(
        cases: &[T],
        code: fn(T) -> u8,
        from_code: fn(u8) -> T,
        fallback: T,
    ) {
        for (position, &case) in cases.iter().enumerate() {
            assert_eq!(usize::from(code(case)), position, "{case:?}");
            assert_eq!(from_code(code(case)), case);
        }
        for past in [cases.len() as u8, cases.len() as u8 + 1, u8::MAX] {
            assert_eq!(from_code(past), fallback, "code {past}");
        }
    }

    #[test]
    fn codes_are_declaration_positions_and_round_trip() {
        use Health::*;
        check(
            &[Healthy, Degraded, Unhealthy, Unknown],
            Health::code,
            Health::from_code,
            Unknown,
        );
        use MemberState::*;
        check(
            &[Enabled, Disabled, ForcedOffline],
            MemberState::code,
            MemberState::from_code,
            ForcedOffline,
        );
        check(
            &[
                Availability::Available,
                Availability::Offline,
                Availability::Unknown,
            ],
            Availability::code,
            Availability::from_code,
            Availability::Unknown,
        );
        use InstanceStatus::*;
        check(
            &[
                Provisioning,
                Staging,
                Running,
                Stopping,
                Stopped,
                Suspending,
                Suspended,
                Terminated,
                Absent,
            ],
            InstanceStatus::code,
            InstanceStatus::from_code,
            Absent,
        );
        check(
            &[
                InstanceAction::None,
                InstanceAction::Creating,
                InstanceAction::CreatingWithoutRetries,
                InstanceAction::Recreating,
                InstanceAction::Deleting,
                InstanceAction::Abandoning,
                InstanceAction::Restarting,
                InstanceAction::Refreshing,
                InstanceAction::Verifying,
            ],
            InstanceAction::code,
            InstanceAction::from_code,
            InstanceAction::None,
        );
    }

    #[test]
    fn any_nonzero_byte_is_true() {
        assert!(!flag(0));
        assert!(flag(1) && flag(2) && flag(u8::MAX));
        assert_eq!((flag_code(false), flag_code(true)), (0, 1));
    }
}
