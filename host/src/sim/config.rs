//! [`FleetConfig`]: the shape of the embedded simulated fleet the demo runs
//! on, as the `[fleet]` table of the configuration file sets it.

/// A fault the fleet injects on a schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeFault {
    /// Node index (0-based).
    pub node: usize,
    /// GPU index on the node.
    pub gpu: usize,
    /// XID the GPU reports (79: fallen off the bus).
    pub xid: u32,
    /// First and last cycle (inclusive) the fault lasts.
    pub cycles: std::ops::RangeInclusive<u64>,
}

/// Shape of the simulated fleet.
#[derive(Debug, Clone, PartialEq)]
pub struct FleetConfig {
    /// Number of GPU nodes; nodes live at 127.0.1.1, 127.0.1.2, …
    pub nodes: usize,
    pub gpus_per_node: usize,
    /// Requests per second offered to the pool, on average.
    pub offered_load_rps: f64,
    /// Simulated seconds per cycle.
    pub step_s: f64,
    /// Scheduled GPU faults.
    pub faults: Vec<NodeFault>,
}

impl Default for FleetConfig {
    /// The seed topology: three nodes of eight GPUs, one of them badly cooled,
    /// one of an older generation, and an XID on the third mid-run.
    fn default() -> Self {
        FleetConfig {
            nodes: 3,
            gpus_per_node: 8,
            offered_load_rps: 450.0,
            step_s: 5.0,
            faults: vec![NodeFault {
                node: 2,
                gpu: 3,
                xid: 79,
                cycles: 9..=13,
            }],
        }
    }
}
