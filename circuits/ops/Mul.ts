/**
 * Mul (numpy broadcasting) of a computed tensor by a constant, either operand order; never
 * a constraint (circuits/ops/elementwise.ts):
 * - a scalar c > 0 (or a tensor of one value) only changes the scale: a view at scale c·s
 *   (an affine node when the constant broadcasts the input to a larger shape), exact;
 * - a scalar c < 0: an affine node with coefficient −1 at scale |c|·s, exact;
 * - a tensor of different values (or 0): a per-channel conv node with integer weights at a
 *   finer common scale, each factor within 2^−(multiplierBits+1) of its value relatively
 *   (factors below 2^−multiplierBits of the largest: within 2^−(2·multiplierBits+1) of it).
 * A product of two computed tensors is not linear: UnsupportedError.
 */
import { UnsupportedError } from '../../core/errors.ts';
import { describeNode, type ConstTensor, type GraphNode } from '../graph.ts';
import { binaryFloat, broadcastOutputShape, lowerProduct } from './elementwise.ts';
import type { OpSpec, ShapeContext } from './types.ts';

function operands(node: GraphNode, ctx: ShapeContext): { computed: string; factor: ConstTensor } {
  const [a, b] = node.inputs as [string, string];
  const cb = ctx.constant(b);
  if (cb) return { computed: a, factor: cb };
  const ca = ctx.constant(a);
  if (ca) return { computed: b, factor: ca };
  throw new UnsupportedError(`Mul of two computed tensors ("${a}" and "${b}") is not supported: only a product with a constant is linear`, {
    context: [describeNode(node)],
  });
}

export const Mul: OpSpec = {
  opType: 'Mul',
  inputs: [2, 2],
  attributes: {},

  inferShapes(node, ctx) {
    const { computed, factor } = operands(node, ctx);
    return [broadcastOutputShape(node, ctx.shape(computed), factor.shape)];
  },

  evaluateFloat: (node, [a, b]) => [binaryFloat(node, a!, b!, (x, y) => x * y)],

  lower(node, ctx) {
    const { computed, factor } = operands(node, ctx);
    lowerProduct(node, ctx, computed, factor);
  },
};
