//! The file shape of the GPU telemetry sources: one `[[telemetry]]` table per
//! source, selected by `kind = "dcgm" | "prometheus" | "nvidia-smi"`, with the
//! defaults a real deployment starts from; and the checks a source must pass
//! before the first cycle ([`TelemetryConfig::check`]). Unknown keys are
//! rejected.
//!
//! ```toml
//! [[telemetry]]
//! kind = "dcgm"                               # every key below is optional
//! url = "http://{address}:9400/metrics"       # one scrape per node
//! timeout_ms = 2000
//! stale_after_ms = 90000
//!
//! [[telemetry]]
//! kind = "prometheus"
//! url = "http://prometheus:9090"
//! join = "hostname"                           # by the exporter's Hostname label
//! queries.utilization = "avg_over_time(DCGM_FI_PROF_GR_ENGINE_ACTIVE[1m])"
//!
//! [[telemetry]]
//! kind = "nvidia-smi"
//! command = ["ssh", "{address}", "nvidia-smi", "--query-gpu=index,uuid,utilization.gpu", "--format=csv"]
//!
//! [[telemetry]]
//! kind = "nvidia-smi"
//! format = "table"                            # plain `nvidia-smi`, as saved by other tools
//! file = "/var/log/gpu/{name}.txt"
//! list_file = "/var/log/gpu/{name}-L.txt"     # UUIDs and MIG profiles
//! ```
//!
//! Templates (`url`, `command`, `file`) take `{address}`, `{hostname}` and
//! `{name}` from each node being collected for (a pool member's address, a
//! managed instance's name and host name).

use serde::Deserialize;

/// One telemetry source.
// Built once at startup; the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum TelemetryConfig {
    /// Scrape DCGM exporters' `/metrics` directly.
    Dcgm(DcgmConfig),
    /// Read DCGM series back from a Prometheus server that scrapes the exporters.
    Prometheus(PrometheusConfig),
    /// Run `nvidia-smi --query-gpu` (or read its saved output).
    NvidiaSmi(NvidiaSmiConfig),
}

/// How telemetry that does not come from a per-node target is matched to a node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
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
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DcgmConfig {
    /// Scrape URL template, one target per node. Default
    /// `http://{address}:9400/metrics` unless `urls` is given.
    #[serde(default)]
    pub url: Option<String>,
    /// Fixed scrape URLs, matched to nodes by `join` after the scrape.
    #[serde(default)]
    pub urls: Vec<String>,
    /// How a fixed URL's scrape finds its node.
    #[serde(default)]
    pub join: JoinBy,
    /// A scrape not answered within this is abandoned (the node keeps its last values).
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// A node whose newest values are older than this is stale.
    #[serde(default = "default_stale_after_ms")]
    pub stale_after_ms: u64,
}

/// `kind = "prometheus"`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrometheusConfig {
    /// The server's base URL (`http://prometheus:9090`); queries go to
    /// `<url>/api/v1/query`.
    pub url: String,
    /// The PromQL for each reading.
    #[serde(default)]
    pub queries: PrometheusQueries,
    /// How a series finds its node.
    #[serde(default)]
    pub join: JoinBy,
    /// The label holding the exporter's `host:port`, for `join = "address"`.
    #[serde(default = "default_address_label")]
    pub address_label: String,
    /// Each query not answered within this fails (the nodes keep their last values).
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// A node whose newest sample is older than this is stale.
    #[serde(default = "default_stale_after_ms")]
    pub stale_after_ms: u64,
}

