/**
 * DynamicQuantizeLinear: y, y_scale, y_zero_point from the data's own range (uint8). Static only
 * where its input is a constant (folded at compile time); on computed data the scale would be
 * decided at run time, which a circuit fixed in advance cannot do, so it is refused.
 */
import { UnsupportedError } from '../../core/errors.ts';
import { describeNode } from '../graph.ts';
import { roundHalfEven, saturate } from './qlinear.ts';
import type { OpSpec } from './types.ts';

export const DynamicQuantizeLinear: OpSpec = {
  opType: 'DynamicQuantizeLinear',
  inputs: [1, 1],
  attributes: {},

  inferShapes: (node, ctx) => [ctx.shape(node.inputs[0]!), [], []],

  evaluateFloat(_node, [x]) {
    const data = Array.from(x!.data, (v) => Math.fround(v));
    // A loop, not Math.min(...data): a spread of a large tensor overflows the call stack.
    const lo = data.reduce((m, v) => Math.min(m, v), 0);
    const hi = data.reduce((m, v) => Math.max(m, v), 0);
    const scale = Math.fround((hi - lo) / 255);
    const zero = scale === 0 ? 0 : saturate(roundHalfEven(Math.fround(0 - lo / scale)), 'UINT8');
    const y = data.map((v) => (scale === 0 ? zero : saturate(roundHalfEven(Math.fround(v / scale)) + zero, 'UINT8')));
    return [
      { shape: x!.shape, data: Float64Array.from(y), elementType: 'UINT8' },
      { shape: [], data: Float64Array.of(scale), elementType: 'FLOAT' },
      { shape: [], data: Float64Array.of(zero), elementType: 'UINT8' },
    ];
  },

  lower(node) {
    throw new UnsupportedError(
      'DynamicQuantizeLinear of computed data chooses its scale from the data at run time, which a circuit fixed at compile time cannot do',
      { context: [describeNode(node)], hint: 'quantize the model statically (onnxruntime quantize_static, QDQ or QOperator format)' },
    );
  },
};
