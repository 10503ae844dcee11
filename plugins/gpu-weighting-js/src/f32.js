// f32 arithmetic as the Rust policy does it: every operation rounded to f32
// (Math.fround), and Rust's rounding and saturating casts.

export const f32 = Math.fround;

/** `value` rounded to the nearest integer, halves up: Rust's `(value + 0.5).floor()` in f32. */
export function roundHalfUp(value) {
  return Math.floor(f32(value + 0.5));
}

/** Rust's `value as u32`: NaN and negatives to 0, past the top to u32::MAX, fractions cut. */
export function asU32(value) {
  if (!(value > 0)) return 0;
  return Math.min(Math.trunc(value), 0xffffffff);
}
