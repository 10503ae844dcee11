//! One cycle's decisions: the size each managed group's demand asks for.

use fulcrum_sdk::{Decision, GroupView, Host, InstanceStatus, Level, SnapshotView, actions};

use crate::settings::Settings;

/// Propose a new size for every managed group whose demand has moved beyond
/// the tolerance.
pub fn decide(
    settings: &Settings,
    snapshot: &SnapshotView<'_>,
    host: &mut dyn Host,
) -> Vec<Decision> {
    snapshot
        .instance_groups()
        .filter(|group| settings.manages(group.name()))
        .filter_map(|group| decide_group(settings, snapshot, &group, host))
        .collect()
}

fn decide_group(
    settings: &Settings,
    snapshot: &SnapshotView<'_>,
    group: &GroupView<'_>,
    host: &mut dyn Host,
) -> Option<Decision> {
    let own_signal = format!("{}/{}", settings.signal, group.name());
    let Some((signal, demand)) = [own_signal.as_str(), settings.signal.as_str()]
        .into_iter()
        .find_map(|name| snapshot.signal(name).map(|value| (name, value)))
        .filter(|(_, value)| value.is_finite() && *value >= 0.0)
    else {
        host.log(
            Level::Warn,
            &format!(
                "group {}: no usable signal {own_signal} or {}; leaving its size alone",
                group.name(),
                settings.signal
            ),
        );
        return None;
    };
    let current = group.target_size();
    let wanted = (demand / settings.target_per_instance).ceil() as u32;
    let desired = wanted.clamp(group.min_size(), group.max_size().max(group.min_size()));
    if desired == current || within_tolerance(settings, demand, current) {
        return None;
    }
    if desired > current
        && let Some(error) = failing_instance_error(group)
    {
        host.log(
            Level::Warn,
            &format!(
                "group {}: instances are failing to start ({error}); not growing it further",
                group.name()
            ),
        );
        return None;
    }
    let bounded = if desired == wanted {
        String::new()
    } else {
        format!(" (bounded to {}..={})", group.min_size(), group.max_size())
    };
    Some(actions::resize_group(
        group.row(),
        desired,
        format!(
            "{signal} = {demand:.0} at {:.0} per instance wants {wanted} instances{bounded}: {current} → {desired}",
            settings.target_per_instance
        ),
    ))
}

/// True when demand per instance is within the tolerance of the target.
fn within_tolerance(settings: &Settings, demand: f64, current: u32) -> bool {
    current > 0
        && (demand / (f64::from(current) * settings.target_per_instance) - 1.0).abs()
            <= settings.tolerance
}

/// The error of an instance that is not running and failed to start, if any.
fn failing_instance_error<'a>(group: &GroupView<'a>) -> Option<&'a str> {
    group
        .instances()
        .filter(|instance| instance.status() != InstanceStatus::Running)
        .find_map(|instance| instance.last_error())
}
