/**
 * Transpose (perm; default: the axes reversed). An index map (circuits/ops/index-map.ts)
 * lowered to an affine node with coefficient 1 and no constant, or a view when perm keeps the
 * order: no constraint. Each output element is its input element's signal, so wiring it into
 * a gadget or a public output costs what wiring the input element would (nothing for a
 * gadget's output).
 */
import type { GraphNode } from '../graph.ts';
import { attributeInts, indexMap, indexMapOp, invalid, type IndexMap } from './index-map.ts';
import type { ShapeContext } from './types.ts';

function transposeMap(node: GraphNode, ctx: ShapeContext): { map: IndexMap } {
  const shape = ctx.shape(node.inputs[0]!);
  const given = attributeInts(node, 'perm') ?? { where: 'attribute "perm"', value: shape.map((_, i) => shape.length - 1 - i) };
  const perm = given.value;
  if (perm.length !== shape.length || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    invalid(node, given, `expected a permutation of the ${shape.length} axes of the input [${shape}]`);
  }
  const map = indexMap(shape, perm.map((p) => shape[p]!), (at) => {
    const from = new Array<number>(at.length);
    perm.forEach((p, i) => (from[p] = at[i]!));
    return from;
  });
  return { map };
}

export const Transpose = indexMapOp('Transpose', [1, 1], { perm: undefined }, transposeMap);
