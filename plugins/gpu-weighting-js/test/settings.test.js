// Settings are read and refused with the Rust policy's messages.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DEFAULTS, manages, parseSettings } from '../src/settings.js';

test('an empty object gives the defaults', () => {
  assert.deepEqual(parseSettings('{}'), DEFAULTS);
});

test('every setting is read', () => {
  const settings = parseSettings(`{"memory_weight": 1, "compute_weight": 0, "min_ratio": 5, "max_ratio": 500,
    "hot_temperature_c": 90, "hot_penalty": 0.25, "throttle_penalty": 0, "smoothing": 0,
    "disable_unhealthy": false, "min_healthy_share": 0.5, "pools": ["mlPool"]}`);
  assert.deepEqual(settings, {
    memoryWeight: 1, computeWeight: 0, minRatio: 5, maxRatio: 500, hotTemperatureC: 90,
    hotPenalty: 0.25, throttlePenalty: 0, smoothing: 0, disableUnhealthy: false,
    minHealthyShare: 0.5, pools: ['mlPool'],
  });
  assert.ok(manages(settings, 'mlPool'));
  assert.ok(!manages(settings, 'otherPool'));
  assert.ok(manages(DEFAULTS, 'anyPool'));
});

test('floats are held as f32, as the Rust policy holds them', () => {
  assert.equal(parseSettings('{"smoothing": 0.1}').smoothing, Math.fround(0.1));
});

test('errors name the setting', () => {
  const cases = [
    ['{"max_ratio": 0}', 'settings.max_ratio: 0 is out of range; expected 1..=65535'],
    ['{"min_ratio": 70000}', 'settings.min_ratio: 70000 is out of range; expected 1..=65535'],
    ['{"memory_weight": 1.5}', 'settings.memory_weight: 1.5 is out of range; expected 0..=1'],
    ['{"smoothing": 1}', 'settings.smoothing: 1 is out of range; expected 0 ≤ smoothing < 1'],
    ['{"hot_temperature_c": 20}', 'settings.hot_temperature_c: 20 is out of range; expected 30..=120'],
    ['{"hot_temperature_c": 1e21}', 'settings.hot_temperature_c: 1000000000000000000000 is out of range; expected 30..=120'],
    ['{"min_ratio": 100, "max_ratio": 100}', 'settings.min_ratio: 100 must be less than max_ratio (100)'],
    ['{"memory_weight": 0, "compute_weight": 0}',
      'settings.memory_weight, settings.compute_weight: both are 0; at least one must be positive'],
    ['{"pools": []}', 'settings.pools: an empty list manages no pool; leave it out to manage every pool'],
    ['{"max_ratio": -3}', 'settings.max_ratio: invalid value: integer `-3`, expected u64'],
    ['{"min_ratio": 5.0}', 'settings.min_ratio: invalid type: floating point `5.0`, expected u64'],
    ['{"smoothing": "high"}', 'settings.smoothing: invalid type: string "high", expected f64'],
    ['{"disable_unhealthy": 1}', 'settings.disable_unhealthy: invalid type: integer `1`, expected a boolean'],
    ['{"pools": "mlPool"}', 'settings.pools: invalid type: string "mlPool", expected a sequence'],
    ['{"pools": ["a", 2]}', 'settings.pools: invalid type: integer `2`, expected a string'],
    // Keys are checked in sorted order, as serde_json's map visits them.
    ['{"smoothing": "high", "max_ratio": -3}', 'settings.max_ratio: invalid value: integer `-3`, expected u64'],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseSettings(text), { message }, text);
  }
});

test('unknown keys and non-objects are refused', () => {
  assert.throws(() => parseSettings('{"smoothing": 0.2, "foo": 1}'),
    /^Error: settings: unknown field `foo`, expected one of `memory_weight`, `compute_weight`/);
  assert.throws(() => parseSettings('[1]'), /^Error: settings: expected a JSON object: invalid type: sequence/);
  assert.throws(() => parseSettings('{"smoothing": 01}'), /^Error: settings: expected a JSON object: /);
});

test('all range errors are reported together', () => {
  assert.throws(() => parseSettings('{"hot_penalty": 2, "throttle_penalty": -1}'), {
    message: 'settings.hot_penalty: 2 is out of range; expected 0..=1; '
      + 'settings.throttle_penalty: -1 is out of range; expected 0..=1',
  });
});
