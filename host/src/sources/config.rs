//! The typed configuration of the GPU telemetry sources, one per
//! `[[telemetry]]` table of the configuration file (whose shape, defaults and
//! checks live in `config::telemetry`): a DCGM exporter scrape, a Prometheus
//! server, or `nvidia-smi`.
//!
//! Templates (`url`, `command`, `file`) take `{address}`, `{hostname}` and
//! `{name}` from each node being collected for (a pool member's address, a
//! managed instance's name and host name).

use std::time::Duration;

/// One telemetry source.
// Built once at startup; the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum TelemetryConfig {
    /// Scrape DCGM exporters' `/metrics` directly.
    Dcgm(DcgmConfig),
    /// Read DCGM series back from a Prometheus server that scrapes the exporters.
    Prometheus(PrometheusConfig),
    /// Run `nvidia-smi --query-gpu` (or read its saved output).
    NvidiaSmi(NvidiaSmiConfig),
}

/// How telemetry that does not come from a per-node target is matched to a node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum JoinBy {
    /// By the node's address: a fixed scrape URL's host, a Prometheus series'
    /// `instance` (host part), `node` of an nvidia-smi source.
    #[default]
    Address,
    /// By the node's host name: the exporter's `Hostname`/`hostname` label,
    /// `node` of an nvidia-smi source.
    Hostname,
}

/// `kind = "dcgm"`.
#[derive(Debug, Clone, PartialEq)]
pub struct DcgmConfig {
    /// Scrape URL template, one target per node. Default
    /// `http://{address}:9400/metrics` unless `urls` is given.
    pub url: Option<String>,
    /// Fixed scrape URLs, matched to nodes by `join` after the scrape.
    pub urls: Vec<String>,
    /// How a fixed URL's scrape finds its node.
    pub join: JoinBy,
    /// A scrape not answered within this is abandoned (the node keeps its last values).
    pub timeout: Duration,
    /// A node whose newest values are older than this is stale.
    pub stale_after: Duration,
}

/// `kind = "prometheus"`.
#[derive(Debug, Clone, PartialEq)]
pub struct PrometheusConfig {
    /// The server's base URL (`http://prometheus:9090`); queries go to
    /// `<url>/api/v1/query`.
    pub url: String,
    /// The PromQL for each reading.
    pub queries: PrometheusQueries,
    /// How a series finds its node.
    pub join: JoinBy,
    /// The label holding the exporter's `host:port`, for `join = "address"`.
    pub address_label: String,
    /// Each query not answered within this fails (the nodes keep their last values).
    pub timeout: Duration,
    /// A node whose newest sample is older than this is stale.
    pub stale_after: Duration,
}

/// Instant PromQL queries, one per reading; each must return a vector whose
/// series keep the exporter's labels (`UUID`/`gpu`, `GPU_I_ID`, `Hostname`,
/// `instance`). The result is read as the DCGM field named in the default,
/// units included. An empty string skips the reading.
#[derive(Debug, Clone, PartialEq)]
pub struct PrometheusQueries {
    /// Graphics-engine activity, ratio 0..=1.
    pub utilization: String,
    /// GPU utilisation, percent; used when the above gives nothing.
    pub gpu_util: String,
    /// Tensor-pipe activity, ratio.
    pub tensor_activity: String,
    /// DRAM activity, ratio.
    pub dram_activity: String,
    /// Framebuffer used, MiB.
    pub memory_used: String,
    /// Framebuffer free, MiB.
    pub memory_free: String,
    /// Framebuffer reserved, MiB.
    pub memory_reserved: String,
    /// Temperature, °C.
    pub temperature: String,
    /// Power draw, W.
    pub power: String,
    /// Power limit, W.
    pub power_limit: String,
    /// SM clock, MHz.
    pub sm_clock: String,
    /// Memory clock, MHz.
    pub memory_clock: String,
    /// Last XID.
    pub xid: String,
    /// Clock-event reasons bitmask.
    pub throttle_reasons: String,
}

impl Default for PrometheusQueries {
    fn default() -> Self {
        let q = str::to_owned;
        PrometheusQueries {
            utilization: q("DCGM_FI_PROF_GR_ENGINE_ACTIVE"),
            gpu_util: q("DCGM_FI_DEV_GPU_UTIL"),
            tensor_activity: q("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE"),
            dram_activity: q("DCGM_FI_PROF_DRAM_ACTIVE"),
            memory_used: q("DCGM_FI_DEV_FB_USED"),
            memory_free: q("DCGM_FI_DEV_FB_FREE"),
            memory_reserved: q("DCGM_FI_DEV_FB_RESERVED"),
            temperature: q("DCGM_FI_DEV_GPU_TEMP"),
            power: q("DCGM_FI_DEV_POWER_USAGE"),
            power_limit: q("DCGM_FI_DEV_POWER_MGMT_LIMIT"),
            sm_clock: q("DCGM_FI_DEV_SM_CLOCK"),
            memory_clock: q("DCGM_FI_DEV_MEM_CLOCK"),
            xid: q("DCGM_FI_DEV_XID_ERRORS"),
            throttle_reasons: q("DCGM_FI_DEV_CLOCKS_EVENT_REASONS"),
        }
    }
}

