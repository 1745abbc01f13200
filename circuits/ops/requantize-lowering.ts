/** Fixed-point multipliers for requantization: real m ≈ M / 2^s. */

/**
 * The integer M with `bits` bits of precision (2^(bits−1) ≤ M < 2^bits) and shift s ≥ 0
 * such that M / 2^s ≈ m; for m ≥ 2^(bits−1), s = 0 and M = round(m).
 */
export function fixedPointMultiplier(m: number, bits: number): { multiplier: bigint; shift: number } {
  if (!(m > 0) || !Number.isFinite(m)) throw new RangeError(`requantization multiplier must be positive and finite, got ${m}`);
  let shift = bits - 1 - Math.floor(Math.log2(m));
  if (shift < 0) shift = 0;
  let multiplier = Math.round(m * 2 ** shift);
  // Rounding up to 2^bits keeps the same value with one bit more: take one shift less.
  if (multiplier >= 2 ** bits && shift > 0) {
    shift -= 1;
    multiplier = Math.round(m * 2 ** shift);
  }
  return { multiplier: BigInt(Math.max(1, multiplier)), shift };
}

/**
 * M / 2^s ≤ m with M of at most `bits` bits, as close to m as that allows (within a factor
 * 2^(1−bits) below it): a requantization whose output scale is free to be slightly coarser
 * than ideal takes the scale M / 2^s gives exactly, and a smaller M means fewer bits to
 * decompose (the Requantize gadget decomposes acc·M).
 */
export function coarserMultiplier(m: number, bits: number): { multiplier: bigint; shift: number } {
  if (!(m > 0) || !Number.isFinite(m)) throw new RangeError(`requantization multiplier must be positive and finite, got ${m}`);
  const shift = Math.max(0, bits - 1 - Math.floor(Math.log2(m)));
  const multiplier = Math.max(1, Math.floor(m * 2 ** shift));
  return { multiplier: BigInt(multiplier), shift };
}

/**
 * The exact M / 2^s of a double m > 0 (every double is a dyadic rational): the multipliers of
 * the QOperator and QDQ ops, whose value the model fixes, so that the circuit's rounding
 * agrees with ONNX's on every accumulator.
 * @example exactMultiplier(0.375) // { multiplier: 3n, shift: 3 }
 */
export function exactMultiplier(m: number): { multiplier: bigint; shift: number } {
  if (!(m > 0) || !Number.isFinite(m)) throw new RangeError(`requantization multiplier must be positive and finite, got ${m}`);
  let shift = 0;
  // Scaling by a power of two is exact, so this stops at the double's own denominator (≤ 2^1074).
  while (!Number.isInteger(m * 2 ** shift)) shift++;
  return { multiplier: BigInt(m * 2 ** shift), shift };
}
