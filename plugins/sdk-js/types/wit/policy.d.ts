/// <reference path="./interfaces/fulcrum-policy-log.d.ts" />
/// <reference path="./interfaces/fulcrum-policy-state.d.ts" />
/// <reference path="./interfaces/fulcrum-policy-types.d.ts" />
declare module 'fulcrum:policy/policy@0.3.0' {
  export type Snapshot = import('fulcrum:policy/types@0.3.0').Snapshot;
  export type Decisions = import('fulcrum:policy/types@0.3.0').Decisions;
  export type Metadata = import('fulcrum:policy/types@0.3.0').Metadata;
  export type * as FulcrumPolicyLog030 from 'fulcrum:policy/log@0.3.0'; // import fulcrum:policy/log@0.3.0
  export type * as FulcrumPolicyState030 from 'fulcrum:policy/state@0.3.0'; // import fulcrum:policy/state@0.3.0
  export type * as FulcrumPolicyTypes030 from 'fulcrum:policy/types@0.3.0'; // import fulcrum:policy/types@0.3.0
  /**
  * Name, version and the action kinds this policy may propose.
  */
  export function metadata(): Metadata;
  /**
  * Validate and take the operator's settings, a JSON object (the policy's
  * `settings` table from the host configuration; `{}` when none). Return a
  * message naming the setting and what is wrong with it on error.
  */
  export function configure(settings: string): void;
  /**
  * Propose actions for this snapshot. An error is reported and the policy's
  * previous decisions stay in force.
  */
  export function decide(snapshot: Snapshot): Decisions;
  export type Result<T, E> = { tag: 'ok', val: T } | { tag: 'err', val: E };
}
