// The checked-in JSON snapshots, loaded for tests.

import { readFileSync } from 'node:fs';

import { snapshotFromJson } from '../src/snapshot-json.js';
import { SnapshotView } from '../src/view/snapshot.js';

/** The text of fixture `name` (a file in ../fixtures). */
export const fixtureText = (name) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

/** Fixture `name` as a SnapshotView. */
export const fixtureView = (name) => new SnapshotView(snapshotFromJson(fixtureText(name)));
