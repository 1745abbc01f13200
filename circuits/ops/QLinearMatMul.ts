/**
 * QLinearMatMul and MatMulInteger: Y = (A − a_zero_point) · (B − b_zero_point) with B a
 * constant integer matrix (the weights; per-column zero points and scales allowed) or a
 * stack of them (batched, per-tensor parameters, A with the same batch dimensions), A an
 * integer tensor whose leading dimensions become rows. The product is a linear node (no
 * constraint, A's zero point folded into the bias). MatMulInteger's INT32 output is that
 * accumulator; QLinearMatMul requantizes it with m = fl(fl(a_scale · b_scale) / y_scale): one
 * Requantize gadget per output element (circuits/ops/qlinear.ts).
 */
import { ShapeError, UnsupportedError } from '../../core/errors.ts';
import { describeNode, type GraphNode } from '../graph.ts';
import { sizeOf, type FloatTensor } from '../tensor.ts';
import { emitIntegerProduct } from './matmul-lowering.ts';
import { emitQuantize, productScale, quantParams, requirePerTensor, roundHalfEven, roundToType, saturate, type QuantParams } from './qlinear.ts';
import { requireConstantInputs } from './qlinear.ts';
import { floatContext, type LowerContext, type OpSpec, type ShapeContext } from './types.ts';

interface Operands {
  a: number;
  b: number;
  /** Input positions of a's and b's scales (−1: none) and zero points. */
  aScale: number;
  aZero: number;
  bScale: number;
  bZero: number;
}

const QLINEAR: Operands = { a: 0, aScale: 1, aZero: 2, b: 3, bScale: 4, bZero: 5 };
const INTEGER: Operands = { a: 0, b: 1, aScale: -1, aZero: 2, bScale: -1, bZero: 3 };

interface Dims {
  /** Independent products: B's leading (batch) dimensions, which A's must equal. */
  batches: number;
  rows: number;
  inner: number;
  cols: number;
  outShape: number[];
}

function dims(node: GraphNode, a: readonly number[], b: readonly number[]): Dims {
  if (b.length < 2 || a.length < 2) {
    throw new UnsupportedError(`${node.opType} of A [${a}] and B [${b}] is not supported: A and B must be at least 2-D`, { context: [describeNode(node)] });
  }
  const inner = a[a.length - 1]!;
  if (inner !== b[b.length - 2]) throw new ShapeError(`${node.opType} inner dimensions differ: A [${a}] and B [${b}]`, { context: [describeNode(node)] });
  const cols = b[b.length - 1]!;
  const batchDims = b.slice(0, -2);
  if (batchDims.length > 0 && a.slice(0, -2).join(',') !== batchDims.join(',')) {
    throw new UnsupportedError(`${node.opType} of A [${a}] and a batched B [${b}] is supported only with the same batch dimensions`, { context: [describeNode(node)] });
  }
  const lead = a.slice(0, -1);
  const batches = sizeOf(batchDims);
  return { batches, rows: sizeOf(lead) / batches, inner, cols, outShape: [...lead, cols] };
}

/** Zero points (or scale-less params) of an operand: from input `zeroAt`, defaulting to 0. */
function operandParams(node: GraphNode, ctx: ShapeContext, scaleAt: number, zeroAt: number, type: string | undefined): QuantParams {
  if (scaleAt >= 0) return quantParams(node, ctx, scaleAt, zeroAt, type === 'INT8' ? 'INT8' : 'UINT8');
  // MatMulInteger: zero points only; a unit "scale" of the zero points' shape.
  const zeroName = node.inputs[zeroAt];
  const zero = zeroName ? ctx.constant(zeroName) : undefined;
  if (zeroName && !zero) throw new UnsupportedError(`${node.opType} zero point "${zeroName}" must be a constant`, { context: [describeNode(node)] });
  const zeroPoints = zero ? Array.from(zero.data) : [0];
  return { scales: zeroPoints.map(() => 1), zeroPoints, elementType: type === 'INT8' ? 'INT8' : 'UINT8', scaleType: 'FLOAT' };
}

/** Float semantics (calibration, folding): the integer product, requantized for QLinearMatMul. */
function evaluate(node: GraphNode, o: Operands, inputs: (FloatTensor | undefined)[], out?: (acc: number, col: number) => number): FloatTensor {
  const a = inputs[o.a]!;
  const b = inputs[o.b]!;
  const d = dims(node, a.shape, b.shape);
  const za = inputs[o.aZero]?.data[0] ?? 0;
  const zb = inputs[o.bZero]?.data ?? Float64Array.of(0);
  const data = new Float64Array(d.batches * d.rows * d.cols);
  for (let bt = 0; bt < d.batches; bt++) {
    for (let m = 0; m < d.rows; m++) {
      for (let n = 0; n < d.cols; n++) {
        let acc = 0;
        for (let k = 0; k < d.inner; k++) acc += (a.data[(bt * d.rows + m) * d.inner + k]! - za) * (b.data[(bt * d.inner + k) * d.cols + n]! - zb[zb.length > 1 ? n : 0]!);
        data[(bt * d.rows + m) * d.cols + n] = out ? out(acc, n) : acc;
      }
    }
  }
  return { shape: d.outShape, data };
}

