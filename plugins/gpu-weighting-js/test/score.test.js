// Scores and the figures in reasons, in f32 as the Rust policy computes them.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { SnapshotBuilder, SnapshotView } from '@fulcrum/policy-sdk';

import { asU32, roundHalfUp } from '../src/f32.js';
import { assessGpus, describeScore } from '../src/score.js';
import { DEFAULTS } from '../src/settings.js';
import { fallen, gpu } from './cluster.js';

function score(gpus, settings = DEFAULTS) {
  const builder = new SnapshotBuilder();
  const node = builder.node('n');
  for (const sample of gpus) builder.gpu(node, sample);
  const view = new SnapshotView(builder.build());
  const { start, end } = view.node(node).gpus;
  return assessGpus(view.columns.gpus, start, end, settings);
}

test('idle GPUs score one and busy ones zero', () => {
  assert.equal(score([gpu(0, 0, 40)]).score, 1);
  assert.equal(score([gpu(1, 1, 40)]).score, 0);
  assert.equal(score([gpu(0.5, 0.75, 40)]).score, 0.375);
});

test('penalties multiply a GPU\'s score', () => {
  assert.equal(score([gpu(0, 0, 90)]).score, 0.5);
  assert.equal(score([gpu(0, 0, 83, { throttled: true })]).score, Math.fround(0.35));
});

test('missing measurements are skipped', () => {
  const memoryOnly = gpu(NaN, 0.25, NaN);
  assert.equal(score([memoryOnly]).score, 0.75);
  const nothing = gpu(NaN, NaN, 90, { throttled: true });
  assert.equal(score([nothing, gpu(0, 0, 40)]).score, 1);
  assert.equal(score([nothing]).score, undefined);
  assert.equal(score([]).score, undefined);
  assert.equal(score([memoryOnly], { ...DEFAULTS, memoryWeight: 0, computeWeight: 1 }).score, undefined);
});

test('unhealthy GPUs are counted in the same pass, whether or not they reported', () => {
  assert.equal(score([gpu(0, 0, 40), fallen(), gpu(0.5, 0.5, 40, { health: 'unhealthy' })]).unhealthy, 2);
  assert.equal(score([fallen()]).unhealthy, 1);
  assert.equal(score([fallen()]).score, undefined);
  assert.equal(score([gpu(0, 0, 40)]).unhealthy, 0);
});

test('reasons list the figures', () => {
  const node = score([gpu(0.9, 0.875, 88), gpu(0.94, 0.885, 70, { throttled: true })]);
  assert.equal(describeScore(node), 'gpu util 92%, mem free 12%, 1 hot GPU (88 °C), 1 throttled GPU');
  assert.equal(describeScore(score([gpu(0.1, 0.1, 40)])), 'gpu util 10%, mem free 90%');
  assert.equal(describeScore({ memoryFree: 0.004, hot: 3, hottestC: -1.6, throttled: 2 }),
    'mem free 0%, 3 hot GPUs (up to -2 °C), 2 throttled GPUs');
  assert.equal(describeScore({ hot: 0, throttled: 0 }), '');
});

test('rounding is f32 halves-up, and casts saturate as Rust\'s do', () => {
  assert.equal(roundHalfUp(2.5), 3);
  assert.equal(roundHalfUp(-2.5), -2);
  // 0.49999997 + 0.5 rounds to 1 in f32.
  assert.equal(roundHalfUp(Math.fround(0.49999997)), 1);
  assert.deepEqual([asU32(NaN), asU32(-3), asU32(7.9), asU32(1e12)], [0, 0, 7, 0xffffffff]);
});
