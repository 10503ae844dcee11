//! The scenario file checked and turned into a [`Scenario`]. A problem does
//! not stop the check: every one is collected, as `key (line N): what`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use toml::Spanned;

use super::file::*;
use super::rails::guard_rails;
use super::*;
use crate::config::line_of;
use crate::simulate::load::{Burst, Synthetic, Tokens};

/// The line of a byte offset, and the problems found so far.
struct Check<'a> {
    text: &'a str,
    problems: Vec<String>,
}

impl Check<'_> {
    fn line(&self, offset: usize) -> usize {
        line_of(self.text, offset)
    }

    fn problem<T>(&mut self, key: &str, at: &Spanned<T>, message: impl fmt::Display) {
        let line = self.line(at.span().start);
        self.problems
            .push(format!("{key} (line {line}): {message}"));
    }

    /// A duration such as `15s`, `90m`, `24h`.
    fn duration(&mut self, key: &str, value: &Spanned<String>) -> Option<f64> {
        match humantime::parse_duration(value.get_ref()) {
            Ok(duration) => Some(duration.as_secs_f64()),
            Err(err) => {
                self.problem(
                    key,
                    value,
                    format_args!(
                        "{:?} is not a duration such as \"15s\" or \"90m\" ({err})",
                        value.get_ref()
                    ),
                );
                None
            }
        }
    }

    fn duration_or(&mut self, key: &str, value: &At<String>, default: f64) -> f64 {
        value
            .as_ref()
            .and_then(|v| self.duration(key, v))
            .unwrap_or(default)
    }

    /// A number within `low..=high` (`open_low`: strictly above `low`).
    fn number<T>(&mut self, key: &str, value: &At<T>, default: T, range: Range<T>) -> T
    where
        T: Copy + PartialOrd + fmt::Display,
    {
        let Some(value) = value else {
            return default;
        };
        let v = *value.get_ref();
        let low_ok = if range.open_low {
            v > range.low
        } else {
            v >= range.low
        };
        if low_ok && v <= range.high {
            v
        } else {
            let low = if range.open_low { "above" } else { "from" };
            self.problem(
                key,
                value,
                format_args!(
                    "{v} is out of range; expected {low} {} to {}",
                    range.low, range.high
                ),
            );
            default
        }
    }
}

/// A range of numbers a key accepts.
struct Range<T> {
    low: T,
    high: T,
    open_low: bool,
}

fn closed<T>(low: T, high: T) -> Range<T> {
    Range {
        low,
        high,
        open_low: false,
    }
}

fn above<T>(low: T, high: T) -> Range<T> {
    Range {
        low,
        high,
        open_low: true,
    }
}

/// Default seconds between control cycles: a DCGM exporter's collection interval
/// is 30 s, the Kubernetes HPA's sync period 15 s.
const DEFAULT_CYCLE_S: f64 = 15.0;
/// Default time from an instance's creation to serving.
const DEFAULT_BOOT_S: f64 = 240.0;
/// The seed's `target_size`.
const SEED_GROUP_SIZE: u32 = 3;
/// BIG-IP's default member ratio: what a member gets when it is added to the
/// pool. A weighting policy raises a new member from there, step by step
/// within the guard's `member_ratio_step`, which gives it a slow start.
const DEFAULT_INITIAL_RATIO: u32 = 1;

