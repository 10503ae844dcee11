//! [`Policy`]: what a policy author implements, and [`export_policy!`](crate::export_policy),
//! which makes it the component's exports.
//!
//! The host calls, in a fresh instance for every evaluation, `configure(settings)`
//! and then `decide(snapshot)`; `metadata` and `configure` are also called once
//! when the policy is loaded. The configured value therefore lives in a
//! per-instance slot between the two calls, and nothing survives an evaluation
//! except what the policy writes through [`Host`]'s state functions.

use std::any::Any;
use std::cell::RefCell;

use crate::bindings::fulcrum::policy::types as wit;
use crate::{Decisions, Host, Metadata, Snapshot, SnapshotView};

/// A load-balancing or scaling policy.
pub trait Policy: Sized + 'static {
    /// Name (kebab-case), version, a one-line description and every kind of
    /// action [`decide`](Policy::decide) may return.
    fn metadata() -> Metadata;

    /// Validate the operator's settings (a JSON object, `{}` when none) and build
    /// the policy. On error, name the setting and what is wrong with it
    /// (`settings.max_ratio: 0 is out of range; expected 1..=65535`).
    fn configure(settings: &str) -> Result<Self, String>;

    /// Propose actions for `snapshot`. An error is reported by the host, which
    /// keeps the policy's previous decisions in force and discards state
    /// writes made during this call.
    fn decide(&self, snapshot: &SnapshotView<'_>, host: &mut dyn Host)
    -> Result<Decisions, String>;
}

/// Exports a [`Policy`] type as the component's `metadata`, `configure` and
/// `decide`.
///
/// Use it once, in the policy crate's root, with the crate built as a `cdylib`
/// for `wasm32-wasip2`. On other targets the macro still type-checks the glue but
/// exports nothing, so the same crate can be a native `rlib` for tests and
/// benchmarks.
///
/// ```
/// # use fulcrum_sdk::{Decisions, Host, Metadata, Policy, SnapshotView};
/// # struct MyPolicy;
/// # impl Policy for MyPolicy {
/// #     fn metadata() -> Metadata { unimplemented!() }
/// #     fn configure(_: &str) -> Result<Self, String> { Ok(MyPolicy) }
/// #     fn decide(&self, _: &SnapshotView<'_>, _: &mut dyn Host) -> Result<Decisions, String> { Ok(Decisions::new()) }
/// # }
/// fulcrum_sdk::export_policy!(MyPolicy);
/// ```
#[macro_export]
macro_rules! export_policy {
    ($policy:ty) => {
        const _: () = {
            /// The type the generated exports call; forwards to the policy.
            #[cfg_attr(
                not(target_arch = "wasm32"),
                allow(dead_code, reason = "exported only on wasm32")
            )]
            struct FulcrumPolicyExport;

            impl $crate::bindings::Guest for FulcrumPolicyExport {
                fn metadata() -> $crate::Metadata {
                    <$policy as $crate::Policy>::metadata()
                }

                fn configure(
                    settings: ::std::string::String,
                ) -> ::std::result::Result<(), ::std::string::String> {
                    $crate::policy::__private::configure::<$policy>(&settings)
                }

                fn decide(
                    snapshot: $crate::Snapshot,
                ) -> ::std::result::Result<
                    $crate::bindings::fulcrum::policy::types::Decisions,
                    ::std::string::String,
                > {
                    $crate::policy::__private::decide::<$policy>(&snapshot, &mut $crate::WasmHost)
                }
            }

            #[cfg(target_arch = "wasm32")]
    $crate::bindings::export!(FulcrumPolicyExport with_types_in $crate::bindings);
        };
    };
}

thread_local! {
    /// The policy `configure` built in this instance, waiting for `decide`.
    ///
    /// A component instance is single-threaded and serves one evaluation, so a
    /// thread-local is a per-instance slot. It is type-erased because the SDK
    /// cannot name the author's type; `Policy: 'static` makes the downcast possible.
    static CONFIGURED: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
}

/// The glue [`export_policy!`](crate::export_policy) expands to; not part of the API.
#[doc(hidden)]
pub mod __private {
    use super::*;

    /// `configure` export: build the policy and keep it for `decide`.
    pub fn configure<P: Policy>(settings: &str) -> Result<(), String> {
        let (policy, result) = match P::configure(settings) {
            Ok(policy) => (Some(Box::new(policy) as Box<dyn Any>), Ok(())),
            Err(message) => (None, Err(message)),
        };
        CONFIGURED.with(|slot| *slot.borrow_mut() = policy);
        result
    }

    /// `decide` export: run the configured policy on `snapshot`.
    pub fn decide<P: Policy>(
        snapshot: &Snapshot,
        host: &mut dyn Host,
    ) -> Result<wit::Decisions, String> {
        CONFIGURED.with(|slot| {
            let slot = slot.borrow();
            let policy = slot
                .as_ref()
                .and_then(|policy| policy.downcast_ref::<P>())
                .ok_or_else(|| "decide called before configure".to_owned())?;
            policy
                .decide(&SnapshotView::new(snapshot), host)
                .map(Decisions::into_wit)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::__private::{configure, decide};
    use super::*;
    use crate::testing::{MemoryHost, SnapshotBuilder};
    use crate::{ActionKind, Level, actions};

    /// Answers with the snapshot version as a member ratio, and logs the settings.
    struct Echo {
        settings: String,
    }

    impl Policy for Echo {
        fn metadata() -> Metadata {
            Metadata {
                name: "echo".into(),
                version: "0.0.0".into(),
                description: "test policy".into(),
                action_kinds: vec![ActionKind::MemberRatio],
            }
        }

        fn configure(settings: &str) -> Result<Self, String> {
            match settings {
                "bad" => Err("settings: bad on purpose".into()),
                _ => Ok(Echo {
                    settings: settings.into(),
                }),
            }
        }

        fn decide(
            &self,
            snapshot: &SnapshotView<'_>,
            host: &mut dyn Host,
        ) -> Result<Decisions, String> {
            host.log(Level::Info, &self.settings);
            Ok(vec![actions::set_member_ratio(
                0,
                snapshot.version() as u32,
                "version",
            )]
            .into())
        }
    }

    // Tests in one thread share the slot, so each test resets it first.
    fn reset() {
        CONFIGURED.with(|slot| *slot.borrow_mut() = None);
    }

    #[test]
    fn decide_before_configure_is_an_error() {
        reset();
        let snapshot = SnapshotBuilder::new().build();
        let result = decide::<Echo>(&snapshot, &mut MemoryHost::new());
        assert_eq!(result, Err("decide called before configure".to_owned()));
    }

    #[test]
    fn decide_uses_the_configured_policy() {
        reset();
        configure::<Echo>("{\"x\":1}").unwrap();
        let mut builder = SnapshotBuilder::new();
        builder.version(7);
        let mut host = MemoryHost::new();
        let decisions = decide::<Echo>(&builder.build(), &mut host).unwrap();
        assert_eq!(
            decisions,
            Decisions::from(vec![actions::set_member_ratio(0, 7, "version")]).into_wit()
        );
        assert_eq!(host.logs, vec![(Level::Info, "{\"x\":1}".to_owned())]);
    }

    #[test]
    fn a_failed_configure_is_reported() {
        reset();
        assert_eq!(
            configure::<Echo>("bad"),
            Err("settings: bad on purpose".to_owned())
        );
    }
}
