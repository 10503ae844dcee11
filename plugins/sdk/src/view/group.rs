//! [`GroupView`] and [`InstanceView`]: managed instance groups and their instances.

use super::codes::flag;
use super::rows::sealed::FromRow;
use super::{NodeView, Rows, SnapshotView, children, read, row_count};
use crate::{InstanceAction, InstanceStatus, NONE, Snapshot};

/// One row of `instance-groups`: a managed instance group.
#[derive(Clone, Copy, Debug)]
pub struct GroupView<'a> {
    snapshot: &'a Snapshot,
    row: u32,
}

impl<'a> FromRow<'a> for GroupView<'a> {
    fn from_row(snapshot: &'a Snapshot, row: u32) -> Self {
        GroupView { snapshot, row }
    }
}

impl<'a> GroupView<'a> {
    /// The group's row in `instance-groups`; what actions on it refer to.
    pub fn row(&self) -> u32 {
        self.row
    }

    fn at(&self) -> usize {
        self.row as usize
    }

    /// Group name.
    pub fn name(&self) -> &'a str {
        self.view()
            .string(read(&self.snapshot.instance_groups.name, self.at()))
    }

    /// Zone or region the group lives in.
    pub fn location(&self) -> &'a str {
        self.view()
            .string(read(&self.snapshot.instance_groups.location, self.at()))
    }

    /// Size the group is asked to have.
    pub fn target_size(&self) -> u32 {
        read(&self.snapshot.instance_groups.target_size, self.at())
    }

    /// Instances that exist now, in any status.
    pub fn current_size(&self) -> u32 {
        read(&self.snapshot.instance_groups.current_size, self.at())
    }

    /// Smallest size the operator allows.
    pub fn min_size(&self) -> u32 {
        read(&self.snapshot.instance_groups.min_size, self.at())
    }

    /// Largest size the operator allows.
    pub fn max_size(&self) -> u32 {
        read(&self.snapshot.instance_groups.max_size, self.at())
    }

    /// Backend service the group serves; `None` when it is no backend.
    pub fn backend_service(&self) -> Option<&'a str> {
        self.view().optional_string(read(
            &self.snapshot.instance_groups.backend_service,
            self.at(),
        ))
    }

    /// The backend's capacity scaler, 0 or 0.1..=1; `NaN` when the group is no backend.
    pub fn capacity_scaler(&self) -> f32 {
        read(&self.snapshot.instance_groups.capacity_scaler, self.at())
    }

    /// The group's instances, in row order.
    pub fn instances(&self) -> Rows<'a, InstanceView<'a>> {
        let groups = &self.snapshot.instance_groups;
        Rows::new(
            self.snapshot,
            children(
                &groups.instance_start,
                self.row,
                row_count(&self.snapshot.instances.group),
            ),
        )
    }

    fn view(&self) -> SnapshotView<'a> {
        SnapshotView::new(self.snapshot)
    }
}

/// One row of `instances`: a managed instance.
#[derive(Clone, Copy, Debug)]
pub struct InstanceView<'a> {
    snapshot: &'a Snapshot,
    row: u32,
}

impl<'a> FromRow<'a> for InstanceView<'a> {
    fn from_row(snapshot: &'a Snapshot, row: u32) -> Self {
        InstanceView { snapshot, row }
    }
}

impl<'a> InstanceView<'a> {
    /// The instance's row in `instances`.
    pub fn row(&self) -> u32 {
        self.row
    }

    fn at(&self) -> usize {
        self.row as usize
    }

    /// The group the instance belongs to.
    pub fn group(&self) -> GroupView<'a> {
        GroupView::from_row(
            self.snapshot,
            read(&self.snapshot.instances.group, self.at()),
        )
    }

    /// The node for this instance; `None` when it has no telemetry yet.
    pub fn node(&self) -> Option<NodeView<'a>> {
        match read(&self.snapshot.instances.node, self.at()) {
            NONE => None,
            row => self.view().node(row),
        }
    }

    /// Instance name.
    pub fn name(&self) -> &'a str {
        self.view()
            .string(read(&self.snapshot.instances.name, self.at()))
    }

    /// Lifecycle status; an unknown code reads as [`InstanceStatus::Absent`].
    pub fn status(&self) -> InstanceStatus {
        InstanceStatus::from_code(self.snapshot.instances.status[self.at()])
    }

    /// Current action of the group manager on it; an unknown code reads as
    /// [`InstanceAction::None`].
    pub fn action(&self) -> InstanceAction {
        InstanceAction::from_code(self.snapshot.instances.action[self.at()])
    }

    /// True when the backend service reports the instance healthy.
    pub fn serving(&self) -> bool {
        flag(self.snapshot.instances.serving[self.at()])
    }

    /// The last error creating or running it; `None` when none.
    pub fn last_error(&self) -> Option<&'a str> {
        self.view()
            .optional_string(read(&self.snapshot.instances.last_error, self.at()))
    }

    fn view(&self) -> SnapshotView<'a> {
        SnapshotView::new(self.snapshot)
    }
}
