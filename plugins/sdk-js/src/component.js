// The component side: the host's log and state imports wrapped as a host,
// and a policy turned into the world's `metadata`, `configure` and `decide`
// exports. Only the component build imports this module (the `fulcrum:`
// imports exist only inside a component); see ../build.

import { log } from 'fulcrum:policy/log@0.3.0';
import { delete as deleteKey, get, set } from 'fulcrum:policy/state@0.3.0';

import { decideWith, messageOf } from './evaluate.js';
import { StateError } from './host.js';

/** The host backed by the component's imports. */
export const componentHost = Object.freeze({
  log(level, message) {
    log(level, message);
  },
  stateGet(key) {
    return get(key);
  },
  stateSet(key, value) {
    try {
      set(key, value);
    } catch (error) {
      // A refused write arrives as an error carrying the state-error variant.
      const refusal = error?.payload;
      if (refusal?.tag === undefined) throw error;
      throw new StateError(refusal.tag, refusal.val);
    }
  },
  stateDelete(key) {
    deleteKey(key);
  },
});

/**
 * The world's exports for `policy` (from definePolicy). The host calls
 * `configure` and then `decide` in a fresh instance, so the configured value
 * lives here between the two calls. Errors leave as their message, which the
 * bindings hand to the host as the `err` of the result.
 */
export function componentExports(policy) {
  let configured;
  let ready = false;
  return {
    metadata() {
      return { ...policy.metadata, actionKinds: [...policy.metadata.actionKinds] };
    },
    configure(settings) {
      ready = false;
      try {
        configured = policy.configure(settings);
      } catch (error) {
        throw messageOf(error);
      }
      ready = true;
    },
    decide(snapshot) {
      if (!ready) throw 'decide called before configure';
      try {
        return decideWith(policy, configured, snapshot, componentHost).toWit();
      } catch (error) {
        throw messageOf(error);
      }
    },
  };
}
