// One evaluation as the host runs it, minus WebAssembly: configure, then
// decide on a snapshot. Shared by the component's exports and by tests, so a
// policy is exercised the same way in both.

import { Decisions } from './decisions.js';
import { SnapshotView } from './view/snapshot.js';

/** `error` (anything a policy threw) as the message the host reports. */
export function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Run `policy.decide` on `snapshot` (a bindings-shaped snapshot or a
 * SnapshotView) with `configured`, the value `policy.configure` returned.
 * Returns Decisions, whether the policy returned Decisions or an array of
 * Decision objects.
 */
export function decideWith(policy, configured, snapshot, host) {
  const view = snapshot instanceof SnapshotView ? snapshot : new SnapshotView(snapshot);
  const decided = policy.decide(configured, view, host);
  if (decided instanceof Decisions) return decided;
  if (Array.isArray(decided)) return Decisions.from(decided);
  throw new TypeError(
    `${policy.metadata.name}: decide returned ${typeof decided}; expected Decisions or an array of decisions`,
  );
}
