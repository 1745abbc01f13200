/**
 * com.microsoft QLinearAdd: C = saturate(round((A_scale·(A − A_zp) + B_scale·(B − B_zp)) / C_scale) + C_zp),
 * numpy broadcasting. With m_A = fl(A_scale / C_scale) = M_A/2^a and m_B = M_B/2^b exact, the sum
 * (A − A_zp)·M_A·2^(s−a) + (B − B_zp)·M_B·2^(s−b), s = max(a, b), is an affine node (no
 * constraint) and one Requantize gadget per element divides it by 2^s, ties to even, exactly.
 */
import { UnsupportedError } from '../../core/errors.ts';
import { describeNode, type GraphNode } from '../graph.ts';
import { broadcastIndex, broadcastShapes, type FloatTensor } from '../tensor.ts';
import { emitQuantize, quantParams, requirePerTensor, roundHalfEven, roundToType, saturate, type QuantParams } from './qlinear.ts';
import { requireConstantInputs } from './qlinear.ts';
import { exactMultiplier } from './requantize-lowering.ts';
import { floatContext, type OpSpec, type ShapeContext } from './types.ts';

function outShape(node: GraphNode, a: readonly number[], b: readonly number[]): number[] {
  const shape = broadcastShapes(a, b);
  if (!shape) throw new UnsupportedError(`QLinearAdd inputs of shapes [${a}] and [${b}] do not broadcast`, { context: [describeNode(node)] });
  return shape;
}

function params(node: GraphNode, ctx: ShapeContext): [QuantParams, QuantParams, QuantParams] {
  const ps = [quantParams(node, ctx, 1, 2, 'UINT8'), quantParams(node, ctx, 4, 5, 'UINT8'), quantParams(node, ctx, 6, 7, 'UINT8')] as const;
  ps.forEach((p, i) => requirePerTensor(node, p, ['A', 'B', 'C'][i]!));
  return [...ps];
}

/** m = fl(s / s_C) as an exact M / 2^shift. */
function multiplier(p: QuantParams, c: QuantParams): { multiplier: bigint; shift: number } {
  return exactMultiplier(roundToType(p.scales[0]! / c.scales[0]!, c.scaleType));
}

export const QLinearAdd: OpSpec = {
  opType: 'QLinearAdd',
  domain: 'com.microsoft',
  inputs: [7, 8],
  constantInputs: [1, 2, 4, 5, 6, 7],
  attributes: {},
  integerInputs: 'consume',

  inferShapes(node, ctx) {
    requireConstantInputs(node, QLinearAdd, ctx);
    return [outShape(node, ctx.shape(node.inputs[0]!), ctx.shape(node.inputs[3]!))];
  },

  evaluateFloat(node, inputs) {
    const [pa, pb, pc] = params(node, floatContext(node, inputs));
    const a = inputs[0]!;
    const b = inputs[3]!;
    const shape = outShape(node, a.shape, b.shape);
    const ia = broadcastIndex(a.shape, shape);
    const ib = broadcastIndex(b.shape, shape);
    const [ma, mb] = [multiplier(pa, pc), multiplier(pb, pc)].map((m) => Number(m.multiplier) / 2 ** m.shift) as [number, number];
    const data = Float64Array.from(ia, (_, i) =>
      saturate(roundHalfEven((a.data[ia[i]!]! - pa.zeroPoints[0]!) * ma + (b.data[ib[i]!]! - pb.zeroPoints[0]!) * mb) + pc.zeroPoints[0]!, pc.elementType),
    );
    return [{ shape, data, elementType: pc.elementType } satisfies FloatTensor];
  },

  lower(node, ctx) {
    const [aName, bName] = [node.inputs[0]!, node.inputs[3]!];
    const [a, b] = [ctx.tensor(aName), ctx.tensor(bName)];
    if (!a.elementType || !b.elementType) throw new UnsupportedError('QLinearAdd inputs A and B must be integer tensors', { context: [describeNode(node)] });
    const [pa, pb, pc] = params(node, ctx);
    const shape = outShape(node, a.shape, b.shape);
    const [ma, mb] = [multiplier(pa, pc), multiplier(pb, pc)];
    const shift = Math.max(ma.shift, mb.shift);
    const ca = ma.multiplier << BigInt(shift - ma.shift);
    const cb = mb.multiplier << BigInt(shift - mb.shift);
    const offset = -ca * BigInt(pa.zeroPoints[0]!) - cb * BigInt(pb.zeroPoints[0]!);
    const sum = `${node.outputs[0]!}/sum`;
    const size = shape.reduce((x, y) => x * y, 1);
    ctx.emit(
      {
        kind: 'affine',
        node: node.name,
        op: node.opType,
        output: sum,
        terms: [
          { input: aName, coeff: ca, index: broadcastIndex(a.shape, shape) },
          { input: bName, coeff: cb, index: broadcastIndex(b.shape, shape) },
        ],
        constant: new Array<bigint>(size).fill(offset),
      },
      // The sum's real value is sum · C_scale / 2^shift.
      { shape, scale: pc.scales[0]! / 2 ** shift, zeroPoint: 0 },
    );
    emitQuantize(node, ctx, sum, { ...pc, axis: 0 });
  },
};
