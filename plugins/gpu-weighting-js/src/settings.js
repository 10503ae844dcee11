// The operator's knobs, parsed from the policy's JSON settings and checked
// as the Rust policy checks them, with the same messages: every key optional,
// unknown keys refused, a wrong type named by key, and every range error
// reported together, joined by "; ".

import { isNumber, parseJson, rustFloat, unexpected } from './json-values.js';

const f32 = Math.fround;

/** The settings when the operator gives none. Floats are f32, as in Rust. */
export const DEFAULTS = Object.freeze({
  memoryWeight: f32(0.5),
  computeWeight: f32(0.5),
  minRatio: 1,
  maxRatio: 100,
  hotTemperatureC: f32(83),
  hotPenalty: f32(0.5),
  throttlePenalty: f32(0.3),
  smoothing: f32(0.5),
  disableUnhealthy: true,
  minHealthyShare: f32(1),
  pools: undefined,
});

/** Each JSON key, its setting, and the type serde expects. */
const FIELDS = [
  ['memory_weight', 'memoryWeight', 'f64'],
  ['compute_weight', 'computeWeight', 'f64'],
  ['min_ratio', 'minRatio', 'u64'],
  ['max_ratio', 'maxRatio', 'u64'],
  ['hot_temperature_c', 'hotTemperatureC', 'f64'],
  ['hot_penalty', 'hotPenalty', 'f64'],
  ['throttle_penalty', 'throttlePenalty', 'f64'],
  ['smoothing', 'smoothing', 'f64'],
  ['disable_unhealthy', 'disableUnhealthy', 'bool'],
  ['min_healthy_share', 'minHealthyShare', 'f64'],
  ['pools', 'pools', 'strings'],
];

/** @typedef {ReturnType<typeof parseSettings>} Settings */

/** Parse and validate `text`; throws an Error whose message names the setting. */
export function parseSettings(text) {
  const json = readObject(text);
  const given = {};
  for (const [key, name] of FIELDS) {
    if (json[key] !== undefined && json[key] !== null) given[name] = json[key];
  }
  const errors = [];
  const fraction = (key, name) => float(key, name, (v) => v >= 0 && v <= 1, '0..=1');
  const float = (key, name, valid, expected) => {
    if (given[name] === undefined) return DEFAULTS[name];
    const { value } = given[name];
    if (valid(value)) return f32(value);
    errors.push(`settings.${key}: ${rustFloat(value)} is out of range; expected ${expected}`);
    return DEFAULTS[name];
  };
  const ratio = (key, name) => {
    if (given[name] === undefined) return DEFAULTS[name];
    const { integer } = given[name];
    if (integer >= 1n && integer <= 65535n) return Number(integer);
    errors.push(`settings.${key}: ${integer} is out of range; expected 1..=65535`);
    return DEFAULTS[name];
  };
  const settings = {
    memoryWeight: fraction('memory_weight', 'memoryWeight'),
    computeWeight: fraction('compute_weight', 'computeWeight'),
    minRatio: ratio('min_ratio', 'minRatio'),
    maxRatio: ratio('max_ratio', 'maxRatio'),
    hotTemperatureC: float('hot_temperature_c', 'hotTemperatureC', (t) => t >= 30 && t <= 120, '30..=120'),
    hotPenalty: fraction('hot_penalty', 'hotPenalty'),
    throttlePenalty: fraction('throttle_penalty', 'throttlePenalty'),
    smoothing: float('smoothing', 'smoothing', (s) => s >= 0 && s < 1, '0 ≤ smoothing < 1'),
    disableUnhealthy: given.disableUnhealthy ?? DEFAULTS.disableUnhealthy,
    minHealthyShare: fraction('min_healthy_share', 'minHealthyShare'),
    pools: given.pools,
  };
  if (settings.memoryWeight === 0 && settings.computeWeight === 0) {
    errors.push('settings.memory_weight, settings.compute_weight: both are 0; at least one must be positive');
  }
  if (settings.minRatio >= settings.maxRatio) {
    errors.push(`settings.min_ratio: ${settings.minRatio} must be less than max_ratio (${settings.maxRatio})`);
  }
  if (settings.pools?.length === 0) {
    errors.push('settings.pools: an empty list manages no pool; leave it out to manage every pool');
  }
  if (errors.length > 0) throw new Error(errors.join('; '));
  return Object.freeze(settings);
}

/** Whether `settings` manage the pool named `pool`. */
export function manages(settings, pool) {
  return settings.pools === undefined || settings.pools.includes(pool);
}

/**
 * The settings object, its keys checked against the known ones and its values'
 * types against the expected ones, in key order as serde_json visits them.
 */
function readObject(text) {
  let json;
  try {
    json = parseJson(text);
  } catch (error) {
    throw new Error(`settings: expected a JSON object: ${error.message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json) || isNumber(json)) {
    throw new Error(`settings: expected a JSON object: invalid type: ${unexpected(json)}, expected a map`);
  }
  const keys = Object.keys(json).sort();
  const known = new Map(FIELDS.map(([key, , type]) => [key, type]));
  const unknown = keys.find((key) => !known.has(key));
  if (unknown !== undefined) {
    const expected = FIELDS.map(([key]) => `\`${key}\``).join(', ');
    throw new Error(`settings: unknown field \`${unknown}\`, expected one of ${expected}`);
  }
  for (const key of keys) {
    const problem = typeProblem(json[key], known.get(key));
    if (problem !== undefined) throw new Error(`settings.${key}: ${problem}`);
  }
  return json;
}

/** Why `value` is not of `type`, in serde's words; `undefined` when it is. */
function typeProblem(value, type) {
  if (value === null) return undefined; // every setting is optional
  switch (type) {
    case 'f64':
      return isNumber(value) ? undefined : `invalid type: ${unexpected(value)}, expected f64`;
    case 'u64':
      if (isNumber(value) && value.kind === 'unsigned') return undefined;
      return isNumber(value) && value.kind === 'signed'
        ? `invalid value: ${unexpected(value)}, expected u64`
        : `invalid type: ${unexpected(value)}, expected u64`;
    case 'bool':
      return typeof value === 'boolean' ? undefined : `invalid type: ${unexpected(value)}, expected a boolean`;
    default: {
      if (!Array.isArray(value)) return `invalid type: ${unexpected(value)}, expected a sequence`;
      const bad = value.find((item) => typeof item !== 'string');
      return bad === undefined ? undefined : `invalid type: ${unexpected(bad)}, expected a string`;
    }
  }
}