/// Instant PromQL queries, one per reading; each must return a vector whose
/// series keep the exporter's labels (`UUID`/`gpu`, `GPU_I_ID`, `Hostname`,
/// `instance`). The result is read as the DCGM field named in the default,
/// units included. An empty string skips the reading.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
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
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NvidiaSmiConfig {
    /// What `command` or `file` holds.
    #[serde(default)]
    pub format: NvidiaSmiFormat,
    /// The command, argv without a shell. Default `nvidia-smi
    /// --query-gpu=<the fields read> --format=csv`, or plain `nvidia-smi` for
    /// the table, unless `file` is given.
    #[serde(default)]
    pub command: Option<Vec<String>>,
    /// Read the command's output from this file instead.
    #[serde(default)]
    pub file: Option<String>,
    /// The `nvidia-smi -L` command, for the MIG devices; not run when absent.
    #[serde(default)]
    pub list_command: Option<Vec<String>>,
    /// Read the `nvidia-smi -L` output from this file instead.
    #[serde(default)]
    pub list_file: Option<String>,
    /// The one node this output is about (its address or host name, per
    /// `join`). When absent, the command or file is a template run once per node.
    #[serde(default)]
    pub node: Option<String>,
    /// How `node` is matched.
    #[serde(default)]
    pub join: JoinBy,
    /// A command still running after this is killed (the node keeps its last values).
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// A node whose newest values are older than this is stale.
    #[serde(default = "default_stale_after_ms")]
    pub stale_after_ms: u64,
}

/// Which nvidia-smi output a source reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
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

fn default_timeout_ms() -> u64 {
    2_000
}

/// Three of dcgm-exporter's default 30 s collection intervals.
fn default_stale_after_ms() -> u64 {
    90_000
}

fn default_address_label() -> String {
    "instance".to_owned()
}

/// Template placeholders.
const PLACEHOLDERS: [&str; 3] = ["{address}", "{hostname}", "{name}"];

impl TelemetryConfig {
    /// `"dcgm"`, `"prometheus"` or `"nvidia-smi"`.
    pub fn kind(&self) -> &'static str {
        match self {
            TelemetryConfig::Dcgm(_) => "dcgm",
            TelemetryConfig::Prometheus(_) => "prometheus",
            TelemetryConfig::NvidiaSmi(_) => "nvidia-smi",
        }
    }

    /// The per-target time limit.
    pub fn timeout_ms(&self) -> u64 {
        match self {
            TelemetryConfig::Dcgm(c) => c.timeout_ms,
            TelemetryConfig::Prometheus(c) => c.timeout_ms,
            TelemetryConfig::NvidiaSmi(c) => c.timeout_ms,
        }
    }

    /// The staleness limit.
    pub fn stale_after_ms(&self) -> u64 {
        match self {
            TelemetryConfig::Dcgm(c) => c.stale_after_ms,
            TelemetryConfig::Prometheus(c) => c.stale_after_ms,
            TelemetryConfig::NvidiaSmi(c) => c.stale_after_ms,
        }
    }

    /// Every problem with this source, each as `<at>.<key>: <what is wrong>`
    /// where `at` names the table (`telemetry[0]`). Pure: no I/O.
    pub fn check(&self, at: &str) -> Vec<String> {
        let mut problems = Vec::new();
        let mut problem = |key: &str, what: String| problems.push(format!("{at}.{key}: {what}"));
        if !(1..=600_000).contains(&self.timeout_ms()) {
            problem(
                "timeout_ms",
                format!("{} is out of range 1..=600000", self.timeout_ms()),
            );
        }
        if self.stale_after_ms() == 0 || self.stale_after_ms() > u64::from(u32::MAX) {
            problem(
                "stale_after_ms",
                format!("{} is out of range 1..={}", self.stale_after_ms(), u32::MAX),
            );
        }
        match self {
            TelemetryConfig::Dcgm(c) => {
                if let Some(url) = &c.url {
                    check_url_template("url", url, &mut problem);
                }
                for (i, url) in c.urls.iter().enumerate() {
                    if let Err(why) = http_url(url) {
                        problem(&format!("urls[{i}]"), why);
                    }
                }
            }
            TelemetryConfig::Prometheus(c) => {
                if let Err(why) = http_url(&c.url) {
                    problem("url", why);
                }
                if c.queries.by_field().is_empty() {
                    problem("queries", "every query is empty".to_owned());
                }
                if c.address_label.is_empty() {
                    problem("address_label", "empty".to_owned());
                }
            }
            TelemetryConfig::NvidiaSmi(c) => {
                let per_node = c.node.is_none();
                check_input(
                    ("command", &c.command),
                    ("file", &c.file),
                    per_node,
                    &mut problem,
                );
                check_input(
                    ("list_command", &c.list_command),
                    ("list_file", &c.list_file),
                    per_node,
                    &mut problem,
                );
                if per_node && c.command.is_none() && c.file.is_none() {
                    problem(
                        "node",
                        "required with the default command, which runs on this machine; or \
                         give a per-node `command` or `file` template"
                            .to_owned(),
                    );
                }
            }
        }
        problems
    }
}

