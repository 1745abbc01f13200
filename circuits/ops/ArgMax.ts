/**
 * ArgMax: the index of the largest value along `axis`, the first one on ties
 * (select_last_index = 0; 1 is not supported). One ArgMax gadget per reduced group,
 * n·(B + 4) − 1 constraints for n values of B bits. The output holds plain integer
 * indices: scale 1, zero point 0.
 */
import { ShapeError, UnsupportedError } from '../../core/errors.ts';
import { describeNode, type GraphNode } from '../graph.ts';
import { sizeOf } from '../tensor.ts';
import { intAttr, type OpSpec } from './types.ts';

interface Reduction {
  axis: number;
  outer: number;
  n: number;
  inner: number;
  outShape: number[];
}

function reduction(node: GraphNode, shape: number[]): Reduction {
  let axis = intAttr(node, ArgMax, 'axis');
  if (axis < 0) axis += shape.length;
  if (axis < 0 || axis >= shape.length) {
    throw new ShapeError(`ArgMax axis ${intAttr(node, ArgMax, 'axis')} is out of range for an input of rank ${shape.length}`, { context: [describeNode(node)] });
  }
  if (intAttr(node, ArgMax, 'select_last_index') !== 0) {
    throw new UnsupportedError('ArgMax with select_last_index = 1 is not supported (the circuit returns the first index of the maximum)', { context: [describeNode(node)] });
  }
  const keep = intAttr(node, ArgMax, 'keepdims') !== 0;
  const outShape = keep ? shape.map((d, i) => (i === axis ? 1 : d)) : shape.filter((_, i) => i !== axis);
  return { axis, outer: sizeOf(shape.slice(0, axis)), n: shape[axis]!, inner: sizeOf(shape.slice(axis + 1)), outShape };
}

export const ArgMax: OpSpec = {
  opType: 'ArgMax',
  integerInputs: 'consume',
  inputs: [1, 1],
  attributes: { axis: 0, keepdims: 1, select_last_index: 0 },

  inferShapes: (node, ctx) => [reduction(node, ctx.shape(node.inputs[0]!)).outShape],

  evaluateFloat(node, [x]) {
    const r = reduction(node, x!.shape);
    const data = new Float64Array(r.outer * r.inner);
    for (let o = 0; o < r.outer; o++) {
      for (let i = 0; i < r.inner; i++) {
        let best = 0;
        for (let j = 1; j < r.n; j++) if (x!.data[(o * r.n + j) * r.inner + i]! > x!.data[(o * r.n + best) * r.inner + i]!) best = j;
        data[o * r.inner + i] = best;
      }
    }
    return [{ shape: r.outShape, data }];
  },

  lower(node, ctx) {
    const r = reduction(node, ctx.shape(node.inputs[0]!));
    ctx.emit(
      { kind: 'argmax', node: node.name, op: node.opType, input: node.inputs[0]!, output: node.outputs[0]!, outer: r.outer, n: r.n, inner: r.inner },
      { shape: r.outShape, scale: 1, zeroPoint: 0 },
    );
  },
};
