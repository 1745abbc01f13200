/**
 * Sub (numpy broadcasting): Add with the second input negated, the same affine node
 * (circuits/ops/elementwise.ts), so it costs no constraint:
 * - computed − constant: −constant joins at the computed tensor's scale (half an LSB);
 * - constant − computed: coefficient −1 at the computed tensor's scale, zero point kept;
 * - computed − computed: coefficients 1 and −1 at a common scale (exact when the scales
 *   are equal; otherwise the finer scale / 2^multiplierBits, error below 2^−multiplierBits).
 */
import { sumOp } from './elementwise.ts';

export const Sub = sumOp('Sub', -1);