pub(super) fn resolve(text: &str, base: &Path) -> Result<Scenario, Vec<String>> {
    let file: ScenarioToml = toml::from_str(text)
        .map_err(|err| vec![err.to_string().trim_end().replace('\n', "\n    ")])?;
    let mut check = Check {
        text,
        problems: Vec::new(),
    };
    let run = &file.run;
    let duration_s = run
        .duration
        .as_ref()
        .and_then(|d| check.duration("run.duration", d));
    let cycle_s = check.duration_or("run.cycle", &run.cycle, DEFAULT_CYCLE_S);
    if let Some(cycle) = &run.cycle
        && !(1.0..=3_600.0).contains(&cycle_s)
    {
        check.problem("run.cycle", cycle, "a cycle is 1 s to 1 h");
    }
    let model = model(&mut check, &file.model);
    let slo = Slo {
        ttft_s: check.number(
            "slo.ttft_ms",
            &file.slo.ttft_ms,
            2_000.0,
            above(0.0, 3_600_000.0),
        ) / 1_000.0,
        attainment: check.number(
            "slo.attainment",
            &file.slo.attainment,
            0.99,
            above(0.0, 1.0),
        ),
    };
    let load = load(&mut check, &file.load, base, duration_s);
    let fleet = fleet(&mut check, &file.fleet, &model);
    let slots: u32 = fleet.iter().map(|c| c.count).sum();
    let pool = PoolSpec {
        name: file
            .pool
            .as_ref()
            .and_then(|p| p.name.clone())
            .unwrap_or_else(|| "mlPool".to_owned()),
        initial_ratio: check.number(
            "pool.initial_ratio",
            &file.pool.as_ref().and_then(|p| p.initial_ratio.clone()),
            DEFAULT_INITIAL_RATIO,
            closed(1, 65_535),
        ),
    };
    let group = file.group.as_ref().map(|g| group(&mut check, g, slots));
    let faults = file
        .faults
        .iter()
        .enumerate()
        .filter_map(|(i, f)| fault(&mut check, i, f, &fleet))
        .collect();
    let guard = guard_rails(file.guard, text, &mut check.problems);
    let policies = file
        .policies
        .into_iter()
        .map(|(name, policy)| {
            let settings = serde_json::to_value(&policy.settings)
                .unwrap_or_else(|_| serde_json::Value::Object(Default::default()));
            (
                name,
                PolicyOptions {
                    settings,
                    priority: policy.priority,
                },
            )
        })
        .collect::<BTreeMap<_, _>>();
    if check.problems.is_empty() {
        Ok(Scenario {
            name: file.name.unwrap_or_else(|| "scenario".to_owned()),
            duration_s,
            cycle_s,
            seed: run.seed.unwrap_or(1),
            model,
            slo,
            load,
            fleet,
            pool,
            group,
            faults,
            guard,
            policies,
        })
    } else {
        Err(check.problems)
    }
}

fn model(check: &mut Check<'_>, m: &ModelToml) -> ServedModel {
    let d = ServedModel::default();
    const GIB: f64 = 1_073_741_824.0;
    ServedModel {
        name: m.name.clone().unwrap_or(d.name),
        parameters: check.number(
            "model.parameters_b",
            &m.parameters_b,
            d.parameters / 1e9,
            above(0.0, 10_000.0),
        ) * 1e9,
        weights_bytes: check.number(
            "model.weights_gib",
            &m.weights_gib,
            d.weights_bytes / GIB,
            above(0.0, 10_000.0),
        ) * GIB,
        kv_bytes_per_token: check.number(
            "model.kv_kib_per_token",
            &m.kv_kib_per_token,
            d.kv_bytes_per_token / 1_024.0,
            above(0.0, 1e6),
        ) * 1_024.0,
        max_batch: check.number(
            "model.max_batch",
            &m.max_batch,
            d.max_batch,
            closed(1, 65_536),
        ),
        prefill_efficiency: check.number(
            "model.prefill_efficiency",
            &m.prefill_efficiency,
            d.prefill_efficiency,
            above(0.0, 1.0),
        ),
        decode_efficiency: check.number(
            "model.decode_efficiency",
            &m.decode_efficiency,
            d.decode_efficiency,
            above(0.0, 1.0),
        ),
        memory_utilization: check.number(
            "model.memory_utilization",
            &m.memory_utilization,
            d.memory_utilization,
            above(0.0, 1.0),
        ),
    }
}

fn load(
    check: &mut Check<'_>,
    l: &Spanned<LoadToml>,
    base: &Path,
    duration_s: Option<f64>,
) -> Load {
    let load = l.get_ref();
    match (&load.trace, &load.synthetic) {
        (Some(trace), None) => Load::Trace {
            path: base.join(trace.get_ref()),
            scale: check.number("load.scale", &load.scale, 1.0, above(0.0, 1e6)),
            jitter_s: check.duration_or("load.jitter", &load.jitter, 1.0),
        },
        (None, Some(synthetic)) => {
            for (key, given) in [
                ("load.scale", load.scale.is_some()),
                ("load.jitter", load.jitter.is_some()),
            ] {
                if given {
                    check.problem(key, l, "applies to a trace, and the load is synthetic");
                }
            }
            if duration_s.is_none() {
                check.problem(
                    "run.duration",
                    synthetic,
                    "synthetic load needs run.duration",
                );
            }
            Load::Synthetic(self::synthetic(check, synthetic))
        }
        (Some(_), Some(synthetic)) => {
            check.problem(
                "load",
                synthetic,
                "give either `trace` or `[load.synthetic]`, not both",
            );
            Load::Synthetic(self::synthetic(check, synthetic))
        }
        (None, None) => {
            check.problem(
                "load",
                l,
                "give a `trace` file or a `[load.synthetic]` table",
            );
            Load::Trace {
                path: base.to_owned(),
                scale: 1.0,
                jitter_s: 1.0,
            }
        }
    }
}