impl PrometheusQueries {
    /// Each non-empty query with the DCGM field its result is read as.
    pub(crate) fn by_field(&self) -> Vec<(&'static str, &str)> {
        let PrometheusQueries {
            utilization,
            gpu_util,
            tensor_activity,
            dram_activity,
            memory_used,
            memory_free,
            memory_reserved,
            temperature,
            power,
            power_limit,
            sm_clock,
            memory_clock,
            xid,
            throttle_reasons,
        } = self;
        [
            ("DCGM_FI_PROF_GR_ENGINE_ACTIVE", utilization),
            ("DCGM_FI_DEV_GPU_UTIL", gpu_util),
            ("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", tensor_activity),
            ("DCGM_FI_PROF_DRAM_ACTIVE", dram_activity),
            ("DCGM_FI_DEV_FB_USED", memory_used),
            ("DCGM_FI_DEV_FB_FREE", memory_free),
            ("DCGM_FI_DEV_FB_RESERVED", memory_reserved),
            ("DCGM_FI_DEV_GPU_TEMP", temperature),
            ("DCGM_FI_DEV_POWER_USAGE", power),
            ("DCGM_FI_DEV_POWER_MGMT_LIMIT", power_limit),
            ("DCGM_FI_DEV_SM_CLOCK", sm_clock),
            ("DCGM_FI_DEV_MEM_CLOCK", memory_clock),
            ("DCGM_FI_DEV_XID_ERRORS", xid),
            ("DCGM_FI_DEV_CLOCKS_EVENT_REASONS", throttle_reasons),
        ]
        .into_iter()
        .filter(|(_, query)| !query.trim().is_empty())
        .map(|(field, query)| (field, query.as_str()))
        .collect()
    }
}

/// `kind = "nvidia-smi"`.
#[derive(Debug, Clone, PartialEq)]
pub struct NvidiaSmiConfig {
    /// What `command` or `file` holds.
    pub format: NvidiaSmiFormat,
    /// The command, argv without a shell. Default `nvidia-smi
    /// --query-gpu=<the fields read> --format=csv`, or plain `nvidia-smi` for
    /// the table, unless `file` is given.
    pub command: Option<Vec<String>>,
    /// Read the command's output from this file instead.
    pub file: Option<String>,
    /// The `nvidia-smi -L` command, for the MIG devices; not run when absent.
    pub list_command: Option<Vec<String>>,
    /// Read the `nvidia-smi -L` output from this file instead.
    pub list_file: Option<String>,
    /// The one node this output is about (its address or host name, per
    /// `join`). When absent, the command or file is a template run once per node.
    pub node: Option<String>,
    /// How `node` is matched.
    pub join: JoinBy,
    /// A command still running after this is killed (the node keeps its last values).
    pub timeout: Duration,
    /// A node whose newest values are older than this is stale.
    pub stale_after: Duration,
}

/// Which nvidia-smi output a source reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum NvidiaSmiFormat {
    /// `--query-gpu=… --format=csv`: every value a snapshot takes, by name.
    #[default]
    Csv,
    /// The default table of plain `nvidia-smi`, MIG devices included. It
    /// names no UUIDs or MIG profiles; the `-L` listing (`list_command` or
    /// `list_file`) adds them.
    Table,
}

/// The `--query-gpu` fields the parser reads.
pub const NVIDIA_SMI_QUERY_FIELDS: &str = "index,uuid,name,utilization.gpu,memory.total,\
memory.used,memory.free,memory.reserved,temperature.gpu,power.draw,enforced.power.limit,\
clocks.current.sm,clocks.current.memory,clocks_event_reasons.active,mig.mode.current,driver_version";

/// DCGM exporter's default port, in the default scrape URL.
pub const DEFAULT_DCGM_URL: &str = "http://{address}:9400/metrics";

impl TelemetryConfig {
    /// `"dcgm"`, `"prometheus"` or `"nvidia-smi"`.
    pub fn kind(&self) -> &'static str {
        match self {
            TelemetryConfig::Dcgm(_) => "dcgm",
            TelemetryConfig::Prometheus(_) => "prometheus",
            TelemetryConfig::NvidiaSmi(_) => "nvidia-smi",
        }
    }

    /// The staleness limit.
    pub fn stale_after(&self) -> Duration {
        match self {
            TelemetryConfig::Dcgm(c) => c.stale_after,
            TelemetryConfig::Prometheus(c) => c.stale_after,
            TelemetryConfig::NvidiaSmi(c) => c.stale_after,
        }
    }
}
