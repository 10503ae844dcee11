//! A scenario: the fleet, the instance group, the faults, the load, the SLO,
//! the cycle and the guard rails one simulation runs under, read from a TOML
//! file (`examples/simulate/*.toml` documents every key).
//!
//! - `file.rs`: the file's shape (every table `deny_unknown_fields`);
//! - `resolve.rs`: the shape checked and turned into a [`Scenario`], every
//!   problem collected and named with its key and line;
//! - `rails.rs`: the `[guard]` table, read as the host's configuration reads it.

mod file;
mod rails;
mod resolve;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::gpu::{Cooling, GpuKind};
use super::load::Synthetic;
use super::replica::{ReplicaSpec, ServedModel};
use crate::guard::GuardRails;

/// A scenario, checked.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    /// Virtual time simulated, s; for a trace, its span unless set.
    pub duration_s: Option<f64>,
    /// Seconds between control cycles.
    pub cycle_s: f64,
    /// Seed of the load's random numbers, unless the command line gives one.
    pub seed: u64,
    pub model: ServedModel,
    pub slo: Slo,
    pub load: Load,
    /// Node classes, in slot order.
    pub fleet: Vec<NodeClass>,
    pub pool: PoolSpec,
    pub group: Option<GroupSpec>,
    pub faults: Vec<Fault>,
    pub guard: GuardRails,
    /// Per policy name (its metadata name): settings and priority.
    pub policies: BTreeMap<String, PolicyOptions>,
}

/// The service level every request is held to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slo {
    /// Time to first token, s.
    pub ttft_s: f64,
    /// Share of a minute's requests that must meet it for the minute to count as met.
    pub attainment: f64,
}

/// Where requests come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Load {
    Trace {
        path: PathBuf,
        scale: f64,
        jitter_s: f64,
    },
    Synthetic(Synthetic),
}

/// `count` nodes alike.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeClass {
    pub count: u32,
    pub gpu: GpuKind,
    pub gpus: u32,
    pub cooling: Cooling,
    /// Every GPU's MIG layout, when MIG mode is on: each instance with the
    /// replica it runs.
    pub mig: Option<Vec<MigSlot>>,
    /// A whole GPU's replica, when MIG mode is off.
    pub replica: Option<ReplicaSpec>,
}

/// One MIG instance of a layout.
#[derive(Debug, Clone, PartialEq)]
pub struct MigSlot {
    pub profile: &'static str,
    pub start: u8,
    pub size: u8,
    pub replica: ReplicaSpec,
}

/// The load balancer pool the nodes are members of.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolSpec {
    pub name: String,
    /// Every member's ratio at the start and when it joins.
    pub initial_ratio: u32,
}

/// The managed instance group the nodes belong to.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupSpec {
    pub name: String,
    /// The target size at the start, and the seed baseline's fixed size.
    pub initial: u32,
    pub min: u32,
    pub max: u32,
    /// From creation to serving: the VM's boot and the model's load, s.
    pub boot_s: f64,
    /// Windows in which no instance can be created.
    pub stockouts: Vec<(f64, f64)>,
}

/// Something that goes wrong on a node.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub at_s: f64,
    /// Slot of the node.
    pub slot: usize,
    pub kind: FaultKind,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FaultKind {
    /// GPU `gpu` reports `xid`; a fatal one loses its work until the GPU is
    /// reset after `recover_s` (never, when `None`).
    Xid {
        gpu: u32,
        xid: u32,
        recover_s: Option<f64>,
    },
    /// The node is lost: it stops answering, its work is lost.
    Lost,
}

/// How one policy is run.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyOptions {
    /// Its settings, a JSON object.
    pub settings: serde_json::Value,
    pub priority: i32,
}

/// A scenario file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("{}: cannot read the scenario", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}", problems.iter().map(|p| format!("{}: {p}", path.display())).collect::<Vec<_>>().join("\n"))]
    Invalid {
        path: PathBuf,
        /// Every problem, `key (line N): what`.
        problems: Vec<String>,
    },
}

impl Scenario {
    /// Read and check the scenario at `path`; a trace it names is relative
    /// to the file's directory.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: path.to_owned(),
            source,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        resolve::resolve(&text, base).map_err(|problems| ScenarioError::Invalid {
            path: path.to_owned(),
            problems,
        })
    }

    /// Check the scenario `text`; relative paths are relative to `base`,
    /// which problems are reported against.
    pub fn parse(text: &str, base: &Path) -> Result<Scenario, ScenarioError> {
        resolve::resolve(text, base).map_err(|problems| ScenarioError::Invalid {
            path: base.to_owned(),
            problems,
        })
    }

    /// Every node slot's class, in slot order.
    pub fn slot_classes(&self) -> Vec<usize> {
        self.fleet
            .iter()
            .enumerate()
            .flat_map(|(class, c)| std::iter::repeat_n(class, c.count as usize))
            .collect()
    }
}

/// The name of the node in slot `slot`, as in the BIG-IP seed (`ml-node-1`, …).
pub fn node_name(slot: usize) -> String {
    format!("ml-node-{}", slot + 1)
}
