// The views read every table of a snapshot as the Rust SDK's views do.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Availability, Health, MemberState } from '../src/enums.js';
import { SnapshotBuilder } from '../src/snapshot-builder.js';
import { SnapshotView } from '../src/view/snapshot.js';
import { fixtureView } from './fixtures.js';

test('nodes, their GPUs, MIG instances and labels', () => {
  const snapshot = fixtureView('small-cluster.json');
  assert.equal(snapshot.version, 7n);
  const [first, second] = snapshot.nodes;
  assert.equal(first.name, 'gpu-nöde-1');
  assert.equal(first.telemetryAgeMs, 1200);
  assert.deepEqual(first.labels, [['zone', 'europe-west4-a']]);
  assert.equal(first.label('zone'), 'europe-west4-a');
  assert.equal(first.label('rack'), undefined);
  assert.equal(second.health, Health.Unhealthy);
  assert.deepEqual(second.labels, []);

  const gpus = first.gpus.toArray();
  assert.deepEqual(gpus.map((gpu) => gpu.index), [0, 1]);
  assert.equal(gpus[0].uuid, 'GPU-8a2c6d3e-1f4b-4c5d-9e6f-0a1b2c3d4e5f');
  assert.equal(gpus[1].uuid, undefined);
  assert.equal(gpus[0].utilization, 0.25);
  assert.ok(Number.isNaN(gpus[1].utilization), 'null in JSON reads as NaN');
  assert.equal(gpus[0].temperatureC, 85.5);
  assert.equal(gpus[0].throttled, true);
  assert.equal(gpus[1].lastXid, 79);
  assert.equal(gpus[1].health, Health.Unhealthy);
  assert.equal(gpus[0].node.name, 'gpu-nöde-1');

  const mig = gpus[0].migInstances.toArray();
  assert.deepEqual(mig.map((instance) => [instance.profile, instance.placementStart]), [['3g.40gb', 0], ['3g.40gb', 4]]);
  assert.equal(mig[1].gpu.row, gpus[0].row);
  assert.equal(gpus[1].migInstances.length, 0);
});

test('pools, members and their nodes', () => {
  const snapshot = fixtureView('small-cluster.json');
  const pool = snapshot.poolByName('mlPool');
  assert.equal(pool.partition, 'Common');
  assert.equal(pool.loadBalancingMode, 'ratio-member');
  const members = pool.members.toArray();
  assert.deepEqual(members.map((m) => [m.name, m.ratio, m.state, m.availability]), [
    ['gpu-nöde-1:8080', 40, MemberState.Enabled, Availability.Available],
    ['gpu-node-2:8080', 60, MemberState.Disabled, Availability.Offline],
    ['gone:8080', 1, MemberState.ForcedOffline, Availability.Unknown],
  ]);
  assert.equal(members[0].node.name, 'gpu-nöde-1');
  assert.equal(members[2].node, undefined, 'a member without a node');
  assert.equal(members[1].connectionLimit, 100);
  assert.equal(snapshot.member(1).pool.name, 'mlPool');
  assert.equal(snapshot.member(3), undefined);
});

test('instance groups, instances and signals of the embedded fleet', () => {
  const snapshot = fixtureView('embedded-fleet.json');
  const [group] = snapshot.instanceGroups;
  assert.equal(group.name, 'tf-instance-group-manager');
  assert.equal(group.backendService, 'tf-backend-service');
  assert.deepEqual([group.minSize, group.targetSize, group.maxSize, group.capacityScaler], [1, 3, 10, 1]);
  const instances = group.instances.toArray();
  assert.deepEqual(instances.map((i) => [i.name, i.status, i.action, i.serving, i.lastError]),
    ['tf-instance-fb17', 'tf-instance-0bih', 'tf-instance-d79j'].map((name) => [name, 'running', 'none', false, undefined]));
  assert.equal(instances[0].node.stale, true);
  assert.deepEqual(snapshot.signals, [{ name: 'queue-depth', value: 150 }]);
  assert.equal(snapshot.signal('queue-depth'), 150);
  assert.equal(snapshot.signal('absent'), undefined);
  assert.equal(snapshot.nodes.length, 6);
  assert.equal(snapshot.gpus.length, 24);
});

test('codes past the last case read as the safe case', () => {
  const builder = new SnapshotBuilder();
  const node = builder.node('n');
  builder.gpu(node, { health: Health.Healthy });
  const pool = builder.pool('p');
  builder.member(pool, 'm');
  const raw = builder.build();
  raw.nodes.health[0] = 9;
  raw.gpus.throttled[0] = 7;
  raw.members.state[0] = 200;
  const snapshot = new SnapshotView(raw);
  assert.equal(snapshot.node(0).health, Health.Unknown);
  assert.equal(snapshot.gpus.at(0).throttled, true, 'any nonzero byte is true');
  assert.equal(snapshot.member(0).state, MemberState.ForcedOffline);
});

test('malformed start columns and string ids give empty results, not rows outside tables', () => {
  const builder = new SnapshotBuilder();
  builder.gpu(builder.node('n'), {});
  const raw = builder.build();
  raw.nodes.gpuStart[0] = 5;
  raw.nodes.name[0] = 99;
  const snapshot = new SnapshotView(raw);
  assert.equal(snapshot.node(0).gpus.length, 0);
  assert.equal(snapshot.node(0).name, '');
  assert.equal(snapshot.optionalString(0xffffffff), undefined);
});

test('rows hand out views only for rows in their range', () => {
  const snapshot = fixtureView('embedded-fleet.json');
  const gpus = snapshot.node(1).gpus;
  assert.deepEqual([gpus.start, gpus.end, gpus.length], [8, 16, 8]);
  assert.equal(gpus.at(8).node.row, 1);
  assert.equal(gpus.at(7), undefined);
  assert.equal(gpus.find((gpu) => gpu.index === 3).row, 11);
  assert.deepEqual(gpus.filter((gpu) => gpu.index < 2).map((gpu) => gpu.row), [8, 9]);
});
