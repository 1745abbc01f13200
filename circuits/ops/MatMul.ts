/**
 * MatMul: Y = A · B (numpy semantics) with B a constant 2-D matrix (the weights)
 * or vector; A may carry leading batch dimensions, which become rows.
 * Output: an accumulator at scale s_A · s_B, no constraint.
 */
import { ShapeError, UnsupportedError } from '../../core/errors.ts';
import { describeNode, type GraphNode } from '../graph.ts';
import { matmul2d, sizeOf } from '../tensor.ts';
import { emitIntegerProduct, lowerConstantProduct } from './matmul-lowering.ts';
import { accumulatorScale, modelWeights } from './qdq-weights.ts';
import type { OpSpec, ShapeContext } from './types.ts';

interface MatMulDims {
  rows: number;
  inner: number;
  cols: number;
  outShape: number[];
}

function dims(node: GraphNode, a: number[], b: number[]): MatMulDims {
  if (a.length === 0 || b.length === 0 || b.length > 2) {
    throw new ShapeError(`MatMul of A [${a}] and B [${b}] is not supported: B must be a matrix or a vector`, { context: [describeNode(node)] });
  }
  const inner = a[a.length - 1]!;
  const bInner = b[0]!;
  if (inner !== bInner) {
    throw new ShapeError(`MatMul inner dimensions differ: A [${a}] and B [${b}]`, { context: [describeNode(node)] });
  }
  const cols = b.length === 2 ? b[1]! : 1;
  const lead = a.slice(0, -1);
  const outShape = [...lead, ...(b.length === 2 ? [cols] : [])];
  return { rows: sizeOf(lead), inner, cols, outShape };
}

export const MatMul: OpSpec = {
  opType: 'MatMul',
  inputs: [2, 2],
  constantInputs: [1],
  attributes: {},

  inferShapes(node: GraphNode, ctx: ShapeContext): number[][] {
    return [dims(node, ctx.shape(node.inputs[0]!), ctx.shape(node.inputs[1]!)).outShape];
  },

  evaluateFloat(node, [a, b]) {
    const d = dims(node, a!.shape, b!.shape);
    return [{ shape: d.outShape, data: matmul2d(a!.data, b!.data, d.rows, d.inner, d.cols) }];
  },

  lower(node, ctx) {
    const [a, b] = node.inputs;
    const weights = ctx.constant(b!);
    if (!weights) {
      throw new UnsupportedError(`MatMul input B ("${b}") must be a constant (the weights); a product of two computed tensors is not supported`, { context: [describeNode(node)] });
    }
    const d = dims(node, ctx.shape(a!), weights.shape);
    const own = weights.shape.length === 2 ? modelWeights(node, ctx, b!, 1, ctx.tensor(a!)) : undefined;
    if (own) {
      const product = { input: a!, output: node.outputs[0]!, outputShape: d.outShape, rows: d.rows, inner: d.inner, cols: d.cols, inputTransposed: false };
      emitIntegerProduct(node, ctx, { ...product, weights: own.values, bias: undefined }, accumulatorScale(own, d.outShape.length - 1));
      return;
    }
    lowerConstantProduct(node, ctx, {
      input: a!,
      output: node.outputs[0]!,
      outputShape: d.outShape,
      rows: d.rows,
      inner: d.inner,
      cols: d.cols,
      inputTransposed: false,
      weights: weights.data,
      bias: undefined,
    });
  },
};
