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
      const flags = reader.take(1)[0];
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
    if (this.at + n > this.bytes.length) throw new Corrupt(this.at, 'truncated');
    const taken = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return taken;
  }

  u32() {
    const at = this.at;
    this.take(4);
    return this.view.getUint32(at, true);
  }

  f32() {
    const at = this.at;
    this.take(4);
    return this.view.getFloat32(at, true);
  }

  name() {
    const at = this.at;
    this.take(2);
    const length = this.view.getUint16(at, true);
    const start = this.at;
    const bytes = this.take(length);
    try {
      return decoder.decode(bytes);
    } catch {
      throw new Corrupt(start, 'name is not UTF-8');
    }
  }
}

/** Encodes this cycle's records, pool by pool, in the order they are given. */
export class MemoryWriter {
  constructor() {
    this.bytes = [...MAGIC];
    this.poolAt = MAGIC.length;
    this.countAt = MAGIC.length;
    this.count = 0;
  }

  /** Start the records of pool `name`; ends the previous pool. */
  pool(name) {
    this.#endPool();
    this.poolAt = this.bytes.length;
    if (!this.#name(name)) return;
    this.countAt = this.bytes.length;
    this.bytes.push(0, 0, 0, 0);
  }

  /** Record `record` for member `name`; empty records and names too long to encode are left out. */
  member(name, record) {
    const empty = record.smoothed === undefined && !record.disabledByPolicy;
    if (empty || this.countAt <= this.poolAt || !this.#name(name)) return;
    const bits = new DataView(new ArrayBuffer(4));
    if (record.smoothed === undefined) bits.setUint32(0, NAN_BITS, true);
    else bits.setFloat32(0, record.smoothed, true);
    this.bytes.push(...new Uint8Array(bits.buffer), record.disabledByPolicy ? DISABLED_BY_POLICY : 0);
    this.count++;
  }

  /** The encoded value; `undefined` when there is nothing to remember. */
  finish() {
    this.#endPool();
    return this.bytes.length > MAGIC.length ? Uint8Array.from(this.bytes) : undefined;
  }

  /** Write the current pool's count, or drop the pool if it has no records. */
  #endPool() {
    if (this.count === 0) {
      this.bytes.length = this.poolAt;
    } else {
      const count = this.count;
      this.bytes.splice(this.countAt, 4, count & 0xff, (count >>> 8) & 0xff, (count >>> 16) & 0xff, count >>> 24);
    }
    this.count = 0;
    this.countAt = this.poolAt;
  }

  /** Append a length-prefixed name; false (and nothing written) when over 65535 bytes. */
  #name(name) {
    const bytes = encoder.encode(name);
    if (bytes.length > 0xffff) return false;
    this.bytes.push(bytes.length & 0xff, bytes.length >>> 8);
    for (const byte of bytes) this.bytes.push(byte);
    return true;
  }
}
