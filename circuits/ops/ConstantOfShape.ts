/** ConstantOfShape: a constant of a constant shape, folded at compile time (exporters use it for zero points). */
import { UnsupportedError } from '../../core/errors.ts';
import { describeNode, type ConstTensor } from '../graph.ts';
import type { OpSpec } from './types.ts';

function fill(node: Parameters<OpSpec['lower']>[0]): { value: number; elementType: string } {
  const v = node.attributes['value'];
  if (v === undefined) return { value: 0, elementType: 'FLOAT' };
  const t = v as ConstTensor;
  if (typeof v !== 'object' || Array.isArray(v) || t.data.length !== 1) {
    throw new UnsupportedError('attribute "value" must be a one-element tensor', { context: [describeNode(node)] });
  }
  return { value: t.data[0]!, elementType: t.elementType ?? 'FLOAT' };
}

export const ConstantOfShape: OpSpec = {
  opType: 'ConstantOfShape',
  inputs: [1, 1],
  attributes: { value: undefined },

  inferShapes(node, ctx) {
    const shape = ctx.constant(node.inputs[0]!);
    if (!shape) throw new UnsupportedError(`ConstantOfShape needs a constant shape; input "${node.inputs[0]}" is computed`, { context: [describeNode(node)] });
    return [Array.from(shape.data)];
  },

  evaluateFloat(node, [shape]) {
    const dims = Array.from(shape!.data);
    const { value, elementType } = fill(node);
    return [{ shape: dims, data: new Float64Array(dims.reduce((a, b) => a * b, 1)).fill(value), elementType }];
  },

  lower(node) {
    throw new UnsupportedError('ConstantOfShape of a computed shape is not supported', { context: [describeNode(node)] });
  },
};
