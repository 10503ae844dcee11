// UTF-8 lengths and conversions: the contract's string tables use byte
// offsets, while JavaScript strings count UTF-16 code units.

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Bytes `text` takes in UTF-8. */
export function utf8Length(text) {
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
