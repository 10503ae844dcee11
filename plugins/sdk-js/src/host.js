// What a policy may ask of the host while deciding: log lines and a small
// key-value state. `MemoryHost` is the in-memory stand-in for unit tests
// under plain Node; component.js builds the real one on the imports.
//
// A host has: log(level, message); stateGet(key) → Uint8Array | undefined;
// stateSet(key, value: Uint8Array), which throws a StateError when refused;
// stateDelete(key).

/** Why the host refused a state write: `kind` is a state-error case. */
export class StateError extends Error {
  /**
   * @param {'invalid-key' | 'quota-exceeded'} kind
   * @param {bigint} [quota] the quota in bytes, for `quota-exceeded`
   */
  constructor(kind, quota) {
    super(kind === 'invalid-key'
      ? 'invalid state key: keys are 1..=256 bytes'
      : `state quota of ${quota} bytes exceeded`);
    this.name = 'StateError';
    this.kind = kind;
    this.quota = quota;
  }
}

const encoder = new TextEncoder();

/** Bytes an entry counts against the quota, as the host counts them. */
const entryBytes = (key, value) => encoder.encode(key).length + value.length + 64;

/**
 * A host that keeps state in a Map and records log lines, checking keys and
 * quota as the host does (keys 1..=256 bytes; every entry counts its key, its
 * value and 64 bytes). Unlike the host it keeps every log line whole, and
 * writes are not rolled back when a policy throws.
 */
export class MemoryHost {
  /** The host's default state quota: 1 MiB. */
  static DEFAULT_QUOTA = 1n << 20n;

  constructor({ quota = MemoryHost.DEFAULT_QUOTA, state = new Map() } = {}) {
    this.quota = BigInt(quota);
    /** @type {Map<string, Uint8Array>} */
    this.state = state;
    /** @type {{ level: string, message: string }[]} */
    this.logs = [];
  }

  log(level, message) {
    this.logs.push({ level, message });
  }

  /** The messages logged at `level`, in order. */
  logged(level) {
    return this.logs.filter((line) => line.level === level).map((line) => line.message);
  }

  stateGet(key) {
    const value = this.state.get(key);
    return value === undefined ? undefined : value.slice();
  }

  stateSet(key, value) {
    const keyBytes = encoder.encode(key).length;
    if (keyBytes < 1 || keyBytes > 256) throw new StateError('invalid-key');
    let used = 0;
    for (const [storedKey, storedValue] of this.state) {
      if (storedKey !== key) used += entryBytes(storedKey, storedValue);
    }
    if (BigInt(used + entryBytes(key, value)) > this.quota) {
      throw new StateError('quota-exceeded', this.quota);
    }
    this.state.set(key, Uint8Array.from(value));
  }

  stateDelete(key) {
    this.state.delete(key);
  }
}