fn synthetic(check: &mut Check<'_>, s: &Spanned<SyntheticToml>) -> Synthetic {
    let s = s.get_ref();
    let rate = Some(s.rate.clone());
    let bursts = s
        .bursts
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let key = |k: &str| format!("load.synthetic.bursts[{i}].{k}");
            let burst = b.get_ref();
            Burst {
                at_s: check.duration(&key("at"), &burst.at).unwrap_or(0.0),
                duration_s: check
                    .duration(&key("duration"), &burst.duration)
                    .unwrap_or(0.0),
                factor: check.number(
                    &key("factor"),
                    &Some(burst.factor.clone()),
                    1.0,
                    closed(0.0, 1e3),
                ),
            }
        })
        .collect();
    let prompt = check.number(
        "load.synthetic.prompt_tokens",
        &Some(s.prompt_tokens.clone()),
        1,
        closed(1, 1 << 20),
    );
    let output = check.number(
        "load.synthetic.output_tokens",
        &Some(s.output_tokens.clone()),
        1,
        closed(1, 1 << 20),
    );
    let exponential = match &s.tokens {
        None => false,
        Some(t) if t.get_ref() == "fixed" => false,
        Some(t) if t.get_ref() == "exponential" => true,
        Some(t) => {
            check.problem(
                "load.synthetic.tokens",
                t,
                format_args!("{:?}: expected \"fixed\" or \"exponential\"", t.get_ref()),
            );
            false
        }
    };
    let tokens = |n: u32| {
        if exponential {
            Tokens::Exponential(f64::from(n))
        } else {
            Tokens::Fixed(n)
        }
    };
    Synthetic {
        rate_rps: check.number("load.synthetic.rate", &rate, 1.0, above(0.0, 1e9)),
        amplitude: check.number(
            "load.synthetic.amplitude",
            &s.amplitude,
            0.0,
            closed(0.0, 0.99),
        ),
        period_s: check.duration_or("load.synthetic.period", &s.period, 86_400.0),
        peak_s: check.duration_or("load.synthetic.peak", &s.peak, 14.0 * 3_600.0),
        bursts,
        prompt: tokens(prompt),
        output: tokens(output),
    }
}

fn fleet(check: &mut Check<'_>, f: &Spanned<FleetToml>, model: &ServedModel) -> Vec<NodeClass> {
    if f.get_ref().nodes.is_empty() {
        check.problem("fleet.nodes", f, "the fleet has no nodes");
    }
    f.get_ref()
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| node_class(check, i, node, model))
        .collect()
}

fn node_class(
    check: &mut Check<'_>,
    i: usize,
    n: &Spanned<NodeClassToml>,
    model: &ServedModel,
) -> NodeClass {
    let key = |k: &str| format!("fleet.nodes[{i}].{k}");
    let node = n.get_ref();
    let gpu = GpuKind::from_key(node.gpu.get_ref()).unwrap_or_else(|| {
        let known: Vec<&str> = GpuKind::ALL.iter().map(|k| k.key()).collect();
        check.problem(
            &key("gpu"),
            &node.gpu,
            format_args!(
                "unknown GPU {:?}; expected one of {}",
                node.gpu.get_ref(),
                known.join(", ")
            ),
        );
        GpuKind::H100
    });
    let cooling = match node.cooling.as_ref().map(|c| (c, c.get_ref().as_str())) {
        None | Some((_, "normal")) => Cooling::Normal,
        Some((_, "poor")) => Cooling::Poor,
        Some((c, other)) => {
            check.problem(
                &key("cooling"),
                c,
                format_args!("{other:?}: expected \"normal\" or \"poor\""),
            );
            Cooling::Normal
        }
    };
    let count = check.number(&key("count"), &node.count, 1, closed(1, 100_000));
    let gpus = check.number(&key("gpus"), &node.gpus, 8, closed(1, 16));
    let (mig, replica) = match &node.mig {
        Some(profiles) => (
            Some(mig_layout(check, &key("mig"), profiles, gpu, model)),
            None,
        ),
        None => {
            let replica = ReplicaSpec::new(model, gpu, 1.0, 1.0);
            if replica.is_none() {
                check.problem(
                    &key("gpu"),
                    &node.gpu,
                    format_args!(
                        "{gpu} cannot hold the model's {:.1} GiB of weights",
                        model.weights_bytes / 1_073_741_824.0
                    ),
                );
            }
            (None, replica)
        }
    };
    NodeClass {
        count,
        gpu,
        gpus,
        cooling,
        mig,
        replica,
    }
}

