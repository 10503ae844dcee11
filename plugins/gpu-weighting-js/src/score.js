// How much GPU capacity a node has free, 0 (none) ..= 1 (all), in f32 as the
// Rust policy computes it. A GPU's score is the weighted mean of its free
// memory ratio and its idle compute (1 − utilisation), over the measurements
// it reported; a hot GPU's score is cut by `hotPenalty`, a throttled one's by
// `throttlePenalty`. The node's score is the mean over GPUs that reported
// anything usable.
//
// This runs once per GPU in an interpreter (no JIT), so it reads the GPU
// columns directly instead of through GpuView getters, keeps its sums in
// locals, and leaves out `Math.fround` where the result is provably already
// an f32 (each such place says why).

import { asU32, f32 as fround, roundHalfUp } from './f32.js';

/**
 * Score a node's GPUs, rows `start..end` of `gpus`: `{ score, utilization,
 * memoryFree, hot, hottestC, throttled }` (the means `undefined` when no GPU
 * reported them); `undefined` when no GPU reported a usable measurement.
 * @param {import('@fulcrum/policy-sdk').Columns['gpus']} gpus the snapshot's GPU columns
 * @param {number} start
 * @param {number} end
 * @param {import('./settings.js').Settings} settings
 */
export function scoreGpus(gpus, start, end, settings) {
  // A local alias: the interpreter reaches an imported binding through the
  // module's environment on every use, a local directly.
  const f32 = fround;
  const {
    utilization: utilizationColumn, memoryUsedMib, memoryTotalMib, temperatureC,
    throttled: throttledColumn,
  } = gpus;
  const { computeWeight, memoryWeight, hotTemperatureC } = settings;
  // The weights a GPU's score divides by, by which measurements it reported:
  // Rust sums them from 0, and 0 + an f32 is that f32.
  const bothWeights = f32(computeWeight + memoryWeight);
  const hotKeep = f32(1 - settings.hotPenalty);
  const throttledKeep = f32(1 - settings.throttlePenalty);

  let scoreTotal = 0;
  let scoreCount = 0;
  let utilizationTotal = 0;
  let utilizationCount = 0;
  let memoryFreeTotal = 0;
  let memoryFreeCount = 0;
  let hot = 0;
  let hottestC = 0;
  let throttled = 0;
  for (let row = start; row < end; row++) {
    // Column values are f32 already; NaN (not reported) fails `x === x`.
    // `weighted` and `weights` start at 0 in Rust, and 0 + an f32 is that
    // f32 (a −0 here becomes +0 in the node's sum below either way), so the
    // first term is assigned rather than added.
    let weighted = 0;
    let weights = 0;
    let busy = utilizationColumn[row];
    if (busy === busy) {
      busy = busy < 0 ? 0 : busy > 1 ? 1 : busy;
      utilizationTotal = f32(utilizationTotal + busy);
      utilizationCount++;
      weighted = f32(computeWeight * f32(1 - busy));
      weights = computeWeight;
    }
    const total = memoryTotalMib[row];
    if (total > 0) {
      let free = f32(1 - f32(memoryUsedMib[row] / total));
      if (free === free) {
        free = free < 0 ? 0 : free > 1 ? 1 : free;
        memoryFreeTotal = f32(memoryFreeTotal + free);
        memoryFreeCount++;
        weighted = f32(weighted + f32(memoryWeight * free));
        weights = busy === busy ? bothWeights : memoryWeight;
      }
    }
    if (weights <= 0) continue;
    let gpuScore = f32(weighted / weights);
    const temperature = temperatureC[row];
    if (temperature >= hotTemperatureC) {
      gpuScore = f32(gpuScore * hotKeep);
      hot++;
      if (temperature > hottestC) hottestC = temperature;
    }
    if (throttledColumn[row] !== 0) {
      gpuScore = f32(gpuScore * throttledKeep);
      throttled++;
    }
    scoreTotal = f32(scoreTotal + gpuScore);
    scoreCount++;
  }
  if (scoreCount === 0) return undefined;
  return {
    score: f32(scoreTotal / scoreCount),
    utilization: utilizationCount > 0 ? f32(utilizationTotal / utilizationCount) : undefined,
    memoryFree: memoryFreeCount > 0 ? f32(memoryFreeTotal / memoryFreeCount) : undefined,
    hot,
    hottestC,
    throttled,
  };
}

/**
 * The figures behind a score, for a decision's reason:
 * "gpu util 92%, mem free 12%, 1 hot GPU (88 °C), 2 throttled GPUs".
 */
export function describeScore({ utilization, memoryFree, hot, hottestC, throttled }) {
  let text = '';
  if (utilization !== undefined) text = `gpu util ${percent(utilization)}%`;
  if (memoryFree !== undefined) text = join(text, `mem free ${percent(memoryFree)}%`);
  if (hot > 0) {
    const hottest = roundHalfUp(hottestC);
    text = join(text, hot === 1 ? `1 hot GPU (${hottest} °C)` : `${hot} hot GPUs (up to ${hottest} °C)`);
  }
  if (throttled > 0) text = join(text, throttled === 1 ? '1 throttled GPU' : `${throttled} throttled GPUs`);
  return text;
}

/** A ratio 0..=1 as a whole percentage, rounded as Rust rounds it. */
function percent(ratio) {
  return asU32(roundHalfUp(fround(ratio * 100)));
}

/** `text` and `part`, comma-separated when both are there. */
function join(text, part) {
  return text === '' ? part : `${text}, ${part}`;
}
