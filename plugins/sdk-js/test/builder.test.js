// SnapshotBuilder builds valid snapshots and refuses children out of order.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { asColumn } from '../src/columns.js';
import { Health } from '../src/enums.js';
import { NONE } from '../src/schema.js';
import { SnapshotBuilder } from '../src/snapshot-builder.js';
import { formatGpuUuid, parseGpuUuid } from '../src/uuid.js';
import { SnapshotView } from '../src/view/snapshot.js';

test('children are grouped by parent and starts are filled', () => {
  const builder = new SnapshotBuilder();
  const empty = builder.node('empty');
  const full = builder.node('full', '10.0.0.1');
  builder.gpu(full, { index: 0, health: Health.Healthy, uuid: 'GPU-8a2c6d3e-1f4b-4c5d-9e6f-0a1b2c3d4e5f' });
  const gpu = builder.gpu(full, { index: 1 });
  builder.migInstance(gpu, { profile: '1g.10gb' });
  const group = builder.instanceGroup('g', { backendService: 'svc', capacityScaler: 1, maxSize: 5 });
  builder.instance(group, 'i-1', { node: full, lastError: 'stockout' });
  const raw = builder.build();
  assert.deepEqual([...asColumn(raw.nodes.gpuStart, 'u32')], [0, 0]);
  assert.deepEqual([...asColumn(raw.gpus.migStart, 'u32')], [0, 0]);
  assert.equal(raw.strings.text.startsWith('empty'), true);
  const snapshot = new SnapshotView(raw);
  assert.equal(snapshot.node(empty).gpus.length, 0);
  assert.equal(snapshot.node(full).gpus.at(gpu).migInstances.toArray()[0].profile, '1g.10gb');
  assert.equal(snapshot.gpus.at(0).uuid, 'GPU-8a2c6d3e-1f4b-4c5d-9e6f-0a1b2c3d4e5f');
  const [instance] = snapshot.instanceGroup(group).instances;
  assert.equal(instance.lastError, 'stockout');
  assert.equal(instance.node.name, 'full');
  assert.equal(asColumn(raw.instanceGroups.backendService, 'u32')[0] === NONE, false);
});

test('a child after a later parent\'s children is refused', () => {
  const builder = new SnapshotBuilder();
  const first = builder.node('a');
  const second = builder.node('b');
  builder.gpu(second);
  assert.throws(() => builder.gpu(first), /gpus: add them grouped by parent/);
  assert.throws(() => builder.gpu(7), /gpus: no nodes row 7/);
});

test('GPU UUIDs read and write NVIDIA\'s form', () => {
  const text = 'GPU-8a2c6d3e-1f4b-4c5d-9e6f-0a1b2c3d4e5f';
  const [high, low] = parseGpuUuid(text);
  assert.deepEqual([high, low], [0x8a2c6d3e1f4b4c5dn, 0x9e6f0a1b2c3d4e5fn]);
  assert.equal(formatGpuUuid(high, low), text);
  assert.equal(formatGpuUuid(0n, 0n), undefined);
  assert.throws(() => parseGpuUuid('MIG-8a2c6d3e'), /is not a GPU UUID/);
});