fn mig_layout(
    check: &mut Check<'_>,
    key: &str,
    profiles: &Spanned<Vec<String>>,
    gpu: GpuKind,
    model: &ServedModel,
) -> Vec<MigSlot> {
    let placed = match fulcrum_mig::place(
        gpu.mig_model(),
        profiles.get_ref().iter().map(|p| (p.as_str(), 1)),
    ) {
        Ok(placed) => placed,
        Err(err) => {
            check.problem(key, profiles, err);
            return Vec::new();
        }
    };
    let mut slots = Vec::new();
    for p in placed {
        let class = p.profile.class;
        let compute = f64::from(class.compute_slices()) / f64::from(fulcrum_mig::COMPUTE_SLICES);
        let memory = f64::from(class.memory_slices()) / f64::from(fulcrum_mig::MEMORY_SLICES);
        match ReplicaSpec::new(model, gpu, compute, memory) {
            Some(replica) => slots.push(MigSlot {
                profile: p.profile.name,
                start: p.start,
                size: class.memory_slices(),
                replica,
            }),
            None => check.problem(
                key,
                profiles,
                format_args!(
                    "a {} instance of {gpu} ({:.1} GiB) cannot hold the model's {:.1} GiB of weights",
                    p.profile.name,
                    gpu.memory_mib() * memory / 1_024.0,
                    model.weights_bytes / 1_073_741_824.0
                ),
            ),
        }
    }
    slots
}

fn group(check: &mut Check<'_>, g: &Spanned<GroupToml>, slots: u32) -> GroupSpec {
    let group = g.get_ref();
    let max = check.number("group.max", &group.max, slots, closed(1, u32::MAX));
    if let Some(given) = &group.max
        && max > slots
    {
        check.problem(
            "group.max",
            given,
            format_args!("{max} is more than the fleet's {slots} nodes; the group grows into the fleet's slots in order"),
        );
    }
    let min = check.number("group.min", &group.min, 1, closed(0, max));
    let initial = check.number(
        "group.initial",
        &group.initial,
        SEED_GROUP_SIZE.clamp(min, max),
        closed(min, max),
    );
    let stockouts = group
        .stockouts
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let key = |k: &str| format!("group.stockouts[{i}].{k}");
            let from = check.duration(&key("from"), &s.get_ref().from)?;
            let until = check.duration(&key("until"), &s.get_ref().until)?;
            if until <= from {
                check.problem(
                    &key("until"),
                    &s.get_ref().until,
                    "a stockout ends after it starts",
                );
            }
            Some((from, until))
        })
        .collect();
    GroupSpec {
        name: group
            .name
            .clone()
            .unwrap_or_else(|| "tf-instance-group-manager".to_owned()),
        initial,
        min,
        max,
        boot_s: check.duration_or("group.boot", &group.boot, DEFAULT_BOOT_S),
        stockouts,
    }
}

fn fault(
    check: &mut Check<'_>,
    i: usize,
    f: &Spanned<FaultToml>,
    fleet: &[NodeClass],
) -> Option<Fault> {
    let key = |k: &str| format!("faults[{i}].{k}");
    let fault = f.get_ref();
    let at_s = check.duration(&key("at"), &fault.at);
    let slots: Vec<usize> = fleet
        .iter()
        .enumerate()
        .flat_map(|(class, c)| std::iter::repeat_n(class, c.count as usize))
        .collect();
    let slot = (0..slots.len()).find(|&s| node_name(s) == *fault.node.get_ref());
    if slot.is_none() {
        check.problem(
            &key("node"),
            &fault.node,
            format_args!(
                "no node {:?}; the fleet's nodes are ml-node-1 to ml-node-{}",
                fault.node.get_ref(),
                slots.len()
            ),
        );
    }
    let kind = match (fault.lost, &fault.xid) {
        (true, None) => {
            if let Some(r) = &fault.recover_after {
                check.problem(
                    &key("recover_after"),
                    r,
                    "a lost node does not recover; it is recreated when it is in the group",
                );
            }
            FaultKind::Lost
        }
        (false, Some(xid)) => {
            let gpu = fault.gpu.as_ref().map_or(0, |g| *g.get_ref());
            if let (Some(class), Some(g)) = (slot.map(|s| &fleet[slots[s]]), &fault.gpu)
                && gpu >= class.gpus
            {
                check.problem(
                    &key("gpu"),
                    g,
                    format_args!("the node has GPUs 0 to {}", class.gpus - 1),
                );
            }
            let recover_s = fault
                .recover_after
                .as_ref()
                .and_then(|r| check.duration(&key("recover_after"), r));
            FaultKind::Xid {
                gpu,
                xid: *xid.get_ref(),
                recover_s,
            }
        }
        _ => {
            check.problem(
                &key("xid"),
                f,
                "a fault is either `xid = N` (with `gpu`) or `lost = true`",
            );
            return None;
        }
    };
    Some(Fault {
        at_s: at_s?,
        slot: slot?,
        kind,
    })
}

#[cfg(test)]
mod tests;
