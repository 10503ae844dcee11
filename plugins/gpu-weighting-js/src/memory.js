// What the policy remembers about each member between cycles, under one
// state key, in the Rust policy's binary encoding (so either policy can take
// over the other's state). All integers little-endian:
//
//   b"fgw1"                                  magic and format version
//   then per pool, until the end:
//     u16 name length, name (UTF-8)
//     u32 member count
//     per member: u16 name length, name (UTF-8),
//                 f32 smoothed ratio (NaN: none),
//                 u8 flags (bit 0: disabled by this policy)
//
// Members are keyed by pool and name. Where a pool or a member name was
// stored twice, the first pool and the member's last record count.

/** The state key holding every member's record. */
export const KEY = 'member-memory';

const MAGIC = [0x66, 0x67, 0x77, 0x31]; // "fgw1"
const DISABLED_BY_POLICY = 1;
const NAN_BITS = 0x7fc00000; // the f32 NaN Rust writes for "none"

/** @typedef {{ smoothed: number | undefined, disabledByPolicy: boolean }} MemberRecord */

/** A record with nothing to remember. */
export const EMPTY = Object.freeze({ smoothed: undefined, disabledByPolicy: false });

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** A stored value that does not decode: where, and what is wrong. */
export class Corrupt extends Error {
  constructor(at, what) {
    super(`byte ${at}: ${what}`);
    this.name = 'Corrupt';
  }
}

/**
 * Decode `bytes` into a Map from pool name to a Map from member name to its
 * record `{ smoothed: number | undefined, disabledByPolicy: boolean }`.
 * Throws Corrupt when the bytes do not decode.
 *
 * It runs once per stored member in an interpreter, so it is one loop over
 * the bytes with its reads written out, rather than a reader object whose
 * method calls would cost more than the reads.
 */
export function decodeMemory(bytes) {
  const { length } = bytes;
  if (length < MAGIC.length) throw new Corrupt(0, 'truncated');
  if (MAGIC.some((byte, i) => bytes[i] !== byte)) {
    throw new Corrupt(0, 'unknown format (no "fgw1" header)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, length);
  const pools = new Map();
  let at = MAGIC.length;
  while (at < length) {
    at = needs(bytes, at, 2);
    let size = bytes[at - 2] | (bytes[at - 1] << 8);
    const pool = utf8(bytes, at, size);
    at = needs(bytes, at + size, 4);
    const count = view.getUint32(at - 4, true);
    const records = new Map();
    for (let i = 0; i < count; i++) {
      at = needs(bytes, at, 2);
      size = bytes[at - 2] | (bytes[at - 1] << 8);
      const name = utf8(bytes, at, size);
      at = needs(bytes, at + size, 4);
      const smoothed = view.getFloat32(at - 4, true);
      at = needs(bytes, at, 1);
      records.set(name, {
        // NaN (none) and infinities read as none: only a finite x has x - x === 0.
        smoothed: smoothed - smoothed === 0 ? smoothed : undefined,
        disabledByPolicy: (bytes[at - 1] & DISABLED_BY_POLICY) !== 0,
      });
    }
    if (!pools.has(pool)) pools.set(pool, records);
  }
  return pools;
}

/** `at + n`, the end of `n` bytes starting at `at`; throws when `bytes` has fewer. */
function needs(bytes, at, n) {
  if (at + n > bytes.length) throw new Corrupt(at, 'truncated');
  return at + n;
}

/** The `size` bytes at `at` as UTF-8 text; throws when they are past the end or not UTF-8. */
function utf8(bytes, at, size) {
  needs(bytes, at, size);
  try {
    return decoder.decode(bytes.subarray(at, at + size));
  } catch {
    throw new Corrupt(at, 'name is not UTF-8');
  }
}

/**
 * Encodes this cycle's records, pool by pool, in the order they are given.
 * Writes into one growing byte buffer (names with `encodeInto`, numbers
 * through a DataView): it runs once per member in an interpreter, where
 * pushing byte by byte onto an array and a TextEncoder result per name cost
 * more than the rest of the member's decision.
 */
export class MemoryWriter {
  constructor() {
    this.bytes = new Uint8Array(1024);
    this.view = new DataView(this.bytes.buffer);
    this.bytes.set(MAGIC);
    this.length = MAGIC.length;
    this.poolAt = MAGIC.length;
    this.countAt = MAGIC.length;
    this.count = 0;
  }

  /** Start the records of pool `name`; ends the previous pool. */
  pool(name) {
    this.#endPool();
    this.poolAt = this.length;
    const at = this.#name(name);
    if (at < 0) return;
    this.#reserve(at + 4);
    this.countAt = at;
    this.length = at + 4;
  }

  /** Record `record` for member `name`; empty records and names too long to encode are left out. */
  member(name, record) {
    const { smoothed, disabledByPolicy } = record;
    if (smoothed === undefined && !disabledByPolicy) return;
    if (this.countAt <= this.poolAt) return;
    // Written out rather than through #name: this runs once per member.
    const at = this.length;
    // A UTF-16 code unit takes at most 3 bytes in UTF-8; then five more bytes.
    if (at + 7 + 3 * name.length > this.bytes.length) this.#reserve(at + 7 + 3 * name.length);
    const { bytes } = this;
    const { written } = encoder.encodeInto(name, bytes.subarray(at + 2));
    if (written > 0xffff) return;
    bytes[at] = written & 0xff;
    bytes[at + 1] = written >> 8;
    const end = at + 2 + written;
    if (smoothed === undefined) this.view.setUint32(end, NAN_BITS, true);
    else this.view.setFloat32(end, smoothed, true);
    bytes[end + 4] = disabledByPolicy ? DISABLED_BY_POLICY : 0;
    this.length = end + 5;
    this.count++;
  }

  /** The encoded value; `undefined` when there is nothing to remember. */
  finish() {
    this.#endPool();
    return this.length > MAGIC.length ? this.bytes.slice(0, this.length) : undefined;
  }

  /** Write the current pool's count, or drop the pool if it has no records. */
  #endPool() {
    if (this.count === 0) this.length = this.poolAt;
    else this.view.setUint32(this.countAt, this.count, true);
    this.count = 0;
    this.countAt = this.poolAt;
  }

  /**
   * Append a length-prefixed name with room for `then` more bytes after it;
   * returns where those start, or -1 (and nothing written) when the name is
   * over 65535 bytes.
   */
  #name(name, then = 0) {
    const at = this.length;
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    this.#reserve(at + 2 + 3 * name.length + then);
    const { bytes } = this;
    const { written } = encoder.encodeInto(name, bytes.subarray(at + 2));
    if (written > 0xffff) return -1;
    bytes[at] = written & 0xff;
    bytes[at + 1] = written >> 8;
    this.length = at + 2 + written;
    return this.length;
  }

  /** Make the buffer at least `size` bytes long, doubling it as needed. */
  #reserve(size) {
    if (size <= this.bytes.length) return;
    let grown = this.bytes.length * 2;
    while (grown < size) grown *= 2;
    const bytes = new Uint8Array(grown);
    bytes.set(this.bytes.subarray(0, this.length));
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer);
  }
}
