// The one place that knows how a snapshot's columns arrive: today as typed
// arrays (or plain arrays from tests), possibly later as raw little-endian
// bytes. Views index what this hands them and never copy a column.

import { ARRAY_OF, TABLES, camel } from './schema.js';

/**
 * Every table of `snapshot` (the bindings' camelCase record) with each column
 * made indexable by row. Costs one small object per table; no column is copied.
 */
export function adaptColumns(snapshot) {
  const tables = {};
  for (const [table, columns] of Object.entries(TABLES)) {
    const source = snapshot[camel(table)];
    const adapted = {};
    for (const [column, type] of Object.entries(columns)) {
      adapted[camel(column)] = asColumn(source[camel(column)], type);
    }
    tables[camel(table)] = adapted;
  }
  return tables;
}

/**
 * `column` as an indexable column of `type`. A column that arrives as raw bytes
 * (a `Uint8Array` for a wider type) is viewed in place as that type, which
 * WebAssembly's little-endian layout makes a reinterpretation, not a decode.
 */
export function asColumn(column, type) {
  const Typed = ARRAY_OF[type];
  if (!(column instanceof Uint8Array) || Typed === Uint8Array) {
    return column;
  }
  const width = Typed.BYTES_PER_ELEMENT;
  if (column.byteOffset % width === 0) {
    return new Typed(column.buffer, column.byteOffset, column.byteLength / width);
  }
  // Unaligned bytes cannot be viewed; copy them once to an aligned buffer.
  return new Typed(column.slice().buffer, 0, column.byteLength / width);
}
