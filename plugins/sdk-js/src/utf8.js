// UTF-8 lengths and conversions: the contract's string tables use byte
// offsets, while JavaScript strings count UTF-16 code units.

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Any UTF-16 code unit past ASCII. */
const NON_ASCII = /[^\x00-\x7f]/;

/** Whether `text` is all ASCII (so UTF-8 byte offsets are string indices). */
export const isAscii = (text) => !NON_ASCII.test(text);

/** Where utf8Length encodes; grown to the longest text measured. */
let scratch = new Uint8Array(256);

/**
 * Bytes `text` takes in UTF-8, as the component's bindings will send it (a
 * lone surrogate as U+FFFD, three bytes). Measured by encoding into a reused
 * buffer: one call into the engine, where the policy's interpreter would
 * spend far longer on a loop over every code unit.
 */
export function utf8Length(text) {
  // A UTF-16 code unit takes at most 3 bytes in UTF-8.
  if (scratch.length < 3 * text.length) scratch = new Uint8Array(3 * text.length);
  return encoder.encodeInto(text, scratch).written;
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
