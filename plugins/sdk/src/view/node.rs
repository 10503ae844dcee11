//! [`NodeView`]: one machine, its GPUs and its labels.

use super::codes::flag;
use super::rows::sealed::FromRow;
use super::{GpuView, Rows, SnapshotView, children, read, row_count};
use crate::column::Column;
use crate::{Health, Snapshot};

/// One row of `nodes`: a machine that runs ML work.
#[derive(Clone, Copy, Debug)]
pub struct NodeView<'a> {
    snapshot: &'a Snapshot,
    row: u32,
}

impl<'a> FromRow<'a> for NodeView<'a> {
    fn from_row(snapshot: &'a Snapshot, row: u32) -> Self {
        NodeView { snapshot, row }
    }
}

impl<'a> NodeView<'a> {
    /// The underlying snapshot, for reading the node's columns directly
    /// (for example the rows of [`gpus`](Self::gpus) as slices).
    pub fn snapshot(&self) -> &'a Snapshot {
        self.snapshot
    }

    /// The node's row in `nodes`.
    pub fn row(&self) -> u32 {
        self.row
    }

    fn at(&self) -> usize {
        self.row as usize
    }

    /// Node name (the load balancer node name or instance name).
    pub fn name(&self) -> &'a str {
        self.view()
            .string(read(&self.snapshot.nodes.name, self.at()))
    }

    /// Address the node is reached at, as text; `""` when absent.
    pub fn address(&self) -> &'a str {
        self.view()
            .string(read(&self.snapshot.nodes.address, self.at()))
    }

    /// Overall health of the node; an unknown code reads as [`Health::Unknown`].
    #[inline]
    pub fn health(&self) -> Health {
        Health::from_code(self.snapshot.nodes.health[self.at()])
    }

    /// True when the node's telemetry is older than its source's staleness limit
    /// (any nonzero byte in the column).
    #[inline]
    pub fn stale(&self) -> bool {
        flag(self.snapshot.nodes.stale[self.at()])
    }

    /// Age of the node's newest telemetry at snapshot time, in milliseconds.
    pub fn telemetry_age_ms(&self) -> u32 {
        read(&self.snapshot.nodes.telemetry_age_ms, self.at())
    }

    /// The node's GPUs, in row order.
    #[inline]
    pub fn gpus(&self) -> Rows<'a, GpuView<'a>> {
        let nodes = &self.snapshot.nodes;
        Rows::new(
            self.snapshot,
            children(
                &nodes.gpu_start,
                self.row,
                row_count(&self.snapshot.gpus.node),
            ),
        )
    }

    /// The node's labels as `(key, value)`, in row order.
    pub fn labels(&self) -> impl ExactSizeIterator<Item = (&'a str, &'a str)> + 'a {
        let labels = &self.snapshot.labels;
        let rows = children(
            &self.snapshot.nodes.label_start,
            self.row,
            row_count(&labels.node),
        );
        let view = self.view();
        Column::<u32>::new(&labels.key)
            .rows(rows.clone())
            .iter()
            .zip(Column::<u32>::new(&labels.value).rows(rows))
            .map(move |(key, value)| (view.string(key), view.string(value)))
    }

    /// The value of the node's label `key`.
    pub fn label(&self, key: &str) -> Option<&'a str> {
        self.labels()
            .find(|&(label, _)| label == key)
            .map(|(_, value)| value)
    }

    fn view(&self) -> SnapshotView<'a> {
        SnapshotView::new(self.snapshot)
    }
}
