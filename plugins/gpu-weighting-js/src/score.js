// How much GPU capacity a node has free, 0 (none) ..= 1 (all), in f32 as the
// Rust policy computes it, and how many of its GPUs are unhealthy. A GPU's score is the weighted mean of its free
// memory ratio and its idle compute (1 − utilisation), over the measurements
// it reported; a hot GPU's score is cut by `hotPenalty`, a throttled one's by
// `throttlePenalty`. The node's score is the mean over GPUs that reported
// anything usable.
//
// This runs once per GPU in an interpreter, so it makes one pass over the
// node's GPUs for everything the decision needs, reads the GPU columns
// directly instead of through GpuView getters, keeps its sums in locals, and
// leaves out `Math.fround` where the result is provably already an f32 (each
// such place says why).

import { UNHEALTHY } from './health.js';
import { f32 as fround, roundHalfUp } from './f32.js';

/**
 * Assess a node's GPUs, rows `start..end` of `gpus`: `{ unhealthy, score,
 * utilization, memoryFree, hot, hottestC, throttled }`, where `unhealthy`
 * counts the unhealthy GPUs and `score` is `undefined` when no GPU reported a
 * usable measurement (the means likewise when no GPU reported them).
 * @param {import('@fulcrum/policy-sdk').Columns['gpus']} gpus the snapshot's GPU columns
 * @param {number} start
 * @param {number} end
 * @param {import('./settings.js').Settings} settings
 */
export function assessGpus(gpus, start, end, settings) {
  // A local alias: the interpreter reaches an imported binding through the
  // module's environment on every use, a local directly.
  const f32 = fround;
  const {
    utilization: utilizationColumn, memoryUsedMib, memoryTotalMib, temperatureC,
    throttled: throttledColumn, health,
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
  let unhealthy = 0;
  for (let row = start; row < end; row++) {
    if (health[row] === UNHEALTHY) unhealthy++;
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
  return {
    unhealthy,
    score: scoreCount > 0 ? f32(scoreTotal / scoreCount) : undefined,
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
  // A node whose GPUs reported both and are neither hot nor throttled is the
  // common case: one template, no joins.
  if (utilization !== undefined && memoryFree !== undefined && hot === 0 && throttled === 0) {
    return `gpu util ${percent(utilization)}%, mem free ${percent(memoryFree)}%`;
  }
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

/**
 * A ratio 0..=1 as a whole percentage, rounded as Rust rounds it. The means
 * it is given lie in 0..=1, so the rounded figure needs no cast to u32.
 */
function percent(ratio) {
  return Math.floor(fround(fround(ratio * 100) + 0.5));
}

/** `text` and `part`, comma-separated when both are there. */
function join(text, part) {
  return text === '' ? part : `${text}, ${part}`;
}
