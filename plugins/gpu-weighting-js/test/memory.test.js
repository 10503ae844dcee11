// The state encoding: byte for byte the Rust policy's, so either can read
// what the other stored.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { EMPTY, MemoryWriter, decodeMemory } from '../src/memory.js';

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const fromHex = (text) => Uint8Array.from(Buffer.from(text, 'hex'));
const smoothed = (value) => ({ smoothed: value, disabledByPolicy: false });

test('encodes as the Rust policy does', () => {
  // From plugins/gpu-weighting/tests/re-enables-what-it-disabled.toml.
  const rust = '6667773106006d6c506f6f6c020000000e003132372e302e312e313a383030300000c07f010e003132372e302e312e323a383030300000c07f00';
  const writer = new MemoryWriter();
  writer.pool('mlPool');
  writer.member('127.0.1.1:8000', { smoothed: undefined, disabledByPolicy: true });
  writer.member('127.0.1.2:8000', { smoothed: undefined, disabledByPolicy: false });
  // The second has nothing to remember and is left out: a count of 1, one record.
  const oneRecord = '6667773106006d6c506f6f6c010000000e003132372e302e312e313a383030300000c07f01';
  assert.equal(hex(writer.finish()), oneRecord);
  const decoded = decodeMemory(fromHex(rust)).get('mlPool');
  assert.deepEqual(decoded.get('127.0.1.1:8000'), { smoothed: undefined, disabledByPolicy: true });
  assert.deepEqual(decoded.get('127.0.1.2:8000'), EMPTY);
});

test('records round trip per pool; empty pools and records are left out', () => {
  const writer = new MemoryWriter();
  writer.pool('a');
  writer.member('m1', smoothed(12.5));
  writer.member('skipped', EMPTY);
  writer.member('m2', { smoothed: undefined, disabledByPolicy: true });
  writer.pool('empty');
  writer.member('nothing', EMPTY);
  writer.pool('b');
  writer.member('m1', smoothed(3));
  const memory = decodeMemory(writer.finish());
  assert.deepEqual([...memory.keys()], ['a', 'b']);
  assert.deepEqual([...memory.get('a').keys()], ['m1', 'm2']);
  assert.deepEqual(memory.get('a').get('m1'), smoothed(12.5));
  assert.deepEqual(memory.get('b').get('m1'), smoothed(3));
});

test('nothing to remember encodes as nothing', () => {
  const writer = new MemoryWriter();
  writer.pool('a');
  writer.member('m', EMPTY);
  assert.equal(writer.finish(), undefined);
});

test('names too long to encode are left out', () => {
  const long = 'x'.repeat(70000);
  const writer = new MemoryWriter();
  writer.pool(long);
  writer.member('m', smoothed(1));
  writer.pool('a');
  writer.member(long, smoothed(1));
  writer.member('m', smoothed(2));
  const memory = decodeMemory(writer.finish());
  assert.deepEqual([...memory.keys()], ['a']);
  assert.deepEqual([...memory.get('a').keys()], ['m']);
});

test('corrupt values are reported with the byte and the reason', () => {
  const corrupt = (bytes) => () => decodeMemory(Uint8Array.from(bytes));
  assert.throws(corrupt([]), { message: 'byte 0: truncated' });
  assert.throws(corrupt([0x76, 0x30, 0, 0, 0]), { message: 'byte 0: unknown format (no "fgw1" header)' });
  const fgw1 = [0x66, 0x67, 0x77, 0x31];
  assert.throws(corrupt([...fgw1, 1, 0, 0x61, 5, 0, 0, 0]), { message: 'byte 11: truncated' });
  assert.throws(corrupt([...fgw1, 1, 0, 0xff]), { message: 'byte 6: name is not UTF-8' });
  assert.equal(decodeMemory(Uint8Array.from(fgw1)).size, 0);
});

test('a name stored twice: the last record counts; non-finite smoothed reads as none', () => {
  const writer = new MemoryWriter();
  writer.pool('p');
  writer.member('a', smoothed(1));
  writer.member('a', smoothed(2));
  writer.member('inf', smoothed(Infinity));
  const records = decodeMemory(writer.finish()).get('p');
  assert.deepEqual(records.get('a'), smoothed(2));
  assert.deepEqual(records.get('inf'), EMPTY);
});
