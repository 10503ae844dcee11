//! `[[telemetry]]`: where GPU telemetry comes from, one table per source,
//! selected by `kind = "dcgm" | "prometheus" | "nvidia-smi"`, with the
//! defaults a real deployment starts from ([`TelemetryConfig`]). A key the
//! kind does not read is refused, as is an unknown one.
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
//! `{name}` from each node being collected for; `templates` checks them.

use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::problem::Problems;
use super::resolve::{Resolve, Resolver};
use super::templates::{self, Input};
use crate::sources::{
    DcgmConfig, JoinBy, NvidiaSmiConfig, NvidiaSmiFormat, PrometheusConfig, PrometheusQueries,
    TelemetryConfig,
};

/// `[[telemetry]]` as written: every kind's keys, each checked against `kind`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TelemetryToml {
    kind: Spanned<Kind>,
    /// dcgm: the scrape URL template; prometheus: the server.
    url: Option<Spanned<String>>,
    urls: Option<Spanned<Vec<Spanned<String>>>>,
    join: Option<Spanned<JoinToml>>,
    timeout_ms: Option<Spanned<u64>>,
    stale_after_ms: Option<Spanned<u64>>,
    queries: Option<Spanned<QueriesToml>>,
    address_label: Option<Spanned<String>>,
    format: Option<Spanned<FormatToml>>,
    command: Option<Spanned<Vec<String>>>,
    file: Option<Spanned<String>>,
    list_command: Option<Spanned<Vec<String>>>,
    list_file: Option<Spanned<String>>,
    node: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Kind {
    Dcgm,
    Prometheus,
    NvidiaSmi,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Dcgm => "dcgm",
            Kind::Prometheus => "prometheus",
            Kind::NvidiaSmi => "nvidia-smi",
        }
    }

    /// The keys beyond `kind`, `join`, `timeout_ms` and `stale_after_ms`
    /// that this kind reads.
    fn own_keys(self) -> &'static [&'static str] {
        match self {
            Kind::Dcgm => &["url", "urls"],
            Kind::Prometheus => &["url", "queries", "address_label"],
            Kind::NvidiaSmi => &[
                "format",
                "command",
                "file",
                "list_command",
                "list_file",
                "node",
            ],
        }
    }
}

/// `join` as written.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum JoinToml {
    Address,
    Hostname,
}

/// `format` as written.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum FormatToml {
    Csv,
    Table,
}

/// `queries` as written: each replaces its default.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QueriesToml {
    utilization: Option<String>,
    gpu_util: Option<String>,
    tensor_activity: Option<String>,
    dram_activity: Option<String>,
    memory_used: Option<String>,
    memory_free: Option<String>,
    memory_reserved: Option<String>,
    temperature: Option<String>,
    power: Option<String>,
    power_limit: Option<String>,
    sm_clock: Option<String>,
    memory_clock: Option<String>,
    xid: Option<String>,
    throttle_reasons: Option<String>,
}

/// A target not answered within this is abandoned.
const DEFAULT_TIMEOUT_MS: u64 = 2_000;
/// Three of dcgm-exporter's default 30 s collection intervals.
const DEFAULT_STALE_AFTER_MS: u64 = 90_000;
/// The Prometheus label holding the exporter's `host:port`.
const DEFAULT_ADDRESS_LABEL: &str = "instance";

impl Resolve for TelemetryToml {
    type Output = TelemetryConfig;

