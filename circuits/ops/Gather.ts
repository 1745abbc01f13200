/**
 * Gather along axis (default 0; negative from the end) with constant indices of any rank
 * (negative: from the end of the axis). An index map (circuits/ops/index-map.ts) lowered to an
 * affine node with coefficient 1 and no constant: no constraint, each output element its input
 * element's signal. A Gather of a constant is folded at compile time (circuits/normalize.ts);
 * computed indices select data-dependently, which is not linear: UnsupportedError.
 */
import type { GraphNode } from '../graph.ts';
import { stridesOf } from '../tensor.ts';
import { constantInts, indexMap, indexMapOp, invalid, resolveAxis, type IndexMap } from './index-map.ts';
import { intAttr, type ShapeContext } from './types.ts';

function gatherMap(node: GraphNode, ctx: ShapeContext): { map: IndexMap } {
  const shape = ctx.shape(node.inputs[0]!);
  const axisGiven = { where: 'attribute "axis"', value: intAttr(node, Gather, 'axis') };
  const axis = resolveAxis(node, axisGiven, axisGiven.value, shape.length);
  const indices = constantInts(node, ctx, 1, 'indices')!;
  const indicesShape = ctx.constant(node.inputs[1]!)!.shape;
  const size = shape[axis]!;
  const resolved = indices.value.map((i) => {
    if (i < -size || i >= size) invalid(node, indices, `index ${i} is out of range for axis ${axis} of size ${size}`);
    return i < 0 ? i + size : i;
  });
  const strides = stridesOf(indicesShape);
  const rank = indicesShape.length;
  const map = indexMap(shape, [...shape.slice(0, axis), ...indicesShape, ...shape.slice(axis + 1)], (at) => {
    const flat = strides.reduce((sum, s, j) => sum + s * at[axis + j]!, 0);
    return [...at.slice(0, axis), resolved[flat]!, ...at.slice(axis + rank)];
  });
  return { map };
}

export const Gather = indexMapOp('Gather', [2, 2], { axis: 0 }, gatherMap);
