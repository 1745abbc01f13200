/**
 * Relu: max(x, 0). On an accumulator it is fused into the requantization to an
 * activation whose zero point is the smallest integer (the clamp at the zero
 * point is the ReLU), at a power-of-two multiple of the accumulator's scale
 * (the smallest that covers the calibrated range); on an activation it keeps
 * the scale and clamps at the input's zero point. Either way one Requantize
 * gadget per element.
 */
import type { OpSpec } from './types.ts';
import { coarserMultiplier } from './requantize-lowering.ts';

export const Relu: OpSpec = {
  opType: 'Relu',
  inputs: [1, 1],
  attributes: {},

  inferShapes: (node, ctx) => [ctx.shape(node.inputs[0]!)],

  evaluateFloat: (_node, [x]) => [{ shape: x!.shape, data: x!.data.map((v) => Math.max(v, 0)) }],

  lower(node, ctx) {
    const x = ctx.tensor(node.inputs[0]!);
    const narrow = x.min >= ctx.qmin && x.max <= ctx.qmax;
    let target = { scale: x.scale, zeroPoint: x.zeroPoint };
    let rescale = { multiplier: 1n, shift: 0 };
    if (!narrow) {
      // The output scale is ours to choose: a power-of-two step from the accumulator's keeps the
      // Requantize decomposition to the accumulator's own bits (a 12-bit multiplier adds ~12 per
      // element) and costs at most one bit of resolution (no accuracy change on the MNIST CNNs).
      const ideal = ctx.activationParams({ min: 0, max: ctx.observedRange(node.outputs[0]!).max });
      rescale = coarserMultiplier(x.scale / ideal.scale, 1);
      target = { scale: (x.scale * 2 ** rescale.shift) / Number(rescale.multiplier), zeroPoint: ideal.zeroPoint };
    }
    const { multiplier, shift } = rescale;
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
