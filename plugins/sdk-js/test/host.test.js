// MemoryHost keeps state and log lines under the host's rules.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { MemoryHost, StateError } from '../src/host.js';

const bytes = (...values) => Uint8Array.from(values);

test('stores, replaces and deletes', () => {
  const host = new MemoryHost();
  assert.equal(host.stateGet('k'), undefined);
  host.stateSet('k', bytes(1));
  host.stateSet('k', bytes(2, 3));
  assert.deepEqual(host.stateGet('k'), bytes(2, 3));
  host.stateDelete('k');
  host.stateDelete('k');
  assert.equal(host.stateGet('k'), undefined);
});

test('keys are 1 to 256 bytes', () => {
  const host = new MemoryHost();
  assert.throws(() => host.stateSet('', bytes(1)), (error) => error instanceof StateError && error.kind === 'invalid-key');
  assert.throws(() => host.stateSet('k'.repeat(257), bytes(1)), StateError);
  host.stateSet('k'.repeat(256), bytes(1));
});

test('every entry counts its key, its value and 64 bytes against the quota', () => {
  const host = new MemoryHost({ quota: 140 });
  host.stateSet('ab', new Uint8Array(8)); // 74 bytes
  assert.throws(() => host.stateSet('c', new Uint8Array(2)), (error) => error.kind === 'quota-exceeded' && error.quota === 140n);
  host.stateSet('ab', new Uint8Array(4)); // replacing frees the old value first: 70
  host.stateSet('c', new Uint8Array(5)); // 70 + 70
  assert.deepEqual([...host.state.keys()], ['ab', 'c']);
});

test('records log lines in order, by level', () => {
  const host = new MemoryHost();
  host.log('warn', 'first');
  host.log('debug', 'second');
  host.log('warn', 'third');
  assert.deepEqual(host.logged('warn'), ['first', 'third']);
  assert.equal(host.logs.length, 3);
});
