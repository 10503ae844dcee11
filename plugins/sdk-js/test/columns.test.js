// The column adapter views columns in place, whether they arrive typed or as
// raw little-endian bytes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import vm from 'node:vm';

import { adaptColumns, asColumn, pack } from '../src/columns.js';
import { SnapshotBuilder } from '../src/snapshot-builder.js';
import { SnapshotView } from '../src/view/snapshot.js';

test('typed columns are used as they are', () => {
  const column = Float32Array.of(0.5, 1);
  assert.equal(asColumn(column, 'f32'), column);
  const bytes = Uint8Array.of(1, 0);
  assert.equal(asColumn(bytes, 'u8'), bytes);
});

test('raw bytes are viewed in place as the wider type', () => {
  const floats = Float32Array.of(0.25, -3, NaN);
  const bytes = new Uint8Array(floats.buffer);
  const viewed = asColumn(bytes, 'f32');
  assert.equal(viewed.buffer, floats.buffer, 'no copy');
  assert.deepEqual([...viewed], [0.25, -3, NaN]);
  const u32 = asColumn(new Uint8Array(Uint32Array.of(7, 0xffffffff).buffer), 'u32');
  assert.deepEqual([...u32], [7, 0xffffffff]);
});

test('unaligned raw bytes are read correctly', () => {
  const buffer = new Uint8Array(9);
  buffer.set(new Uint8Array(Float32Array.of(1.5, 2.5).buffer), 1);
  assert.deepEqual([...asColumn(buffer.subarray(1), 'f32')], [1.5, 2.5]);
});

test('views read a snapshot packed as the contract packs it, without copying', () => {
  const builder = new SnapshotBuilder();
  const node = builder.node('n');
  builder.gpu(node, { utilization: 0.75, index: 3 });
  const raw = builder.build();
  assert.ok(raw.gpus.utilization instanceof Uint8Array);
  assert.equal(raw.gpus.utilization.length, 4);
  const gpu = new SnapshotView(raw).node(0).gpus.at(0);
  assert.equal(gpu.utilization, 0.75);
  assert.equal(gpu.index, 3);
  assert.equal(adaptColumns(raw).gpus.node.buffer, raw.gpus.node.buffer);
});

test('typed columns, from tests written against plain arrays, are read as they are', () => {
  const utilization = Float32Array.of(0.5);
  assert.equal(asColumn(utilization, 'f32'), utilization);
  assert.deepEqual(pack(utilization), new Uint8Array(utilization.buffer));
});

test('bytes made by another realm, as the component bindings make them, are viewed too', () => {
  const foreign = vm.runInNewContext('new Uint8Array([0, 0, 192, 63, 0, 0, 32, 64])');
  assert.equal(foreign instanceof Uint8Array, false);
  assert.deepEqual([...asColumn(foreign, 'f32')], [1.5, 2.5]);
});
