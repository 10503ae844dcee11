//! [`NodeScore`]: how much GPU capacity a node has free, 0 (none) ..= 1 (all).
//!
//! A GPU's score is the weighted mean of its free memory ratio and its idle
//! compute (1 − utilisation), over the measurements it reported; a hot GPU's
//! score is cut by `hot_penalty`, a throttled one's by `throttle_penalty`. The
//! node's score is the mean over GPUs that reported anything usable.

use std::fmt;
use std::ops::Range;

use fulcrum_sdk::{Column, NodeView};

use crate::settings::Settings;

/// A node's score and the figures behind it, for the decision's reason.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NodeScore {
    /// Mean score of the GPUs that reported, 0..=1.
    pub score: f32,
    /// Mean utilisation of the GPUs that reported it, 0..=1.
    utilization: Option<f32>,
    /// Mean free memory ratio of the GPUs that reported it, 0..=1.
    memory_free: Option<f32>,
    /// GPUs at or above the hot temperature, and the hottest one's temperature.
    hot: u32,
    hottest_c: f32,
    /// GPUs clock-throttled.
    throttled: u32,
}

impl NodeScore {
    /// Score `node`'s GPUs; `None` when no GPU reported a usable measurement.
    ///
    /// This runs for every node of the fleet, so it reads the node's rows of
    /// the GPU columns whole, checked once, rather than one view accessor
    /// (and one bounds check) per reading.
    pub fn of(node: NodeView<'_>, settings: &Settings) -> Option<NodeScore> {
        let rows = node.gpus().rows();
        let gpus = &node.snapshot().gpus;
        let readings = f32_rows(&gpus.utilization, &rows)
            .iter()
            .zip(f32_rows(&gpus.memory_used_mib, &rows))
            .zip(f32_rows(&gpus.memory_total_mib, &rows))
            .zip(f32_rows(&gpus.temperature_c, &rows))
            .zip(gpus.throttled.get(rows).unwrap_or_default());
        let mut sum = Sum::default();
        for ((((utilization, used), total), temperature), &throttled) in readings {
            let busy = measured(utilization);
            let free = measured(1.0 - used / total).filter(|_| total > 0.0);
            sum.utilization.add(busy);
            sum.memory_free.add(free);

            let mut weighted = 0.0;
            let mut weights = 0.0;
            if let Some(busy) = busy {
                weighted += settings.compute_weight * (1.0 - busy);
                weights += settings.compute_weight;
            }
            if let Some(free) = free {
                weighted += settings.memory_weight * free;
                weights += settings.memory_weight;
            }
            if weights <= 0.0 {
                continue;
            }
            let mut score = weighted / weights;
            if temperature >= settings.hot_temperature_c {
                score *= 1.0 - settings.hot_penalty;
                sum.hot += 1;
                sum.hottest_c = sum.hottest_c.max(temperature);
            }
            // Any nonzero byte is true, as `GpuView::throttled` reads it.
            if throttled != 0 {
                score *= 1.0 - settings.throttle_penalty;
                sum.throttled += 1;
            }
            sum.score.add(Some(score));
        }
        Some(NodeScore {
            score: sum.score.mean()?,
            utilization: sum.utilization.mean(),
            memory_free: sum.memory_free.mean(),
            hot: sum.hot,
            hottest_c: sum.hottest_c,
            throttled: sum.throttled,
        })
    }
}

/// The `rows` of the packed `f32` column `column`; empty if the column is
/// shorter than its table.
fn f32_rows<'a>(column: &'a [u8], rows: &Range<usize>) -> Column<'a, f32> {
    Column::new(column).rows(rows.clone())
}

/// `value` clamped to 0..=1, or `None` when it is `NaN` (not reported).
fn measured(value: f32) -> Option<f32> {
    (!value.is_nan()).then(|| value.clamp(0.0, 1.0))
}

/// Running totals over a node's GPUs.
#[derive(Default)]
struct Sum {
    score: Mean,
    utilization: Mean,
    memory_free: Mean,
    hot: u32,
    hottest_c: f32,
    throttled: u32,
}

/// A mean of the values that are present.
#[derive(Default)]
struct Mean {
    total: f32,
    count: u32,
}