/// A template, checked after filling it in with a sample node.
fn check_url_template(key: &str, template: &str, problem: &mut impl FnMut(&str, String)) {
    check_placeholders(key, template, problem);
    let sample = PLACEHOLDERS
        .iter()
        .fold(template.to_owned(), |text, placeholder| {
            text.replace(placeholder, "127.0.0.1")
        });
    if let Err(why) = http_url(&sample) {
        problem(key, why);
    }
}

/// Braces in `text` that are not one of [`PLACEHOLDERS`].
fn check_placeholders(key: &str, text: &str, problem: &mut impl FnMut(&str, String)) {
    let rest = PLACEHOLDERS
        .iter()
        .fold(text.to_owned(), |text, placeholder| {
            text.replace(placeholder, "")
        });
    if rest.contains(['{', '}']) {
        problem(
            key,
            format!(
                "`{text}` has an unknown placeholder; expected one of: {}",
                PLACEHOLDERS.join(", ")
            ),
        );
    }
}

fn http_url(url: &str) -> Result<(), String> {
    match reqwest::Url::parse(url) {
        Ok(parsed) if parsed.scheme() == "http" || parsed.scheme() == "https" => Ok(()),
        Ok(parsed) => Err(format!(
            "`{url}`: scheme `{}` is not http or https",
            parsed.scheme()
        )),
        Err(error) => Err(format!("`{url}` is not a URL: {error}")),
    }
}

fn check_input(
    (command_key, command): (&str, &Option<Vec<String>>),
    (file_key, file): (&str, &Option<String>),
    per_node: bool,
    problem: &mut impl FnMut(&str, String),
) {
    match (command, file) {
        (Some(_), Some(_)) => problem(
            command_key,
            format!("give `{command_key}` or `{file_key}`, not both"),
        ),
        (Some(argv), None) => {
            if argv.first().is_none_or(String::is_empty) {
                problem(command_key, "empty; expected [program, args…]".to_owned());
            }
            for arg in argv {
                check_placeholders(command_key, arg, problem);
            }
            let templated = argv.iter().any(|arg| has_placeholder(arg));
            if per_node && !templated {
                problem(
                    command_key,
                    "runs once per node, so it must name the node ({address}, {hostname} or \
                     {name}); or set `node`"
                        .to_owned(),
                );
            }
        }
        (None, Some(path)) => {
            check_placeholders(file_key, path, problem);
            if per_node && !has_placeholder(path) {
                problem(
                    file_key,
                    "read once per node, so it must name the node ({address}, {hostname} or \
                     {name}); or set `node`"
                        .to_owned(),
                );
            }
        }
        (None, None) => {}
    }
}

