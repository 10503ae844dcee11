// definePolicy checks a policy's shape, and decideWith runs it as the
// component's decide export does.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as actions from '../src/actions.js';
import { Decisions } from '../src/decisions.js';
import { ActionKind } from '../src/enums.js';
import { decideWith, messageOf } from '../src/evaluate.js';
import { MemoryHost } from '../src/host.js';
import { definePolicy } from '../src/policy.js';
import { SnapshotBuilder } from '../src/snapshot-builder.js';

const metadata = { name: 'echo', version: '0.0.0', description: 'test policy', actionKinds: [ActionKind.MemberRatio] };

/** Answers with the snapshot version as member 0's ratio, and logs its settings. */
const echo = definePolicy({
  metadata,
  configure: (settings) => {
    if (settings === 'bad') throw new Error('settings: bad on purpose');
    return settings;
  },
  decide: (settings, snapshot, host) => {
    host.log('info', settings);
    return [actions.setMemberRatio(0, Number(snapshot.version), 'version')];
  },
});

test('decide runs the configured policy on a snapshot with a host', () => {
  const builder = new SnapshotBuilder();
  builder.version = 7n;
  const host = new MemoryHost();
  const decisions = decideWith(echo, echo.configure('{"x":1}'), builder.build(), host);
  assert.ok(decisions instanceof Decisions);
  assert.deepEqual(decisions.toArray(), [actions.setMemberRatio(0, 7, 'version')]);
  assert.deepEqual(host.logs, [{ level: 'info', message: '{"x":1}' }]);
});

test('errors leave as their message', () => {
  assert.throws(() => echo.configure('bad'), /settings: bad on purpose/);
  assert.equal(messageOf(new Error('settings.x: wrong')), 'settings.x: wrong');
  assert.equal(messageOf('plain text'), 'plain text');
});

test('a decide that returns neither Decisions nor an array is an error', () => {
  const broken = definePolicy({ metadata, configure: () => ({}), decide: () => 3 });
  assert.throws(() => decideWith(broken, {}, new SnapshotBuilder().build(), new MemoryHost()),
    /echo: decide returned number; expected Decisions or an array of decisions/);
});

test('a malformed definition is refused', () => {
  assert.throws(() => definePolicy({ metadata, configure: () => ({}) }), /configure and decide must be functions/);
  assert.throws(() => definePolicy({ metadata: { ...metadata, version: 1 }, configure() {}, decide() {} }),
    /metadata\.version must be a string/);
  assert.throws(() => definePolicy({ metadata: { ...metadata, actionKinds: ['teleport'] }, configure() {}, decide() {} }),
    /"teleport" is not one of member-ratio/);
});
