// The one place that knows how a snapshot's columns arrive: from the host as
// packed little-endian bytes (contract 0.3.0: a `Uint8Array` per column of
// wider numbers), from tests and JSON as typed or plain arrays. Views index
// what this hands them and never copy a column.

import { ARRAY_OF, TABLES, camel } from './schema.js';

/**
 * Every table of `snapshot` (the bindings' camelCase record) with each column
 * made indexable by row. Costs one small object per table; no column is copied.
 */
export function adaptColumns(snapshot) {
  const tables = {};
  for (const [table, columns] of LAYOUT) {
    const source = snapshot[table];
    const adapted = {};
    for (const [column, type] of columns) adapted[column] = asColumn(source[column], type);
    tables[table] = adapted;
  }
  return tables;
}

/**
 * TABLES with the bindings' camelCase names, as `[table, [[column, type]]]`:
 * worked out once at load, as every evaluation adapts every column.
 */
const LAYOUT = Object.entries(TABLES).map(([table, columns]) => [
  camel(table),
  Object.entries(columns).map(([column, type]) => [camel(column), type]),
]);

/**
 * Whether `column` is a `Uint8Array`. Asked by its tag, not `instanceof`: the
 * component's bindings hand over arrays made by another realm's constructor.
 */
function isBytes(column) {
  return ArrayBuffer.isView(column) && Object.prototype.toString.call(column) === '[object Uint8Array]';
}

/**
 * `typed` as the contract packs it: its bytes, little-endian (the layout of
 * typed arrays on every platform WebAssembly tooling runs on). Bytes stay bytes.
 */
export function pack(typed) {
  return typed instanceof Uint8Array
    ? typed
    : new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

/**
 * `column` as an indexable column of `type`. A column that arrives as raw bytes
 * (a `Uint8Array` for a wider type) is viewed in place as that type, which
 * WebAssembly's little-endian layout makes a reinterpretation, not a decode.
 */
export function asColumn(column, type) {
  const Typed = ARRAY_OF[type];
  if (!isBytes(column) || Typed === Uint8Array) {
    return column;
  }
  const width = Typed.BYTES_PER_ELEMENT;
  if (column.byteOffset % width === 0) {
    return new Typed(column.buffer, column.byteOffset, column.byteLength / width);
  }
  // Unaligned bytes cannot be viewed; copy them once to an aligned buffer.
  return new Typed(column.slice().buffer, 0, column.byteLength / width);
}
