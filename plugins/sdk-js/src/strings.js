// StringTable: resolves the contract's string ids (byte offsets into one
// UTF-8 text) to JavaScript strings, lazily and once per id.

import { NONE } from './schema.js';
import { decodeUtf8, encodeUtf8, isAscii } from './utf8.js';

export class StringTable {
  /** @param {{ text: string, offsets: ArrayLike<number> }} table */
  constructor(table) {
    this.text = table.text;
    this.offsets = table.offsets;
    this.count = Math.max(0, table.offsets.length - 1);
    // ASCII text: byte offsets are string indices. Otherwise slice the bytes.
    this.bytes = isAscii(table.text) ? null : encodeUtf8(table.text);
    this.resolved = new Array(this.count);
  }

  /** String `id`; `undefined` when `id` is `NONE` or no valid string. */
  get(id) {
    if (id === NONE || !(id < this.count)) return undefined;
    const known = this.resolved[id];
    if (known !== undefined) return known;
    const start = this.offsets[id];
    const end = this.offsets[id + 1];
    let text;
    if (start > end) text = undefined;
    else if (this.bytes === null) text = end <= this.text.length ? this.text.slice(start, end) : undefined;
    else text = end <= this.bytes.length ? decodeUtf8(this.bytes.subarray(start, end)) : undefined;
    this.resolved[id] = text;
    return text;
  }
}
