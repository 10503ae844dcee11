// Snapshots from JSON as `host snapshot --json` prints them (snake_case
// tables of columns, NaN readings as null), turned into the shape the
// component bindings hand a policy: camelCase, typed arrays, bigint u64s.
// Bad input is refused with the field and the reason.

import { ARRAY_OF, TABLES, camel } from './schema.js';
import { pack } from './columns.js';

const LIMITS = { u8: 0xff, u16: 0xffff, u32: 0xffffffff };

// Integers past 2^53 (GPU UUID halves) would lose bits in JSON.parse, so
// they are quoted with this marker first and read back exactly.
const BIG = '\u0000big:';
const BIG_IN_JSON = '\\u0000big:';
const BIG_INTEGERS = /"(?:[^"\\]|\\.)*"|-?\d{16,}(?![.eE\d])/g;

/** Parse `text` into a bindings-shaped snapshot; throws naming the bad field. */
export function snapshotFromJson(text) {
  let json;
  try {
    json = JSON.parse(text.replace(BIG_INTEGERS, (token) => (token[0] === '"' ? token : `"${BIG_IN_JSON}${token}"`)));
  } catch (error) {
    throw new SyntaxError(`snapshot: not valid JSON: ${error.message}`);
  }
  return snapshotFromObject(json);
}

/** A parsed JSON snapshot (as `JSON.parse` returns it) in bindings shape. */
export function snapshotFromObject(json) {
  const object = (value, path) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new TypeError(`${path}: expected an object, found ${describe(value)}`);
    }
    return value;
  };
  object(json, 'snapshot');
  const strings = object(json.strings, 'snapshot.strings');
  if (typeof strings.text !== 'string') {
    throw new TypeError(`snapshot.strings.text: expected a string, found ${describe(strings.text)}`);
  }
  const offsets = column(strings.offsets, 'u32', 'snapshot.strings.offsets');
  if (offsets.length === 0) throw new RangeError('snapshot.strings.offsets: empty; it starts with 0');
  const snapshot = {
    version: integer(json.version, 'snapshot.version'),
    timeMs: integer(json.time_ms, 'snapshot.time_ms'),
    strings: { text: strings.text, offsets: pack(offsets) },
  };
  for (const [table, columns] of Object.entries(TABLES)) {
    const source = object(json[table], `snapshot.${table}`);
    const read = {};
    let length;
    for (const [name, type] of Object.entries(columns)) {
      const path = `snapshot.${table}.${name}`;
      const typed = column(source[name], type, path);
      read[camel(name)] = pack(typed);
      const rows = typed.length;
      if (length !== undefined && rows !== length) {
        throw new RangeError(`${path}: ${rows} rows, but the table's other columns have ${length}`);
      }
      length = rows;
    }
    snapshot[camel(table)] = read;
  }
  return snapshot;
}

/** The JSON array `values` as a typed column of `type`. */
function column(values, type, path) {
  if (!Array.isArray(values)) throw new TypeError(`${path}: expected an array, found ${describe(values)}`);
  const typed = new ARRAY_OF[type](values.length);
  values.forEach((value, row) => {
    typed[row] = element(value, type, `${path}[${row}]`);
  });
  return typed;
}

function element(value, type, path) {
  if (type === 'u64') return integer(value, path);
  const number = typeof value === 'string' && value.startsWith(BIG) ? Number(value.slice(BIG.length)) : value;
  if (type === 'f32' || type === 'f64') {
    if (number === null) return NaN;
    if (typeof number !== 'number') throw new TypeError(`${path}: expected a number or null, found ${describe(value)}`);
    return number;
  }
  if (!Number.isInteger(number) || number < 0 || number > LIMITS[type]) {
    throw new TypeError(`${path}: expected a whole number in 0..=${LIMITS[type]}, found ${describe(value)}`);
  }
  return number;
}

/** A u64 as a bigint. */
function integer(value, path) {
  const digits = typeof value === 'string' && value.startsWith(BIG) ? value.slice(BIG.length) : value;
  if ((typeof digits === 'number' && Number.isSafeInteger(digits) && digits >= 0) || /^\d+$/.test(digits)) {
    const big = BigInt(digits);
    if (big <= 0xffff_ffff_ffff_ffffn) return big;
  }
  throw new TypeError(`${path}: expected a whole number in 0..=18446744073709551615, found ${describe(value)}`);
}

function describe(value) {
  if (typeof value === 'string') {
    return value.startsWith(BIG) ? value.slice(BIG.length) : JSON.stringify(value);
  }
  if (value === undefined) return 'nothing (missing)';
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
}
