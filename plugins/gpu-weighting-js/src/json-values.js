// Reads the settings' JSON as serde_json does, so type errors read the same
// as the Rust policy's: every number keeps its literal, and is classed as
// serde_json classes it (an unsigned integer, a negative integer, or a
// float), and values are described in serde's words ("integer `-3`").

const NUMBER_TAG = '\u0000number:';
const NUMBER_TAG_IN_JSON = '\\u0000number:';
const STRINGS_OR_NUMBERS = /"(?:[^"\\]|\\.)*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
const U64_MAX = 0xffff_ffff_ffff_ffffn;
const I64_MIN = -(1n << 63n);

/**
 * Parse `text`; numbers come back as `{ number }` objects (see `classify`).
 * Throws the JSON.parse error for text that is not JSON.
 */
export function parseJson(text) {
  const tagged = text.replace(STRINGS_OR_NUMBERS,
    (token) => (token[0] === '"' ? token : `"${NUMBER_TAG_IN_JSON}${token}"`));
  return JSON.parse(tagged, (_, value) => (
    typeof value === 'string' && value.startsWith(NUMBER_TAG)
      ? classify(value.slice(NUMBER_TAG.length))
      : value));
}

/**
 * A number literal as serde_json reads it: `{ kind: 'unsigned' | 'signed',
 * integer: bigint }` for integers that fit u64 / i64, else `{ kind: 'float',
 * float: number }`; `value` is the number either way.
 */
function classify(literal) {
  if (!/[.eE]/.test(literal)) {
    const integer = BigInt(literal);
    if (integer >= 0n && integer <= U64_MAX) return { kind: 'unsigned', integer, value: Number(integer) };
    if (integer < 0n && integer >= I64_MIN) return { kind: 'signed', integer, value: Number(integer) };
  }
  const float = Number(literal);
  if (!Number.isFinite(float)) throw new SyntaxError(`number out of range: ${literal}`);
  return { kind: 'float', float, value: float };
}

/** Whether `value` is a number from `parseJson`. */
export const isNumber = (value) => value !== null && typeof value === 'object' && 'kind' in value;

/** `value` described as serde's `Unexpected` describes it. */
export function unexpected(value) {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return `boolean \`${value}\``;
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  if (Array.isArray(value)) return 'sequence';
  if (isNumber(value)) {
    if (value.kind !== 'float') return `integer \`${value.integer}\``;
    const shown = rustFloat(value.float);
    return `floating point \`${/[.eE]|inf|NaN/.test(shown) ? shown : `${shown}.0`}\``;
  }
  return 'map';
}

/** `value` as Rust's `{}` shows an f64: shortest round trip, never an exponent. */
export function rustFloat(value) {
  const shown = String(value);
  const exponent = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(shown);
  if (!exponent) return shown;
  const [, sign, lead, rest = '', power] = exponent;
  const digits = lead + rest;
  const point = 1 + Number(power);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  return `${sign}${digits}${'0'.repeat(Math.max(0, point - digits.length))}`;
}
