/**
 * Relu: max(x, 0). On an accumulator it is fused into the requantization to an
 * activation whose zero point is the smallest integer (the clamp at the zero
 * point is the ReLU); on an activation it keeps the scale and clamps at the
 * input's zero point. Either way one Requantize gadget per element.
 */
import type { OpSpec } from './types.ts';
import { fixedPointMultiplier } from './requantize-lowering.ts';

export const Relu: OpSpec = {
  opType: 'Relu',
  inputs: [1, 1],
  attributes: {},

  inferShapes: (node, ctx) => [ctx.shape(node.inputs[0]!)],

  evaluateFloat: (_node, [x]) => [{ shape: x!.shape, data: x!.data.map((v) => Math.max(v, 0)) }],

  lower(node, ctx) {
    const x = ctx.tensor(node.inputs[0]!);
    const narrow = x.min >= ctx.qmin && x.max <= ctx.qmax;
    const target = narrow
      ? { scale: x.scale, zeroPoint: x.zeroPoint }
      : ctx.activationParams({ min: 0, max: ctx.observedRange(node.outputs[0]!).max });
    const { multiplier, shift } = narrow ? { multiplier: 1n, shift: 0 } : fixedPointMultiplier(x.scale / target.scale, ctx.multiplierBits);
    const zeroOut = BigInt(target.zeroPoint);
    ctx.emit(
      {
        kind: 'requantize',
        node: node.name,
        op: node.opType,
        input: node.inputs[0]!,
        output: node.outputs[0]!,
        zeroIn: BigInt(x.zeroPoint),
        multiplier,
        shift,
        zeroOut,
        lo: zeroOut > ctx.qmin ? zeroOut : ctx.qmin,
        hi: ctx.qmax,
        relu: true,
      },
      { shape: x.shape, scale: target.scale, zeroPoint: target.zeroPoint },
    );
  },
};
