//! Conversions between the cluster model and the generated WIT types: the
//! snapshot going in (column copies) and decisions coming out.

use crate::model;

use super::bindings::types as wit;

/// The snapshot as the policies receive it, converted once per cycle.
pub struct PolicyInput {
    pub(crate) snapshot: wit::Snapshot,
}

impl PolicyInput {
    pub fn new(snapshot: &model::Snapshot) -> Self {
        PolicyInput {
            snapshot: to_wit(snapshot),
        }
    }

    /// Version of the snapshot inside.
    pub fn version(&self) -> u64 {
        self.snapshot.version
    }
}

fn map<A: Copy, B>(column: &[A], f: impl Fn(A) -> B) -> Vec<B> {
    column.iter().map(|&value| f(value)).collect()
}

fn to_wit(s: &model::Snapshot) -> wit::Snapshot {
    wit::Snapshot {
        version: s.version,
        time_ms: s.time_ms,
        strings: wit::StringTable {
            text: s.strings.text.clone(),
            offsets: s.strings.offsets.clone(),
        },
        nodes: wit::Nodes {
            name: s.nodes.name.clone(),
            address: s.nodes.address.clone(),
            health: map(&s.nodes.health, health),
            telemetry_age_ms: s.nodes.telemetry_age_ms.clone(),
            stale: s.nodes.stale.clone(),
            gpu_start: s.nodes.gpu_start.clone(),
            label_start: s.nodes.label_start.clone(),
        },
        labels: wit::Labels {
            node: s.labels.node.clone(),
            key: s.labels.key.clone(),
            value: s.labels.value.clone(),
        },
        gpus: wit::Gpus {
            node: s.gpus.node.clone(),
            index: s.gpus.index.clone(),
            uuid: s.gpus.uuid.clone(),
            model: s.gpus.model.clone(),
            utilization: s.gpus.utilization.clone(),
            tensor_activity: s.gpus.tensor_activity.clone(),
            memory_used_mib: s.gpus.memory_used_mib.clone(),
            memory_total_mib: s.gpus.memory_total_mib.clone(),
            temperature_c: s.gpus.temperature_c.clone(),
            power_w: s.gpus.power_w.clone(),
            power_limit_w: s.gpus.power_limit_w.clone(),
            throttled: s.gpus.throttled.clone(),
            last_xid: s.gpus.last_xid.clone(),
            health: map(&s.gpus.health, health),
            mig_enabled: s.gpus.mig_enabled.clone(),
            mig_start: s.gpus.mig_start.clone(),
        },
        mig_instances: wit::MigInstances {
            gpu: s.mig_instances.gpu.clone(),
            profile: s.mig_instances.profile.clone(),
            instance_id: s.mig_instances.instance_id.clone(),
            placement_start: s.mig_instances.placement_start.clone(),
            placement_size: s.mig_instances.placement_size.clone(),
            utilization: s.mig_instances.utilization.clone(),
            memory_used_mib: s.mig_instances.memory_used_mib.clone(),
            memory_total_mib: s.mig_instances.memory_total_mib.clone(),
        },
        pools: wit::Pools {
            name: s.pools.name.clone(),
            partition: s.pools.partition.clone(),
            load_balancing_mode: s.pools.load_balancing_mode.clone(),
            member_start: s.pools.member_start.clone(),
        },
        members: wit::Members {
            pool: s.members.pool.clone(),
            node: s.members.node.clone(),
            name: s.members.name.clone(),
            address: s.members.address.clone(),
            port: s.members.port.clone(),
            ratio: s.members.ratio.clone(),
            state: map(&s.members.state, member_state),
            availability: map(&s.members.availability, availability),
            current_connections: s.members.current_connections.clone(),
            connection_limit: s.members.connection_limit.clone(),
        },
        instance_groups: wit::InstanceGroups {
            name: s.instance_groups.name.clone(),
            location: s.instance_groups.location.clone(),
            target_size: s.instance_groups.target_size.clone(),
            current_size: s.instance_groups.current_size.clone(),
            min_size: s.instance_groups.min_size.clone(),
            max_size: s.instance_groups.max_size.clone(),
            backend_service: s.instance_groups.backend_service.clone(),
            capacity_scaler: s.instance_groups.capacity_scaler.clone(),
            instance_start: s.instance_groups.instance_start.clone(),
        },
        instances: wit::Instances {
            group: s.instances.group.clone(),
            node: s.instances.node.clone(),
            name: s.instances.name.clone(),
            status: map(&s.instances.status, instance_status),
            action: map(&s.instances.action, instance_action),
            serving: s.instances.serving.clone(),
            last_error: s.instances.last_error.clone(),
        },
        signals: wit::Signals {
            name: s.signals.name.clone(),
            value: s.signals.value.clone(),
        },
    }
}

