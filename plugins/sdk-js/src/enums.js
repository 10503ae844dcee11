// The contract's enums as named constants, and the decoding of enum and
// boolean columns (one byte per row: the case's position in the WIT
// declaration). Values are the WIT case names, as the component bindings use.
//
// Decoding never fails: a code past the last case (a newer host, a corrupt
// column) reads as the case a policy can act on most safely, as in the Rust SDK.

/** An enum: its cases by constant name, and its decode/encode functions. */
function enumeration(cases, fallback) {
  const constants = {};
  for (const name of cases) {
    constants[name.replace(/(^|-)([a-z])/g, (_, __, letter) => letter.toUpperCase())] = name;
  }
  return Object.freeze({
    ...constants,
    /** The case with code `code`; past the last case, the safe fallback. */
    fromCode: (code) => cases[code] ?? fallback,
    /** This case's code in a column; throws for a name that is no case. */
    code(name) {
      const code = cases.indexOf(name);
      if (code < 0) throw new TypeError(`"${name}" is not one of ${cases.join(', ')}`);
      return code;
    },
    cases: Object.freeze([...cases]),
  });
}

/** Node or GPU health; an unknown code reads as `unknown` (no judgement). */
export const Health = enumeration(['healthy', 'degraded', 'unhealthy', 'unknown'], 'unknown');

/**
 * A pool member's administrative state; an unknown code reads as
 * `forced-offline`: a member in a state the policy does not know is taken to
 * receive no traffic.
 */
export const MemberState = enumeration(['enabled', 'disabled', 'forced-offline'], 'forced-offline');

/** Monitor availability; an unknown code reads as `unknown`. */
export const Availability = enumeration(['available', 'offline', 'unknown'], 'unknown');

/** Instance lifecycle status; an unknown code reads as `absent`. */
export const InstanceStatus = enumeration(
  ['provisioning', 'staging', 'running', 'stopping', 'stopped', 'suspending', 'suspended',
    'terminated', 'absent'],
  'absent',
);

/** What the group manager is doing to an instance; an unknown code reads as `none`. */
export const InstanceAction = enumeration(
  ['none', 'creating', 'creating-without-retries', 'recreating', 'deleting', 'abandoning',
    'restarting', 'refreshing', 'verifying'],
  'none',
);

/** The kinds of action a policy may declare and propose. */
export const ActionKind = enumeration(
  ['member-ratio', 'member-state', 'capacity-scaler', 'group-size', 'mig-layout'],
  undefined,
);

/** Log levels. */
export const Level = enumeration(['trace', 'debug', 'info', 'warn', 'error'], undefined);

/** A boolean column's byte: any nonzero byte is true. */
export const flag = (code) => code !== 0;