impl Mean {
    fn add(&mut self, value: Option<f32>) {
        if let Some(value) = value {
            self.total += value;
            self.count += 1;
        }
    }

    fn mean(&self) -> Option<f32> {
        (self.count > 0).then(|| self.total / self.count as f32)
    }
}

impl NodeScore {
    /// Write the figures behind the score to `out`, as [`Display`](fmt::Display)
    /// shows them: "gpu util 92%, mem free 12%, 1 hot GPU (88 °C), 2 throttled
    /// GPUs".
    ///
    /// This runs once per proposed ratio, thousands of times a cycle, so it
    /// writes string pieces and whole numbers itself (no float formatting, no
    /// `format_args!` machinery, which is slow in WebAssembly).
    pub fn write_figures<W: fmt::Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        let percent = |ratio: f32| round_half_up(ratio * 100.0) as u32;
        let mut parts = Separated { out, first: true };
        if let Some(utilization) = self.utilization {
            let out = parts.next()?;
            out.write_str("gpu util ")?;
            write_u32(out, percent(utilization))?;
            out.write_str("%")?;
        }
        if let Some(free) = self.memory_free {
            let out = parts.next()?;
            out.write_str("mem free ")?;
            write_u32(out, percent(free))?;
            out.write_str("%")?;
        }
        if self.hot > 0 {
            let hottest = round_half_up(self.hottest_c) as i32;
            let out = parts.next()?;
            if self.hot == 1 {
                out.write_str("1 hot GPU (")?;
            } else {
                write_u32(out, self.hot)?;
                out.write_str(" hot GPUs (up to ")?;
            }
            if hottest < 0 {
                out.write_str("-")?;
            }
            write_u32(out, hottest.unsigned_abs())?;
            out.write_str(" °C)")?;
        }
        if self.throttled > 0 {
            let out = parts.next()?;
            if self.throttled == 1 {
                out.write_str("1 throttled GPU")?;
            } else {
                write_u32(out, self.throttled)?;
                out.write_str(" throttled GPUs")?;
            }
        }
        Ok(())
    }
}

/// "gpu util 92%, mem free 12%, 1 hot GPU (88 °C), 2 throttled GPUs"
impl fmt::Display for NodeScore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_figures(f)
    }
}

/// `value` rounded to the nearest integer, halves up. `f32::round` is a
/// library call in WebAssembly; `floor` is one instruction.
pub(crate) fn round_half_up(value: f32) -> f32 {
    (value + 0.5).floor()
}

/// Write `n` in decimal, as `{n}` does.
///
/// Digits are split off with a multiply and shift rather than `/ 10` and
/// `% 10`: WebAssembly keeps integer division by a constant as a division
/// instruction, which costs ten times a multiply.
pub(crate) fn write_u32<W: fmt::Write + ?Sized>(out: &mut W, mut n: u32) -> fmt::Result {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        let quotient = div10(n);
        digits[at] = b'0' + (n - quotient * 10) as u8;
        n = quotient;
        if n == 0 {
            break;
        }
    }
    // Digit by digit: no UTF-8 check of the buffer, and no bulk copy, which
    // WebAssembly makes a call into the runtime.
    digits[at..]
        .iter()
        .try_for_each(|&digit| out.write_char(char::from(digit)))
}

/// `n / 10`, exact for every `u32`: 0xCCCC_CCCD is 2³⁵ / 10 rounded up.
fn div10(n: u32) -> u32 {
    ((u64::from(n) * 0xCCCC_CCCD) >> 35) as u32
}

/// Hands out the writer for each part, ", " before all but the first.
struct Separated<'w, W: ?Sized> {
    out: &'w mut W,
    first: bool,
}

