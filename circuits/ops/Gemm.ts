/**
 * Gemm: Y = alpha · A' · B' + beta · C, where A' = transpose(A) if transA, B' likewise.
 * B (and C when given) must be constants: they become the layer's weights and bias,
 * so the product costs no constraint (QDQ weights with alpha = 1: the model's own integers,
 * circuits/ops/qdq-weights.ts). Output: an accumulator at scale s_A · s_B.
 */
import { ShapeError, UnsupportedError } from '../../core/errors.ts';
import { describeNode, type GraphNode } from '../graph.ts';
import { broadcastIndex, broadcastShapes, matmul2d, transpose2d, transposeValues, type FloatTensor } from '../tensor.ts';
import { emitIntegerProduct, lowerConstantProduct } from './matmul-lowering.ts';
import { accumulatorScale, biasAtScale, modelWeights } from './qdq-weights.ts';
import { floatAttr, intAttr, type OpSpec, type ShapeContext } from './types.ts';

interface GemmDims {
  m: number;
  k: number;
  n: number;
}

function dims(node: GraphNode, a: number[], b: number[]): GemmDims {
  if (a.length !== 2 || b.length !== 2) {
    throw new ShapeError(`Gemm takes 2-D inputs, got A [${a}] and B [${b}]`, { context: [describeNode(node)] });
  }
  const transA = intAttr(node, Gemm, 'transA') !== 0;
  const transB = intAttr(node, Gemm, 'transB') !== 0;
  const [m, k] = transA ? [a[1]!, a[0]!] : [a[0]!, a[1]!];
  const [kb, n] = transB ? [b[1]!, b[0]!] : [b[0]!, b[1]!];
  if (k !== kb) {
    throw new ShapeError(`Gemm inner dimensions differ: A' is [${m},${k}] and B' is [${kb},${n}]`, { context: [describeNode(node)] });
  }
  return { m, k, n };
}

/** B' as [K][N] row-major. */
function weightMatrix(node: GraphNode, b: FloatTensor, d: GemmDims): Float64Array {
  return intAttr(node, Gemm, 'transB') !== 0 ? transpose2d(b.data, d.n, d.k) : b.data;
}

/** beta · C broadcast to [M][N], or undefined without C. */
function biasMatrix(node: GraphNode, c: FloatTensor | undefined, d: GemmDims): Float64Array | undefined {
  if (!c) return undefined;
  const beta = floatAttr(node, Gemm, 'beta');
  const index = broadcastIndex(c.shape, [d.m, d.n]);
  return Float64Array.from(index, (i) => beta * c.data[i]!);
}

export const Gemm: OpSpec = {
  opType: 'Gemm',
  inputs: [2, 3],
  constantInputs: [1, 2],
  attributes: { alpha: 1.0, beta: 1.0, transA: 0, transB: 0 },

  inferShapes(node: GraphNode, ctx: ShapeContext): number[][] {
    const d = dims(node, ctx.shape(node.inputs[0]!), ctx.shape(node.inputs[1]!));
    const c = node.inputs[2];
    if (c && broadcastShapes(ctx.shape(c), [d.m, d.n])?.join(',') !== `${d.m},${d.n}`) {
      throw new ShapeError(`Gemm input C of shape [${ctx.shape(c)}] does not broadcast to [${d.m},${d.n}]`, { context: [describeNode(node)] });
    }
    return [[d.m, d.n]];
  },

  evaluateFloat(node, [a, b, c]) {
    const d = dims(node, a!.shape, b!.shape);
    const aData = intAttr(node, Gemm, 'transA') !== 0 ? transpose2d(a!.data, d.k, d.m) : a!.data;
    const product = matmul2d(aData, weightMatrix(node, b!, d), d.m, d.k, d.n);
    const alpha = floatAttr(node, Gemm, 'alpha');
    const bias = biasMatrix(node, c, d);
    const data = product.map((v, i) => alpha * v + (bias ? bias[i]! : 0));
    return [{ shape: [d.m, d.n], data }];
  },

  lower(node, ctx) {
    const [a, b, c] = node.inputs;
    const weights = ctx.constant(b!);
    if (!weights) {
      throw new UnsupportedError(`Gemm input B ("${b}") must be a constant (the layer's weights); a product of two computed tensors is not supported`, { context: [describeNode(node)] });
    }
    const cConst = c ? ctx.constant(c) : undefined;
    if (c && !cConst) {
      throw new UnsupportedError(`Gemm input C ("${c}") must be a constant (the bias)`, { context: [describeNode(node)], hint: 'use Gemm without C followed by Add' });
    }
    const d = dims(node, ctx.shape(a!), weights.shape);
    const alpha = floatAttr(node, Gemm, 'alpha');
    const transB = intAttr(node, Gemm, 'transB') !== 0;
    const own = alpha === 1 ? modelWeights(node, ctx, b!, transB ? 0 : 1, ctx.tensor(a!)) : undefined;
    if (own) {
      const values = transB ? transposeValues(own.values, d.n, d.k) : own.values;
      const bias = biasMatrix(node, cConst ? { shape: cConst.shape, data: cConst.data } : undefined, d);
      const product = { input: a!, output: node.outputs[0]!, outputShape: [d.m, d.n], rows: d.m, inner: d.k, cols: d.n, inputTransposed: intAttr(node, Gemm, 'transA') !== 0 };
      emitIntegerProduct(node, ctx, { ...product, weights: values, bias: biasAtScale(bias, d.m * d.n, own, (i) => i % d.n) }, accumulatorScale(own, 1));
      return;
    }
    lowerConstantProduct(node, ctx, {
      input: a!,
      output: node.outputs[0]!,
      outputShape: [d.m, d.n],
      rows: d.m,
      inner: d.k,
      cols: d.n,
      inputTransposed: intAttr(node, Gemm, 'transA') !== 0,
      weights: weightMatrix(node, { shape: weights.shape, data: weights.data }, d).map((w) => alpha * w),
      bias: biasMatrix(node, cConst ? { shape: cConst.shape, data: cConst.data } : undefined, d),
    });
  },
};
