/**
 * Clip: min(max(x, min), max). Bounds are the attributes "min"/"max" (opset < 11) or the
 * optional constant scalar inputs 2 and 3 (opset ≥ 11); an absent bound is ±FLT_MAX, the
 * spec's default; min > max gives max everywhere, as onnxruntime does. ReLU6 is Clip(0, 6).
 *
 * Lowering: one Requantize gadget per element (a requantize node, relu off, lo and hi the
 * bounds on the output's grid, within the activation range):
 * - on an activation that already fits the activation range (and whose range the bounds
 *   meet), only the clamp: scale and zero point kept, M = 1, s = 0 and no zero point
 *   subtracted, so a bare input signal needs no wiring constraint;
 * - otherwise (an accumulator) requantized to an activation with the output's calibrated
 *   range, plus one linear constraint per element when the input is an expression or has a
 *   zero point to subtract.
 * Cost per element (circuits/gadgets/requantize.ts requantizeCost): s + B + 3 + c + r, where B is the
 * window from the input interval, c = 0 when hi − lo + 1 is a power of two (the whole int8
 * range: s + B + 5 as for Relu) and at most bits(hi − lo) − 1 otherwise, r ≤ 2; e.g. 19 for
 * min = 0 on an int8 activation with zero point 15 (s = 0, B = 8, hi − lo = 112: c = 6, r = 2).
 * Bounds that cannot clamp anything (min ≤ the input's least real value, max ≥ its greatest:
 * both absent, say) leave a view: free.
 */
import { OnnxFormatError, ShapeError, UnsupportedError } from '../../core/errors.ts';
import { describeNode, type GraphNode } from '../graph.ts';
import type { QTensor } from '../ir/types.ts';
import type { FloatTensor } from '../tensor.ts';
import { fixedPointMultiplier } from './requantize-lowering.ts';
import { floatAttr, type LowerContext, type OpSpec } from './types.ts';

const FLT_MAX = 3.4028234663852886e38;

/** The bound `name`, from input `position` (looked up by `input`) or the attribute. */
function bound(node: GraphNode, name: 'min' | 'max', position: 1 | 2, input: (position: number) => FloatTensor | undefined): number {
  const value = node.inputs[position];
  if (!value) return floatAttr(node, Clip, name);
  if (name in node.attributes) {
    throw new OnnxFormatError(`Clip takes "${name}" as an attribute (opset < 11) or as input ${position} (opset ≥ 11), not both`, { context: [describeNode(node)] });
  }
  const t = input(position);
  if (!t) throw new UnsupportedError(`Clip input ${name} ("${value}") must be a constant`, { context: [describeNode(node)] });
  if (t.data.length !== 1) throw new ShapeError(`Clip input ${name} ("${value}") must be a scalar, got shape [${t.shape}]`, { context: [describeNode(node)] });
  return t.data[0]!;
}

function bounds(node: GraphNode, input: (position: number) => FloatTensor | undefined): { min: number; max: number } {
  return { min: bound(node, 'min', 1, input), max: bound(node, 'max', 2, input) };
}

/** The integer of `value` on the grid of `params`, clamped to the activation range. */
function onGrid(value: number, params: { scale: number; zeroPoint: number }, ctx: LowerContext): bigint {
  const q = Math.round(value / params.scale) + params.zeroPoint;
  return q < ctx.qmin ? ctx.qmin : q > ctx.qmax ? ctx.qmax : BigInt(q);
}

/** Whether x can stay on its own grid: it fits the activation range and the bounds meet that range. */
function keepsScale(x: QTensor, min: number, max: number, ctx: LowerContext): boolean {
  const narrow = x.min >= ctx.qmin && x.max <= ctx.qmax;
  const real = (q: bigint): number => x.scale * (Number(q) - x.zeroPoint);
  return narrow && min <= real(ctx.qmax) && max >= real(ctx.qmin);
}

export const Clip: OpSpec = {
  opType: 'Clip',
  inputs: [1, 3],
  constantInputs: [1, 2],
  attributes: { max: FLT_MAX, min: -FLT_MAX },

  inferShapes(node, ctx) {
    bounds(node, (p) => ctx.constant(node.inputs[p]!));
    return [ctx.shape(node.inputs[0]!)];
  },

  evaluateFloat(node, [x, ...rest]) {
    const { min, max } = bounds(node, (p) => rest[p - 1]);
    return [{ shape: x!.shape, data: x!.data.map((v) => Math.min(Math.max(v, min), max)) }];
  },

  lower(node, ctx) {
    const { min, max } = bounds(node, (p) => ctx.constant(node.inputs[p]!));
    const x = ctx.tensor(node.inputs[0]!);
    const base = { node: node.name, op: node.opType, input: node.inputs[0]!, output: node.outputs[0]! };
    const real = (q: bigint): number => x.scale * (Number(q) - x.zeroPoint);
    if (min <= real(x.min) && max >= real(x.max)) {
      ctx.emit({ kind: 'view', ...base }, { shape: x.shape, scale: x.scale, zeroPoint: x.zeroPoint });
      return;
    }
    const keep = keepsScale(x, min, max, ctx);
    const target = keep ? { scale: x.scale, zeroPoint: x.zeroPoint } : ctx.activationParams(ctx.observedRange(node.outputs[0]!));
    const hi = onGrid(max, target, ctx);
    const lo = onGrid(min, target, ctx);
    // On its own grid the gadget clamps x itself: zero points cancel, and a bare signal needs no wiring constraint.
    const { multiplier, shift } = keep ? { multiplier: 1n, shift: 0 } : fixedPointMultiplier(x.scale / target.scale, ctx.multiplierBits);
    ctx.emit(
      {
        kind: 'requantize',
        ...base,
        zeroIn: keep ? 0n : BigInt(x.zeroPoint),
        multiplier,
        shift,
        zeroOut: keep ? 0n : BigInt(target.zeroPoint),
        lo: lo > hi ? hi : lo,
        hi,
        relu: false,
      },
      { shape: x.shape, scale: target.scale, zeroPoint: target.zeroPoint },
    );
  },
};
