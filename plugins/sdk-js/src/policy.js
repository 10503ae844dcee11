// definePolicy: how a policy is written. A policy is its metadata, a
// `configure` that turns the operator's JSON settings into whatever the
// policy needs, and a `decide` that reads a snapshot and proposes actions.

import { ActionKind } from './enums.js';

/**
 * @param {object} definition
 * @param {{ name: string, version: string, description: string, actionKinds: string[] }} definition.metadata
 * @param {(settings: string) => any} definition.configure validates the settings
 *   text (a JSON object, `{}` when none) and returns the configured value;
 *   throws (an Error or a string) naming the setting and what is wrong.
 * @param {(configured: any, snapshot: import('./view/snapshot.js').SnapshotView,
 *   host: object) => import('./decisions.js').Decisions | object[]} definition.decide
 *   proposes actions, as Decisions or an array of Decision objects.
 */
export function definePolicy({ metadata, configure, decide }) {
  if (typeof configure !== 'function' || typeof decide !== 'function') {
    throw new TypeError('definePolicy: configure and decide must be functions');
  }
  for (const field of ['name', 'version', 'description']) {
    if (typeof metadata?.[field] !== 'string') {
      throw new TypeError(`definePolicy: metadata.${field} must be a string`);
    }
  }
  if (!Array.isArray(metadata.actionKinds)) {
    throw new TypeError('definePolicy: metadata.actionKinds must be an array of ActionKind cases');
  }
  metadata.actionKinds.forEach((kind) => ActionKind.code(kind));
  return Object.freeze({ metadata: Object.freeze({ ...metadata }), configure, decide });
}
