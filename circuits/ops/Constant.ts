/** Constant: its value becomes a compile-time constant (folded before lowering, never in the circuit). */
import { UnsupportedError } from '../../core/errors.ts';
import { describeNode, type ConstTensor } from '../graph.ts';
import type { OpSpec } from './types.ts';

function value(node: Parameters<OpSpec['evaluateFloat']>[0]): ConstTensor {
  const a = node.attributes;
  if (a['value'] !== undefined && typeof a['value'] === 'object' && !Array.isArray(a['value'])) return a['value'];
  const scalar = (v: number, dtype: 'float' | 'int'): ConstTensor => ({ name: node.outputs[0]!, shape: [], dtype, data: Float64Array.of(v) });
  const list = (v: number[], dtype: 'float' | 'int'): ConstTensor => ({ name: node.outputs[0]!, shape: [v.length], dtype, data: Float64Array.from(v) });
  if (typeof a['value_float'] === 'number') return { ...scalar(a['value_float'], 'float'), elementType: 'FLOAT' };
  if (typeof a['value_int'] === 'number') return { ...scalar(a['value_int'], 'int'), elementType: 'INT64' };
  if (Array.isArray(a['value_floats'])) return { ...list(a['value_floats'], 'float'), elementType: 'FLOAT' };
  if (Array.isArray(a['value_ints'])) return { ...list(a['value_ints'], 'int'), elementType: 'INT64' };
  throw new UnsupportedError('Constant needs a tensor, float(s) or int(s) value; sparse and string constants are not supported', { context: [describeNode(node)] });
}

export const Constant: OpSpec = {
  opType: 'Constant',
  inputs: [0, 0],
  attributes: { value: undefined, value_float: undefined, value_floats: undefined, value_int: undefined, value_ints: undefined },
  inferShapes: (node) => [value(node).shape],
  evaluateFloat: (node) => {
    const v = value(node);
    return [{ shape: v.shape, data: v.data, ...(v.elementType !== undefined ? { elementType: v.elementType } : {}) }];
  },
  lower(node) {
    throw new UnsupportedError('Constant is folded at compile time and has nothing to lower', { context: [describeNode(node)] });
  },
};