/** Lowers the product into `output`: the accumulator at scale fl(s_a · s_b) (per column where B is), or INT32 integers. */
function lowerProduct(node: GraphNode, ctx: LowerContext, o: Operands, output: string): void {
  const aName = node.inputs[o.a]!;
  const bName = node.inputs[o.b]!;
  const weights = ctx.constant(bName);
  if (!weights) {
    throw new UnsupportedError(`${node.opType} input B ("${bName}") must be a constant (the weights); a product of two computed tensors is not supported`, { context: [describeNode(node)] });
  }
  const a = ctx.tensor(aName);
  if (!a.elementType) throw new UnsupportedError(`${node.opType} input A ("${aName}") must be an integer tensor`, { context: [describeNode(node)] });
  const d = dims(node, a.shape, weights.shape);
  const pa = operandParams(node, ctx, o.aScale, o.aZero, a.elementType);
  const pb = operandParams(node, ctx, o.bScale, o.bZero, weights.elementType);
  requirePerTensor(node, pa, 'A');
  if (pb.scales.length !== 1 && pb.scales.length !== d.cols) {
    throw new ShapeError(`${node.opType} B has ${pb.scales.length} scales or zero points, expected 1 or one per column (${d.cols})`, { context: [describeNode(node)] });
  }
  if (d.batches > 1) requirePerTensor(node, pb, 'a batched B');
  const zb = (n: number): bigint => BigInt(pb.zeroPoints[pb.zeroPoints.length > 1 ? n : 0]!);
  const ints = Array.from(weights.data, (w, i) => BigInt(w) - zb(i % d.cols));
  const accumulator = o.aScale >= 0 ? productScale(pa, pb, d.outShape.length - 1) : { scale: 1, zeroPoint: 0, elementType: 'INT32' as const };
  const product = { input: aName, output, outputShape: d.outShape, batches: d.batches, rows: d.rows, inner: d.inner, cols: d.cols, inputTransposed: false };
  // A is an integer tensor (zero point 0 as a tensor); the op's own a_zero_point is the one to fold.
  emitIntegerProduct(node, ctx, { ...product, weights: ints, bias: undefined, inputZeroPoint: pa.zeroPoints[0]! }, accumulator);
}

export const QLinearMatMul: OpSpec = {
  opType: 'QLinearMatMul',
  inputs: [8, 8],
  constantInputs: [1, 2, 3, 4, 5, 6, 7],
  attributes: {},
  integerInputs: 'consume',
  perAxisInputs: true,

  inferShapes(node, ctx) {
    requireConstantInputs(node, QLinearMatMul, ctx);
    return [dims(node, ctx.shape(node.inputs[0]!), ctx.shape(node.inputs[3]!)).outShape];
  },

  evaluateFloat(node, inputs) {
    const ctx = floatContext(node, inputs);
    const pa = quantParams(node, ctx, 1, 2, 'UINT8');
    const pb = quantParams(node, ctx, 4, 5, 'UINT8');
    const py = quantParams(node, ctx, 6, 7, 'UINT8');
    const t = evaluate(node, QLINEAR, inputs, (acc, n) => {
      const sb = pb.scales[pb.scales.length > 1 ? n : 0]!;
      const m = roundToType(roundToType(pa.scales[0]! * sb, pa.scaleType) / py.scales[0]!, pa.scaleType);
      return saturate(roundHalfEven(acc * m) + py.zeroPoints[0]!, py.elementType);
    });
    return [{ ...t, elementType: py.elementType }];
  },

  lower(node, ctx) {
    const acc = `${node.outputs[0]!}/accumulator`;
    lowerProduct(node, ctx, QLINEAR, acc);
    const out = quantParams(node, ctx, 6, 7, 'UINT8');
    requirePerTensor(node, out, 'Y');
    emitQuantize(node, ctx, acc, { ...out, axis: 0 });
  },
};

export const MatMulInteger: OpSpec = {
  opType: 'MatMulInteger',
  inputs: [2, 4],
  constantInputs: [1, 2, 3],
  attributes: {},
  integerInputs: 'consume',

  inferShapes(node, ctx) {
    requireConstantInputs(node, MatMulInteger, ctx);
    return [dims(node, ctx.shape(node.inputs[0]!), ctx.shape(node.inputs[1]!)).outShape];
  },

  evaluateFloat(node, inputs) {
    return [{ ...evaluate(node, INTEGER, inputs), elementType: 'INT32' }];
  },

  lower(node, ctx) {
    lowerProduct(node, ctx, INTEGER, node.outputs[0]!);
  },
};
