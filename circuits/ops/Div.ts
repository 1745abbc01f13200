/**
 * Div (numpy broadcasting) of a computed tensor by a constant: Mul by its reciprocal, so a
 * view or affine node for a scalar (exact) and a per-channel conv node for a tensor of
 * different values (each factor within 2^−(multiplierBits+1) relatively; see Mul.ts): never
 * a constraint. A computed divisor (1/x is not linear) and a divisor holding 0 are errors.
 */
import { UnsupportedError } from '../../core/errors.ts';
import { describeNode, type ConstTensor, type GraphNode } from '../graph.ts';
import { binaryFloat, broadcastOutputShape, lowerProduct } from './elementwise.ts';
import type { OpSpec, ShapeContext } from './types.ts';

function checkNonZero(node: GraphNode, data: Float64Array): void {
  const at = data.indexOf(0);
  if (at >= 0) {
    throw new UnsupportedError(`Div by zero: the divisor "${node.inputs[1]}" holds 0 at element ${at}`, { context: [describeNode(node)] });
  }
}

function divisor(node: GraphNode, ctx: ShapeContext): ConstTensor {
  const b = node.inputs[1]!;
  const c = ctx.constant(b);
  if (!c) {
    throw new UnsupportedError(`Div by a computed tensor ("${b}") is not supported: only division by a constant is linear`, { context: [describeNode(node)] });
  }
  checkNonZero(node, c.data);
  return c;
}

export const Div: OpSpec = {
  opType: 'Div',
  inputs: [2, 2],
  attributes: {},

  inferShapes(node, ctx) {
    return [broadcastOutputShape(node, ctx.shape(node.inputs[0]!), divisor(node, ctx).shape)];
  },

  evaluateFloat(node, [a, b]) {
    // Reached with a zero divisor only when both inputs are constants (folding).
    checkNonZero(node, b!.data);
    return [binaryFloat(node, a!, b!, (x, y) => x / y)];
  },

  lower(node, ctx) {
    const c = divisor(node, ctx);
    lowerProduct(node, ctx, node.inputs[0]!, { shape: c.shape, data: c.data.map((v) => 1 / v) });
  },
};
