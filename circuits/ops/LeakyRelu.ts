/**
 * LeakyRelu: x for x ≥ 0, alpha·x below (alpha default 0.01; any finite alpha, 0 and negative
 * included). Exact in the integer semantics: with acc = in − z_in,
 *   out = clamp(floor((acc·M⁺ + 2^(s−1)) / 2^s) + z_out) for acc ≥ 0, the same with M⁻ for acc < 0,
 * M⁺/2^s ≈ s_in/s_out and M⁻/2^s ≈ alpha·s_in/s_out sharing one shift s, the larger of the
 * two that give each non-zero multiplier multiplierBits significant bits (so M⁻ is as precise
 * as M⁺; for alpha = 0.01 that is 7 more bits to decompose). Error: half an output LSB of
 * rounding plus the multipliers' relative error of 2^−multiplierBits.
 * - On an activation with 0 ≤ alpha ≤ 1 the scale and zero point are kept (M⁺ = 2^s exactly);
 *   otherwise the output is an activation over its calibrated range.
 * - On an activation the integer function is a table (the Lookup gadget, at most 35
 *   constraints for 8 bits) when that costs less than the gadget below (always for 8 bits).
 * - Otherwise the LeakyRelu gadget per element: A + 1 sign bits + 1 sum + 1 selected product
 *   + Requantize(1, s, z_out, qmin, qmax, B) (circuits/gadgets/leakyrelu.ts leakyReluCost), plus one
 *   linear constraint when the input is an expression or has a zero point.
 * alpha = 1 is the identity: a view where the scale is kept, else one Requantize.
 */
import { UnsupportedError } from '../../core/errors.ts';
import { describeNode, type GraphNode } from '../graph.ts';
import { leakyReluBoundBits, leakyReluCost, leakyReluValue } from '../gadgets/leakyrelu.ts';
import { lookupCost, lookupParams } from '../gadgets/activation.ts';
import { fixedPointMultiplier } from './requantize-lowering.ts';
import { emitTable, isActivation, tableOver } from './table-lowering.ts';
import { floatAttr, type OpSpec } from './types.ts';

function alphaOf(node: GraphNode): number {
  const alpha = floatAttr(node, LeakyRelu, 'alpha');
  if (!Number.isFinite(alpha)) {
    throw new UnsupportedError(`attribute "alpha" = ${alpha}: LeakyRelu needs a finite slope`, { context: [describeNode(node)] });
  }
  return alpha;
}

/**
 * Fixed-point multipliers M⁺/2^s ≈ positive and M⁻/2^s ≈ negative with one shift: the larger of
 * the shifts fixedPointMultiplier gives each non-zero one, so both keep `bits` significant bits.
 * @example leakyReluMultipliers(1, 0.01, 12) // { multiplierPos: 262144n, multiplierNeg: 2621n, shift: 18 }
 */
export function leakyReluMultipliers(positive: number, negative: number, bits: number): { multiplierPos: bigint; multiplierNeg: bigint; shift: number } {
  const shift = Math.max(...[positive, negative].filter((m) => m !== 0).map((m) => fixedPointMultiplier(Math.abs(m), bits).shift));
  return { multiplierPos: BigInt(Math.round(positive * 2 ** shift)), multiplierNeg: BigInt(Math.round(negative * 2 ** shift)), shift };
}

export const LeakyRelu: OpSpec = {
  opType: 'LeakyRelu',
  inputs: [1, 1],
  attributes: { alpha: 0.01 },

  inferShapes(node, ctx) {
    alphaOf(node);
    return [ctx.shape(node.inputs[0]!)];
  },

  evaluateFloat(node, [x]) {
    const alpha = alphaOf(node);
    return [{ shape: x!.shape, data: x!.data.map((v) => (v >= 0 ? v : alpha * v)) }];
  },

  lower(node, ctx) {
    const alpha = alphaOf(node);
    const input = node.inputs[0]!;
    const x = ctx.tensor(input);
    const activation = isActivation(x, ctx);
    const keep = activation && alpha >= 0 && alpha <= 1;
    const target = keep ? { scale: x.scale, zeroPoint: x.zeroPoint } : ctx.activationParams(ctx.observedRange(node.outputs[0]!));
    const output = { shape: x.shape, ...target };
    const base = { node: node.name, op: node.opType, input, output: node.outputs[0]! };
    if (keep && alpha === 1) {
      ctx.emit({ ...base, kind: 'view' }, output);
      return;
    }
    const ratio = x.scale / target.scale;
    const { multiplierPos, multiplierNeg, shift } = leakyReluMultipliers(ratio, alpha * ratio, ctx.multiplierBits);
    const zeroIn = BigInt(x.zeroPoint);
    const zeroOut = BigInt(target.zeroPoint);
    if (multiplierPos === multiplierNeg) {
      ctx.emit({ ...base, kind: 'requantize', zeroIn, multiplier: multiplierPos, shift, zeroOut, lo: ctx.qmin, hi: ctx.qmax, relu: false }, output);
      return;
    }
    const shape = { Mp: multiplierPos, Mn: multiplierNeg, s: shift, zOut: zeroOut, lo: ctx.qmin, hi: ctx.qmax };
    if (activation) {
      const table = tableOver(x, (v) => leakyReluValue(v - zeroIn, shape));
      const gadget = leakyReluCost({ ...shape, ...leakyReluBoundBits(x.min - zeroIn, x.max - zeroIn, shape) });
      if (lookupCost(lookupParams(table.tableLo, table.table)) <= gadget) {
        emitTable(node, ctx, input, table, target);
        return;
      }
    }
    ctx.emit({ ...base, kind: 'leakyrelu', zeroIn, multiplierPos, multiplierNeg, shift, zeroOut, lo: ctx.qmin, hi: ctx.qmax }, output);
  },
};
