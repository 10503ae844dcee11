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
 */
export function decodeMemory(bytes) {
  const reader = new Reader(bytes);
  const magic = reader.take(MAGIC.length);
  if (magic.some((byte, i) => byte !== MAGIC[i])) {
    throw new Corrupt(0, 'unknown format (no "fgw1" header)');
  }
  const pools = new Map();
  while (reader.at < bytes.length) {
    const pool = reader.name();
    const count = reader.u32();
    const records = new Map();
    for (let i = 0; i < count; i++) {
      const name = reader.name();
      const smoothed = reader.f32();
      const flags = reader.u8();
      records.set(name, {
        smoothed: Number.isFinite(smoothed) ? smoothed : undefined,
        disabledByPolicy: (flags & DISABLED_BY_POLICY) !== 0,
      });
    }
    if (!pools.has(pool)) pools.set(pool, records);
  }
  return pools;
}

/** Reads the encoding front to back. */
class Reader {
  constructor(bytes) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.at = 0;
  }

  take(n) {
    const at = this.#advance(n);
    return this.bytes.subarray(at, at + n);
  }

  u8() {
    return this.bytes[this.#advance(1)];
  }

  u32() {
    return this.view.getUint32(this.#advance(4), true);
  }

  f32() {
    return this.view.getFloat32(this.#advance(4), true);
  }

  name() {
    const { bytes } = this;
    const at = this.#advance(2);
    // Read by hand: a call to DataView's getUint16 costs more in the interpreter.
    const length = bytes[at] | (bytes[at + 1] << 8);
    const start = this.#advance(length);
    try {
      return decoder.decode(bytes.subarray(start, start + length));
    } catch {
      throw new Corrupt(start, 'name is not UTF-8');
    }
  }

  /** Move past `n` bytes, returning where they start; throws when there are fewer left. */
  #advance(n) {
    const at = this.at;
    if (at + n > this.bytes.length) throw new Corrupt(at, 'truncated');
    this.at = at + n;
    return at;
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
    if (!this.#name(name)) return;
    this.countAt = this.length;
    this.#reserve(4);
    this.length += 4;
  }

  /** Record `record` for member `name`; empty records and names too long to encode are left out. */
  member(name, record) {
    const { smoothed, disabledByPolicy } = record;
    const empty = smoothed === undefined && !disabledByPolicy;
    if (empty || this.countAt <= this.poolAt || !this.#name(name)) return;
    this.#reserve(5);
    if (smoothed === undefined) this.view.setUint32(this.length, NAN_BITS, true);
    else this.view.setFloat32(this.length, smoothed, true);
    this.bytes[this.length + 4] = disabledByPolicy ? DISABLED_BY_POLICY : 0;
    this.length += 5;
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

  /** Append a length-prefixed name; false (and nothing written) when over 65535 bytes. */
  #name(name) {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    this.#reserve(2 + 3 * name.length);
    const { written } = encoder.encodeInto(name, this.bytes.subarray(this.length + 2));
    if (written > 0xffff) return false;
    this.view.setUint16(this.length, written, true);
    this.length += 2 + written;
    return true;
  }

  /** Make room for `n` more bytes, doubling the buffer as needed. */
  #reserve(n) {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const bytes = new Uint8Array(size);
    bytes.set(this.bytes.subarray(0, this.length));
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer);
  }
}