fn health(h: model::Health) -> wit::Health {
    match h {
        model::Health::Healthy => wit::Health::Healthy,
        model::Health::Degraded => wit::Health::Degraded,
        model::Health::Unhealthy => wit::Health::Unhealthy,
        model::Health::Unknown => wit::Health::Unknown,
    }
}

pub(crate) fn member_state(s: model::MemberState) -> wit::MemberState {
    match s {
        model::MemberState::Enabled => wit::MemberState::Enabled,
        model::MemberState::Disabled => wit::MemberState::Disabled,
        model::MemberState::ForcedOffline => wit::MemberState::ForcedOffline,
    }
}

fn availability(a: model::Availability) -> wit::Availability {
    match a {
        model::Availability::Available => wit::Availability::Available,
        model::Availability::Offline => wit::Availability::Offline,
        model::Availability::Unknown => wit::Availability::Unknown,
    }
}

fn instance_status(s: model::InstanceStatus) -> wit::InstanceStatus {
    use model::InstanceStatus as M;
    use wit::InstanceStatus as W;
    match s {
        M::Provisioning => W::Provisioning,
        M::Staging => W::Staging,
        M::Running => W::Running,
        M::Stopping => W::Stopping,
        M::Stopped => W::Stopped,
        M::Suspending => W::Suspending,
        M::Suspended => W::Suspended,
        M::Terminated => W::Terminated,
        M::Absent => W::Absent,
    }
}

fn instance_action(a: model::InstanceAction) -> wit::InstanceAction {
    use model::InstanceAction as M;
    use wit::InstanceAction as W;
    match a {
        M::None => W::None,
        M::Creating => W::Creating,
        M::CreatingWithoutRetries => W::CreatingWithoutRetries,
        M::Recreating => W::Recreating,
        M::Deleting => W::Deleting,
        M::Abandoning => W::Abandoning,
        M::Restarting => W::Restarting,
        M::Refreshing => W::Refreshing,
        M::Verifying => W::Verifying,
    }
}

pub(crate) fn action_kind(kind: wit::ActionKind) -> model::ActionKind {
    match kind {
        wit::ActionKind::MemberRatio => model::ActionKind::MemberRatio,
        wit::ActionKind::MemberState => model::ActionKind::MemberState,
        wit::ActionKind::CapacityScaler => model::ActionKind::CapacityScaler,
        wit::ActionKind::GroupSize => model::ActionKind::GroupSize,
        wit::ActionKind::MigLayout => model::ActionKind::MigLayout,
    }
}

/// The model's form of a WIT action, before validation.
pub(crate) fn action(action: wit::Action) -> model::Action {
    match action {
        wit::Action::SetMemberRatio(a) => model::Action::SetMemberRatio {
            member: a.member,
            ratio: a.ratio,
        },
        wit::Action::SetMemberState(a) => model::Action::SetMemberState {
            member: a.member,
            state: match a.state {
                wit::MemberState::Enabled => model::MemberState::Enabled,
                wit::MemberState::Disabled => model::MemberState::Disabled,
                wit::MemberState::ForcedOffline => model::MemberState::ForcedOffline,
            },
        },
        wit::Action::SetCapacityScaler(a) => model::Action::SetCapacityScaler {
            group: a.group,
            scaler: a.scaler,
        },
        wit::Action::ResizeGroup(a) => model::Action::ResizeGroup {
            group: a.group,
            target_size: a.target_size,
        },
        wit::Action::SetMigLayout(a) => model::Action::SetMigLayout {
            node: a.node,
            gpus: a.gpus,
            profiles: a
                .profiles
                .into_iter()
                .map(|p| model::ProfileCount {
                    profile: p.profile,
                    count: p.count,
                })
                .collect(),
        },
    }
}
