// GPU UUIDs: the snapshot carries 128 bits as two u64 halves; people read
// NVIDIA's "GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".

/** The UUID of halves `high` and `low` (bigints); `undefined` when both are 0. */
export function formatGpuUuid(high, low) {
  const bits = (BigInt(high) << 64n) | BigInt(low);
  if (bits === 0n) return undefined;
  const hex = bits.toString(16).padStart(32, '0');
  return `GPU-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The `[high, low]` halves of `text`; throws unless it is a GPU UUID. */
export function parseGpuUuid(text) {
  const match = /^GPU-([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i.exec(text);
  if (!match) {
    throw new TypeError(`${JSON.stringify(text)} is not a GPU UUID (GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`);
  }
  const bits = BigInt(`0x${match.slice(1).join('')}`);
  return [bits >> 64n, bits & 0xffff_ffff_ffff_ffffn];
}