fn has_placeholder(text: &str) -> bool {
    PLACEHOLDERS
        .iter()
        .any(|placeholder| text.contains(placeholder))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        telemetry: Vec<TelemetryConfig>,
    }

    fn parse(text: &str) -> Result<Vec<TelemetryConfig>, String> {
        toml::from_str::<File>(text)
            .map(|file| file.telemetry)
            .map_err(|error| error.to_string())
    }

    #[test]
    fn every_kind_reads_with_defaults() {
        let sources = parse(
            r#"
            [[telemetry]]
            kind = "dcgm"
            [[telemetry]]
            kind = "prometheus"
            url = "http://127.0.0.1:9090"
            queries.utilization = "avg_over_time(DCGM_FI_PROF_GR_ENGINE_ACTIVE[1m])"
            [[telemetry]]
            kind = "nvidia-smi"
            node = "gpu-1"
            join = "hostname"
            [[telemetry]]
            kind = "nvidia-smi"
            format = "table"
            file = "/var/log/gpu/{name}.txt"
            "#,
        )
        .unwrap();
        let TelemetryConfig::Dcgm(dcgm) = &sources[0] else {
            panic!("{sources:?}")
        };
        assert_eq!(dcgm.url, None);
        assert_eq!((dcgm.timeout_ms, dcgm.stale_after_ms), (2_000, 90_000));
        let TelemetryConfig::Prometheus(prometheus) = &sources[1] else {
            panic!("{sources:?}")
        };
        assert_eq!(prometheus.address_label, "instance");
        assert_eq!(prometheus.queries.gpu_util, "DCGM_FI_DEV_GPU_UTIL");
        assert_eq!(
            prometheus.queries.by_field()[0],
            (
                "DCGM_FI_PROF_GR_ENGINE_ACTIVE",
                "avg_over_time(DCGM_FI_PROF_GR_ENGINE_ACTIVE[1m])"
            )
        );
        let TelemetryConfig::NvidiaSmi(csv) = &sources[2] else {
            panic!("{sources:?}")
        };
        assert_eq!(csv.format, NvidiaSmiFormat::Csv);
        let TelemetryConfig::NvidiaSmi(table) = &sources[3] else {
            panic!("{sources:?}")
        };
        assert_eq!(table.format, NvidiaSmiFormat::Table);
        for (i, source) in sources.iter().enumerate() {
            assert_eq!(
                source.check(&format!("telemetry[{i}]")),
                Vec::<String>::new()
            );
        }
    }

    #[test]
    fn unknown_keys_and_kinds_are_rejected() {
        let error = parse("[[telemetry]]\nkind = \"dcgm\"\ntimeout = 5\n").unwrap_err();
        assert!(error.contains("unknown field `timeout`"), "{error}");
        let error = parse("[[telemetry]]\nkind = \"snmp\"\n").unwrap_err();
        assert!(error.contains("unknown variant `snmp`"), "{error}");
        let error = parse("[[telemetry]]\nkind = \"nvidia-smi\"\nformat = \"xml\"\n").unwrap_err();
        assert!(error.contains("unknown variant `xml`"), "{error}");
        let error = parse(
            "[[telemetry]]\nkind = \"prometheus\"\nurl = \"http://p\"\nqueries.util = \"x\"\n",
        )
        .unwrap_err();
        assert!(error.contains("unknown field `util`"), "{error}");
    }

    #[test]
    fn checks_name_the_table_and_key() {
        let sources = parse(
            r#"
            [[telemetry]]
            kind = "dcgm"
            url = "http://{adress}:9400/metrics"
            urls = ["ftp://x"]
            timeout_ms = 0
            [[telemetry]]
            kind = "nvidia-smi"
            command = ["nvidia-smi", "--query-gpu=uuid", "--format=csv"]
            [[telemetry]]
            kind = "nvidia-smi"
            "#,
        )
        .unwrap();
        let problems = sources[0].check("telemetry[0]");
        assert!(problems[0].starts_with("telemetry[0].timeout_ms: 0 is out of range"));
        assert!(problems[1].starts_with(
            "telemetry[0].url: `http://{adress}:9400/metrics` has an unknown placeholder"
        ));
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("telemetry[0].urls[0]: `ftp://x`: scheme `ftp`")),
            "{problems:?}"
        );
        let problems = sources[1].check("telemetry[1]");
        assert!(
            problems[0].starts_with("telemetry[1].command: runs once per node"),
            "{problems:?}"
        );
        let problems = sources[2].check("telemetry[2]");
        assert!(
            problems[0].starts_with("telemetry[2].node: required"),
            "{problems:?}"
        );
    }
}
