/**
 * Add (numpy broadcasting). Lowered to an affine node (circuits/ops/elementwise.ts), which
 * costs no constraint:
 * - computed + constant: the constant joins at the computed tensor's scale (half an LSB);
 * - computed + computed: both are brought to a common scale with integer
 *   multipliers (exact when the scales are equal; otherwise the finer scale
 *   divided by 2^multiplierBits, so the rescale error is below 2^−multiplierBits).
 */
import { sumOp } from './elementwise.ts';

export const Add = sumOp('Add', 1);
