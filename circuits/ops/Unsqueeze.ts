/**
 * Unsqueeze: inserts axes of size 1 where axes (the attribute before opset 13, a constant
 * input since; negative from the end of the output) say. A view of the same integers: no
 * constraint.
 */
import { OnnxFormatError } from '../../core/errors.ts';
import { describeNode } from '../graph.ts';
import { givenAxes, resolveAxes } from './index-map.ts';
import { viewOp } from './views.ts';

export const Unsqueeze = viewOp('Unsqueeze', [1, 2], { axes: undefined }, (node, ctx) => {
  const shape = ctx.shape(node.inputs[0]!);
  const given = givenAxes(node, ctx);
  if (!given) throw new OnnxFormatError('Unsqueeze needs axes: the attribute "axes" (opset < 13) or a second input', { context: [describeNode(node)] });
  const rank = shape.length + given.value.length;
  const axes = resolveAxes(node, given, rank);
  const rest = shape[Symbol.iterator]();
  return Array.from({ length: rank }, (_, i) => (axes.has(i) ? 1 : rest.next().value!));
});
