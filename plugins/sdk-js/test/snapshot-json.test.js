// Snapshots load from `host snapshot --json` output; bad input is refused
// naming the field and the reason.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { asColumn } from '../src/columns.js';
import { snapshotFromJson } from '../src/snapshot-json.js';
import { fixtureText } from './fixtures.js';

const fleet = () => JSON.parse(fixtureText('embedded-fleet.json'));
const refused = (json) => () => snapshotFromJson(typeof json === 'string' ? json : JSON.stringify(json));

test('loads into the bindings shape: camelCase, packed columns, bigint u64s', () => {
  const snapshot = snapshotFromJson(fixtureText('embedded-fleet.json'));
  assert.equal(snapshot.timeMs, 1796322316842n);
  const rows = snapshot.gpus.health.length;
  assert.equal(snapshot.gpus.memoryUsedMib.length, 4 * rows);
  assert.equal(snapshot.nodes.telemetryAgeMs.length, 4 * snapshot.nodes.health.length);
  assert.equal(snapshot.members.port.length, 2 * snapshot.members.state.length);
  assert.equal(snapshot.signals.value.length, 8 * (snapshot.signals.name.length / 4));
  // 11204392922944372736 is past 2^53: it must survive exactly.
  assert.equal(asColumn(snapshot.gpus.uuidLow, 'u64')[0], 11204392922944372736n);
});

test('null readings load as NaN', () => {
  const snapshot = snapshotFromJson(fixtureText('small-cluster.json'));
  assert.ok(Number.isNaN(asColumn(snapshot.gpus.utilization, 'f32')[1]));
  assert.ok(Number.isNaN(asColumn(snapshot.migInstances.utilization, 'f32')[1]));
});

test('bad input names the field and the reason', () => {
  assert.throws(refused('{"version": '), /^SyntaxError: snapshot: not valid JSON/);
  assert.throws(refused('[]'), /snapshot: expected an object, found an array/);
  const missing = fleet();
  delete missing.gpus.temperature_c;
  assert.throws(refused(missing), /snapshot\.gpus\.temperature_c: expected an array, found nothing \(missing\)/);
  const word = fleet();
  word.gpus.utilization[3] = 'busy';
  assert.throws(refused(word), /snapshot\.gpus\.utilization\[3\]: expected a number or null, found "busy"/);
  const negative = fleet();
  negative.members.ratio[1] = -4;
  assert.throws(refused(negative), /snapshot\.members\.ratio\[1\]: expected a whole number in 0\.\.=4294967295, found -4/);
  const wide = fleet();
  wide.members.port[0] = 70000;
  assert.throws(refused(wide), /snapshot\.members\.port\[0\]: expected a whole number in 0\.\.=65535/);
  const short = fleet();
  short.nodes.stale.pop();
  assert.throws(refused(short), /snapshot\.nodes\.stale: 5 rows, but the table's other columns have 6/);
  const noTable = fleet();
  delete noTable.signals;
  assert.throws(refused(noTable), /snapshot\.signals: expected an object/);
});