    fn resolve(self, cx: &Resolver<'_>, problems: &mut Problems) -> TelemetryConfig {
        let kind = *self.kind.get_ref();
        self.refuse_foreign_keys(kind, cx, problems);
        let join = match self.join.map(Spanned::into_inner) {
            None | Some(JoinToml::Address) => JoinBy::Address,
            Some(JoinToml::Hostname) => JoinBy::Hostname,
        };
        let timeout = Duration::from_millis(cx.in_range(
            "timeout_ms",
            self.timeout_ms,
            1..=600_000,
            DEFAULT_TIMEOUT_MS,
            problems,
        ));
        let stale_after = Duration::from_millis(cx.in_range(
            "stale_after_ms",
            self.stale_after_ms,
            1..=u64::from(u32::MAX),
            DEFAULT_STALE_AFTER_MS,
            problems,
        ));
        match kind {
            Kind::Dcgm => {
                if let Some(url) = &self.url {
                    templates::check_url_template(cx, "url", url, problems);
                }
                let urls = self.urls.map_or_else(Vec::new, Spanned::into_inner);
                for (i, url) in urls.iter().enumerate() {
                    templates::check_url(cx, &format!("urls[{i}]"), url, problems);
                }
                TelemetryConfig::Dcgm(DcgmConfig {
                    url: self.url.map(Spanned::into_inner),
                    urls: urls.into_iter().map(Spanned::into_inner).collect(),
                    join,
                    timeout,
                    stale_after,
                })
            }
            Kind::Prometheus => {
                let url = match self.url {
                    Some(url) => {
                        templates::check_url(cx, "url", &url, problems);
                        url.into_inner()
                    }
                    None => {
                        problems.push(cx.here("url", "required for kind \"prometheus\""));
                        String::new()
                    }
                };
                let queries = match self.queries {
                    Some(queries) => {
                        let resolved = queries.get_ref().over_defaults();
                        if resolved.by_field().is_empty() {
                            problems.push(cx.problem("queries", &queries, "every query is empty"));
                        }
                        resolved
                    }
                    None => PrometheusQueries::default(),
                };
                let address_label = match self.address_label {
                    Some(label) if label.get_ref().is_empty() => {
                        problems.push(cx.problem("address_label", &label, "empty"));
                        String::new()
                    }
                    Some(label) => label.into_inner(),
                    None => DEFAULT_ADDRESS_LABEL.to_owned(),
                };
                TelemetryConfig::Prometheus(PrometheusConfig {
                    url,
                    queries,
                    join,
                    address_label,
                    timeout,
                    stale_after,
                })
            }
            Kind::NvidiaSmi => {
                let per_node = self.node.is_none();
                let command = Input::new(("command", self.command), ("file", self.file));
                let list = Input::new(
                    ("list_command", self.list_command),
                    ("list_file", self.list_file),
                );
                command.check(cx, per_node, problems);
                list.check(cx, per_node, problems);
                if per_node && command.is_empty() {
                    problems.push(cx.here(
                        "node",
                        "required with the default command, which runs on this machine; or \
                         give a per-node `command` or `file` template",
                    ));
                }
                let (command, file) = command.into_inner();
                let (list_command, list_file) = list.into_inner();
                TelemetryConfig::NvidiaSmi(NvidiaSmiConfig {
                    format: match self.format.map(Spanned::into_inner) {
                        None | Some(FormatToml::Csv) => NvidiaSmiFormat::Csv,
                        Some(FormatToml::Table) => NvidiaSmiFormat::Table,
                    },
                    command,
                    file,
                    list_command,
                    list_file,
                    node: self.node.map(Spanned::into_inner),
                    join,
                    timeout,
                    stale_after,
                })
            }
        }
    }
}

impl TelemetryToml {
    /// A problem for each key written that `kind` does not read.
    fn refuse_foreign_keys(&self, kind: Kind, cx: &Resolver<'_>, problems: &mut Problems) {
        fn start<T>(value: &Option<Spanned<T>>) -> Option<usize> {
            value.as_ref().map(|v| v.span().start)
        }
        let written = [
            ("url", start(&self.url)),
            ("urls", start(&self.urls)),
            ("queries", start(&self.queries)),
            ("address_label", start(&self.address_label)),
            ("format", start(&self.format)),
            ("command", start(&self.command)),
            ("file", start(&self.file)),
            ("list_command", start(&self.list_command)),
            ("list_file", start(&self.list_file)),
            ("node", start(&self.node)),
        ];
        for (key, at) in written {
            if let Some(at) = at
                && !kind.own_keys().contains(&key)
            {
                problems.push(cx.problem_at(
                    key,
                    at,
                    format_args!("not a key of kind \"{}\"", kind.name()),
                ));
            }
        }
    }
}

impl QueriesToml {
    /// The queries given, the defaults for the rest.
    fn over_defaults(&self) -> PrometheusQueries {
        let d = PrometheusQueries::default();
        let or = |given: &Option<String>, default: String| given.clone().unwrap_or(default);
        PrometheusQueries {
            utilization: or(&self.utilization, d.utilization),
            gpu_util: or(&self.gpu_util, d.gpu_util),
            tensor_activity: or(&self.tensor_activity, d.tensor_activity),
            dram_activity: or(&self.dram_activity, d.dram_activity),
            memory_used: or(&self.memory_used, d.memory_used),
            memory_free: or(&self.memory_free, d.memory_free),
            memory_reserved: or(&self.memory_reserved, d.memory_reserved),
            temperature: or(&self.temperature, d.temperature),
            power: or(&self.power, d.power),
            power_limit: or(&self.power_limit, d.power_limit),
            sm_clock: or(&self.sm_clock, d.sm_clock),
            memory_clock: or(&self.memory_clock, d.memory_clock),
            xid: or(&self.xid, d.xid),
            throttle_reasons: or(&self.throttle_reasons, d.throttle_reasons),
        }
    }
}
