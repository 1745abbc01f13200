/**
 * Squeeze: drops axes of size 1, those named by axes (the attribute before opset 13, an
 * optional constant input since; negative from the end) or, without axes, all of them.
 * A view of the same integers: no constraint.
 */
import { ShapeError } from '../../core/errors.ts';
import { describeNode } from '../graph.ts';
import { givenAxes, resolveAxes } from './index-map.ts';
import { viewOp } from './views.ts';

export const Squeeze = viewOp('Squeeze', [1, 2], { axes: undefined }, (node, ctx) => {
  const shape = ctx.shape(node.inputs[0]!);
  const given = givenAxes(node, ctx);
  if (!given) return shape.filter((d) => d !== 1);
  const axes = resolveAxes(node, given, shape.length);
  for (const a of axes) {
    if (shape[a] !== 1) throw new ShapeError(`Squeeze of axis ${a} of the input [${shape}], whose size is ${shape[a]}, not 1`, { context: [describeNode(node)] });
  }
  return shape.filter((_, i) => !axes.has(i));
});