impl<W: fmt::Write + ?Sized> Separated<'_, W> {
    fn next(&mut self) -> Result<&mut W, fmt::Error> {
        if !std::mem::take(&mut self.first) {
            self.out.write_str(", ")?;
        }
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use fulcrum_sdk::SnapshotView;
    use fulcrum_sdk::testing::{GpuSample, SnapshotBuilder};

    use super::*;

    fn gpu(utilization: f32, used: f32, temperature_c: f32, throttled: bool) -> GpuSample {
        GpuSample {
            utilization,
            memory_used_mib: used,
            memory_total_mib: 80_000.0,
            temperature_c,
            throttled,
            ..GpuSample::default()
        }
    }

    fn score(gpus: &[GpuSample], settings: &Settings) -> Option<NodeScore> {
        let mut builder = SnapshotBuilder::new();
        let node = builder.node("n", "10.0.0.1");
        for sample in gpus {
            builder.gpu(node, sample.clone());
        }
        let snapshot = builder.build();
        NodeScore::of(SnapshotView::new(&snapshot).node(node)?, settings)
    }

    #[test]
    fn idle_gpus_score_one_and_busy_ones_zero() {
        let settings = Settings::default();
        assert_eq!(
            score(&[gpu(0.0, 0.0, 40.0, false)], &settings).map(|s| s.score),
            Some(1.0)
        );
        assert_eq!(
            score(&[gpu(1.0, 80_000.0, 40.0, false)], &settings).map(|s| s.score),
            Some(0.0)
        );
        // Mean of the two terms: 50% idle compute, 25% free memory.
        assert_eq!(
            score(&[gpu(0.5, 60_000.0, 40.0, false)], &settings).map(|s| s.score),
            Some(0.375)
        );
    }

    #[test]
    fn penalties_multiply_a_gpus_score() {
        let settings = Settings::default();
        let hot = score(&[gpu(0.0, 0.0, 90.0, false)], &settings).unwrap();
        assert_eq!(hot.score, 0.5);
        let both = score(&[gpu(0.0, 0.0, 83.0, true)], &settings).unwrap();
        assert!((both.score - 0.35).abs() < 1e-6, "{both:?}");
    }

    #[test]
    fn missing_measurements_are_skipped() {
        let settings = Settings::default();
        let memory_only = gpu(f32::NAN, 20_000.0, f32::NAN, false);
        assert_eq!(
            score(std::slice::from_ref(&memory_only), &settings).map(|s| s.score),
            Some(0.75)
        );
        let nothing = gpu(f32::NAN, f32::NAN, 90.0, true);
        assert_eq!(
            score(&[nothing.clone(), gpu(0.0, 0.0, 40.0, false)], &settings).map(|s| s.score),
            Some(1.0)
        );
        assert_eq!(score(&[nothing], &settings), None);
        assert_eq!(score(&[], &settings), None);
        let compute_only = Settings {
            memory_weight: 0.0,
            compute_weight: 1.0,
            ..Settings::default()
        };
        assert_eq!(score(&[memory_only], &compute_only), None);
    }

    #[test]
    fn reason_lists_the_figures() {
        let settings = Settings::default();
        let node = score(
            &[
                gpu(0.9, 70_000.0, 88.0, false),
                gpu(0.94, 70_800.0, 70.0, true),
            ],
            &settings,
        )
        .unwrap();
        assert_eq!(
            node.to_string(),
            "gpu util 92%, mem free 12%, 1 hot GPU (88 °C), 1 throttled GPU"
        );
        let cool = score(&[gpu(0.1, 8_000.0, 40.0, false)], &settings).unwrap();
        assert_eq!(cool.to_string(), "gpu util 10%, mem free 90%");
    }

    #[test]
    fn figures_are_written_as_format_writes_them() {
        let several = NodeScore {
            score: 0.5,
            utilization: None,
            memory_free: Some(0.004),
            hot: 3,
            hottest_c: -1.6,
            throttled: 2,
        };
        assert_eq!(
            several.to_string(),
            "mem free 0%, 3 hot GPUs (up to -2 °C), 2 throttled GPUs"
        );
        let none = NodeScore {
            utilization: None,
            memory_free: None,
            hot: 0,
            throttled: 0,
            ..several
        };
        assert_eq!(none.to_string(), "");
        for n in [
            0,
            7,
            9,
            10,
            19,
            99,
            100,
            1_000,
            65_535,
            999_999_999,
            u32::MAX - 1,
            u32::MAX,
        ] {
            let mut text = String::new();
            write_u32(&mut text, n).unwrap();
            assert_eq!(text, n.to_string());
        }
    }

    #[test]
    fn div10_is_exact() {
        let sweep = (0..=u32::MAX).step_by(9_973);
        for n in sweep.chain(0..100_000).chain(u32::MAX - 100_000..=u32::MAX) {
            assert_eq!(div10(n), n / 10, "{n}");
        }
    }
}
