// UTF-8 lengths and conversions: the contract's string tables use byte
// offsets, while JavaScript strings count UTF-16 code units.

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Any UTF-16 code unit past ASCII. */
const NON_ASCII = /[^\x00-\x7f]/;

/** Whether `text` is all ASCII (so UTF-8 byte offsets are string indices). */
export const isAscii = (text) => !NON_ASCII.test(text);

/**
 * Bytes `text` takes in UTF-8. Policies run in an interpreter, where a loop
 * over every code unit costs far more than the engine's own scans, so ASCII
 * text (one byte per unit) and well-formed text (which the encoder measures
 * exactly) are measured natively; only text with lone surrogates is counted
 * unit by unit.
 */
export function utf8Length(text) {
  if (isAscii(text)) return text.length;
  if (text.isWellFormed()) return encoder.encode(text).length;
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) bytes += 1;
    else if (unit >= 0xd800 && unit <= 0xdbff) i++, bytes += 2; // a surrogate pair: 4 bytes
    else bytes += 2;
  }
  return bytes;
}

/** `text` as UTF-8 bytes. */
export function encodeUtf8(text) {
  return encoder.encode(text);
}

/** UTF-8 `bytes` as text; `undefined` when they are not valid UTF-8. */
export function decodeUtf8(bytes) {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}
