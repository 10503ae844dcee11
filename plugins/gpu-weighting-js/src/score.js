// How much GPU capacity a node has free, 0 (none) ..= 1 (all), in f32 as the
// Rust policy computes it. A GPU's score is the weighted mean of its free
// memory ratio and its idle compute (1 − utilisation), over the measurements
// it reported; a hot GPU's score is cut by `hotPenalty`, a throttled one's by
// `throttlePenalty`. The node's score is the mean over GPUs that reported
// anything usable.

import { asU32, f32, roundHalfUp } from './f32.js';

/**
 * Score `node`'s GPUs: `{ score, utilization, memoryFree, hot, hottestC,
 * throttled }` (the means `undefined` when no GPU reported them); `undefined`
 * when no GPU reported a usable measurement.
 * @param {import('@fulcrum/policy-sdk').NodeView} node
 * @param {import('./settings.js').Settings} settings
 */
export function scoreNode(node, settings) {
  const score = new Mean();
  const utilization = new Mean();
  const memoryFree = new Mean();
  let hot = 0;
  let hottestC = 0;
  let throttled = 0;
  for (const gpu of node.gpus) {
    const total = gpu.memoryTotalMib;
    const busy = measured(gpu.utilization);
    const free = total > 0 ? measured(f32(1 - f32(gpu.memoryUsedMib / total))) : undefined;
    utilization.add(busy);
    memoryFree.add(free);

    let weighted = 0;
    let weights = 0;
    if (busy !== undefined) {
      weighted = f32(weighted + f32(settings.computeWeight * f32(1 - busy)));
      weights = f32(weights + settings.computeWeight);
    }
    if (free !== undefined) {
      weighted = f32(weighted + f32(settings.memoryWeight * free));
      weights = f32(weights + settings.memoryWeight);
    }
    if (weights <= 0) continue;
    let gpuScore = f32(weighted / weights);
    const temperature = gpu.temperatureC;
    if (temperature >= settings.hotTemperatureC) {
      gpuScore = f32(gpuScore * f32(1 - settings.hotPenalty));
      hot++;
      hottestC = Math.max(hottestC, temperature);
    }
    if (gpu.throttled) {
      gpuScore = f32(gpuScore * f32(1 - settings.throttlePenalty));
      throttled++;
    }
    score.add(gpuScore);
  }
  const mean = score.mean();
  if (mean === undefined) return undefined;
  return {
    score: mean, utilization: utilization.mean(), memoryFree: memoryFree.mean(),
    hot, hottestC, throttled,
  };
}

/**
 * The figures behind a score, for a decision's reason:
 * "gpu util 92%, mem free 12%, 1 hot GPU (88 °C), 2 throttled GPUs".
 */
export function describeScore({ utilization, memoryFree, hot, hottestC, throttled }) {
  const percent = (ratio) => asU32(roundHalfUp(f32(ratio * 100)));
  const parts = [];
  if (utilization !== undefined) parts.push(`gpu util ${percent(utilization)}%`);
  if (memoryFree !== undefined) parts.push(`mem free ${percent(memoryFree)}%`);
  if (hot > 0) {
    const hottest = roundHalfUp(hottestC);
    parts.push(hot === 1 ? `1 hot GPU (${hottest} °C)` : `${hot} hot GPUs (up to ${hottest} °C)`);
  }
  if (throttled > 0) parts.push(throttled === 1 ? '1 throttled GPU' : `${throttled} throttled GPUs`);
  return parts.join(', ');
}

/** `value` clamped to 0..=1, or `undefined` when it is NaN (not reported). */
function measured(value) {
  return Number.isNaN(value) ? undefined : Math.min(Math.max(value, 0), 1);
}

/** An f32 mean of the values that are present. */
class Mean {
  total = 0;
  count = 0;

  add(value) {
    if (value !== undefined) {
      this.total = f32(this.total + value);
      this.count++;
    }
  }

  mean() {
    return this.count > 0 ? f32(this.total / this.count) : undefined;
  }
}
