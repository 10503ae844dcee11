//! [`Problem`]: why a node counts as unhealthy, said the way an operator would.
//!
//! A node is unhealthy when the host judged it so, or when any of its GPUs is
//! unhealthy (a fatal XID, or unreachable). Degraded and unknown health do not
//! count: stale telemetry is handled apart, and a warning is no reason to take
//! capacity away.

use std::fmt;

use fulcrum_sdk::{Health, NodeView};

/// What is wrong with an unhealthy node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// GPU `index` reported XID `xid` and is unhealthy.
    Xid { index: u32, xid: u32 },
    /// GPU `index` is unhealthy without an XID (for example unreachable).
    Gpu { index: u32 },
    /// The host judged the node unhealthy; no GPU says why.
    Node,
}

impl Problem {
    /// The first thing wrong with `node`, or `None` when it is not unhealthy.
    pub fn of(node: NodeView<'_>) -> Option<Problem> {
        let gpu = node.gpus().find(|gpu| gpu.health() == Health::Unhealthy);
        match gpu {
            Some(gpu) if gpu.last_xid() != 0 => Some(Problem::Xid {
                index: gpu.index(),
                xid: gpu.last_xid(),
            }),
            Some(gpu) => Some(Problem::Gpu { index: gpu.index() }),
            None if node.health() == Health::Unhealthy => Some(Problem::Node),
            None => None,
        }
    }
}

/// The share of `node`'s GPUs that are not unhealthy; 1 for a node without GPUs.
pub fn healthy_share(node: NodeView<'_>) -> f32 {
    let (healthy, all) = node.gpus().fold((0u32, 0u32), |(healthy, all), gpu| {
        (
            healthy + u32::from(gpu.health() != Health::Unhealthy),
            all + 1,
        )
    });
    if all == 0 {
        1.0
    } else {
        healthy as f32 / all as f32
    }
}

/// "GPU 3 reported XID 79 (fallen off the bus)", "GPU 3 unhealthy", "node unhealthy"
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Problem::Xid { index, xid } => match xid_meaning(xid) {
                Some(meaning) => write!(f, "GPU {index} reported XID {xid} ({meaning})"),
                None => write!(f, "GPU {index} reported XID {xid}"),
            },
            Problem::Gpu { index } => write!(f, "GPU {index} unhealthy"),
            Problem::Node => f.write_str("node unhealthy"),
        }
    }
}

/// What the XIDs that most often take a GPU out mean (NVIDIA's XID catalogue).
fn xid_meaning(xid: u32) -> Option<&'static str> {
    Some(match xid {
        13 => "graphics engine exception",
        31 => "GPU memory page fault",
        43 => "GPU stopped processing",
        45 => "preemptive cleanup",
        48 => "double-bit ECC error",
        61 => "internal micro-controller breakpoint",
        62 => "internal micro-controller halt",
        63 => "row remapping recorded",
        64 => "row remapping failed",
        74 => "NVLink error",
        79 => "fallen off the bus",
        92 => "high single-bit ECC error rate",
        94 => "contained ECC error",
        95 => "uncontained ECC error",
        119 => "GSP RPC timeout",
        120 => "GSP error",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use fulcrum_sdk::SnapshotView;
    use fulcrum_sdk::testing::{GpuSample, SnapshotBuilder};

    use super::*;

    fn problem(node_health: Health, gpus: &[(Health, u32)]) -> Option<Problem> {
        let mut builder = SnapshotBuilder::new();
        let node = builder.node("n", "10.0.0.1");
        builder.node_health(node, node_health);
        for (index, &(health, last_xid)) in gpus.iter().enumerate() {
            builder.gpu(
                node,
                GpuSample {
                    index: index as u32,
                    health,
                    last_xid,
                    ..GpuSample::default()
                },
            );
        }
        let snapshot = builder.build();
        Problem::of(SnapshotView::new(&snapshot).node(node)?)
    }

    #[test]
    fn the_first_unhealthy_gpu_explains_the_problem() {
        let gpus = [
            (Health::Healthy, 0),
            (Health::Degraded, 31),
            (Health::Unhealthy, 79),
            (Health::Unhealthy, 48),
        ];
        let found = problem(Health::Unhealthy, &gpus);
        assert_eq!(found, Some(Problem::Xid { index: 2, xid: 79 }));
        assert_eq!(
            found.unwrap().to_string(),
            "GPU 2 reported XID 79 (fallen off the bus)"
        );
        assert_eq!(
            Problem::Xid { index: 0, xid: 999 }.to_string(),
            "GPU 0 reported XID 999"
        );
        assert_eq!(
            problem(Health::Healthy, &[(Health::Unhealthy, 0)])
                .unwrap()
                .to_string(),
            "GPU 0 unhealthy"
        );
    }

    #[test]
    fn node_health_counts_only_when_unhealthy() {
        assert_eq!(
            problem(Health::Unhealthy, &[(Health::Healthy, 0)])
                .unwrap()
                .to_string(),
            "node unhealthy"
        );
        assert_eq!(problem(Health::Degraded, &[(Health::Degraded, 31)]), None);
        assert_eq!(problem(Health::Unknown, &[]), None);
    }
}
