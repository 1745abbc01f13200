/**
 * Ops that only rename or reshape: Identity, Flatten, Reshape. Each lowers to a
 * view of the same integers (same scale, zero point and interval): no constraint.
 */
import { ShapeError, UnsupportedError } from '../../core/errors.ts';
import { describeNode, type GraphNode } from '../graph.ts';
import { sizeOf } from '../tensor.ts';
import { intAttr, type LowerContext, type OpSpec, type ShapeContext } from './types.ts';

function lowerView(node: GraphNode, ctx: LowerContext, shape: number[]): void {
  const x = ctx.tensor(node.inputs[0]!);
  ctx.emit({ kind: 'view', node: node.name, op: node.opType, input: node.inputs[0]!, output: node.outputs[0]! }, { shape, scale: x.scale, zeroPoint: x.zeroPoint });
}

/** An op whose output is its input's data under a shape computed by `shapeOf`. */
export function viewOp(opType: string, inputs: OpSpec['inputs'], attributes: OpSpec['attributes'], shapeOf: (node: GraphNode, ctx: ShapeContext) => number[]): OpSpec {
  return {
    opType,
    inputs,
    // The second input, where there is one, is a shape or the axes: read at compile time.
    constantInputs: inputs[1] > 1 ? [1] : [],
    attributes,
    integerInputs: 'preserve',
    inferShapes: (node, ctx) => [shapeOf(node, ctx)],
    evaluateFloat(node, [x, target]) {
      const shape = shapeOf(node, { shape: () => x!.shape, constant: (v) => (target && v === node.inputs[1] ? { name: v, dtype: 'int', ...target } : undefined) });
      return [{ shape, data: x!.data }];
    },
    lower: (node, ctx) => lowerView(node, ctx, shapeOf(node, ctx)),
  };
}

export const Identity = viewOp('Identity', [1, 1], {}, (node, ctx) => ctx.shape(node.inputs[0]!));

export const Flatten: OpSpec = viewOp('Flatten', [1, 1], { axis: 1 }, (node, ctx) => {
  const shape = ctx.shape(node.inputs[0]!);
  let axis = intAttr(node, Flatten, 'axis');
  if (axis < 0) axis += shape.length;
  if (axis < 0 || axis > shape.length) {
    throw new ShapeError(`Flatten axis ${intAttr(node, Flatten, 'axis')} is out of range for an input of rank ${shape.length}`, { context: [describeNode(node)] });
  }
  return [sizeOf(shape.slice(0, axis)), sizeOf(shape.slice(axis))];
});

/** The target shape: the constant second input (opset ≥ 5) or the `shape` attribute (older). */
function reshapeTarget(node: GraphNode, ctx: ShapeContext): number[] {
  const fromAttr = node.attributes['shape'];
  if (node.inputs.length < 2 && Array.isArray(fromAttr)) return fromAttr;
  const t = node.inputs[1] ? ctx.constant(node.inputs[1]) : undefined;
  if (!t) {
    throw new UnsupportedError(`Reshape needs a constant target shape; input "${node.inputs[1] ?? ''}" is computed`, { context: [describeNode(node)] });
  }
  return Array.from(t.data);
}

export const Reshape: OpSpec = viewOp('Reshape', [1, 2], { allowzero: 0, shape: undefined }, (node, ctx) => {
  const input = ctx.shape(node.inputs[0]!);
  const target = reshapeTarget(node, ctx);
  const allowZero = intAttr(node, Reshape, 'allowzero') !== 0;
  const shape = target.map((d, i) => (d === 0 && !allowZero ? input[i]! : d));
  const unknown = shape.indexOf(-1);
  if (unknown >= 0) {
    const known = sizeOf(shape.filter((_, i) => i !== unknown));
    shape[unknown] = known === 0 ? 0 : sizeOf(input) / known;
  }
  if (sizeOf(shape) !== sizeOf(input) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(`Reshape of [${input}] to [${target}] does not preserve the ${sizeOf(input)} elements`, { context: [describeNode(node)] });
  }
  return shape;
});
