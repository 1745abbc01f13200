/**
 * MaxPool (and, through its helpers, GlobalMaxPool): the largest element of each window,
 * padding never chosen (ONNX pads with −∞), ceil_mode and dilations included. Max commutes
 * with the quantization map, so the values keep their scale and zero point, and each window
 * costs one ArgMax gadget over its real elements: n·(B + 4) − 1 constraints for n ≥ 3
 * elements of B bits (2·B + 6 for n = 2, none for n = 1). The Indices output is not supported.
 */
import { UnsupportedError } from '../../core/errors.ts';
import { describeNode, type GraphNode } from '../graph.ts';
import type { MaxPoolNode } from '../ir/types.ts';
import type { FloatTensor } from '../tensor.ts';
import type { LowerContext, OpSpec } from './types.ts';
import { kernelShapeAttr, splitShape, windowGeometry, windowTable, type WindowGeometry, type WindowTable } from './window.ts';

/** The float maxima (calibration and folding). */
export function maxFloat(x: FloatTensor, t: WindowTable, outShape: number[]): FloatTensor {
  const planes = x.data.length / t.inputSize;
  const data = new Float64Array(planes * t.positions);
  for (let plane = 0; plane < planes; plane++) {
    for (let p = 0; p < t.positions; p++) {
      let max = -Infinity;
      for (let k = 0; k < t.kernelSize; k++) {
        const at = t.index[p * t.kernelSize + k]!;
        if (at >= 0) max = Math.max(max, x.data[plane * t.inputSize + at]!);
      }
      data[plane * t.positions + p] = max;
    }
  }
  return { shape: outShape, data };
}

export function lowerMax(node: GraphNode, ctx: LowerContext, geometry: WindowGeometry): void {
  const x = ctx.tensor(node.inputs[0]!);
  const windows = windowTable(geometry);
  for (let p = 0; p < windows.positions; p++) {
    if (!windows.index.subarray(p * windows.kernelSize, (p + 1) * windows.kernelSize).some((at) => at >= 0)) {
      throw new UnsupportedError(`a window of ${node.opType} holds no input element (padding only)`, { context: [describeNode(node)] });
    }
  }
  const ir: MaxPoolNode = { kind: 'maxpool', node: node.name, op: node.opType, input: node.inputs[0]!, output: node.outputs[0]!, planes: x.shape[0]! * x.shape[1]!, windows };
  ctx.emit(ir, { shape: [x.shape[0]!, x.shape[1]!, ...geometry.outDims], scale: x.scale, zeroPoint: x.zeroPoint });
}

function geometryOf(node: GraphNode, shape: readonly number[]): WindowGeometry {
  if (node.outputs.length > 1 && node.outputs[1] !== '') {
    throw new UnsupportedError(`the second output of MaxPool ("${node.outputs[1]}", the indices) is not supported`, { context: [describeNode(node)] });
  }
  if (Number(node.attributes.storage_order ?? 0) !== 0) {
    throw new UnsupportedError(`attribute "storage_order" = ${node.attributes.storage_order}: only 0 (row major) is supported`, { context: [describeNode(node)] });
  }
  const { spatial } = splitShape(node, shape, 'input X');
  return windowGeometry(node, MaxPool, spatial, kernelShapeAttr(node, spatial.length));
}

export const MaxPool: OpSpec = {
  opType: 'MaxPool',
  integerInputs: 'preserve',
  inputs: [1, 1],
  attributes: { auto_pad: 'NOTSET', ceil_mode: 0, dilations: undefined, kernel_shape: undefined, pads: undefined, storage_order: 0, strides: undefined },

  inferShapes(node, ctx) {
    const shape = ctx.shape(node.inputs[0]!);
    return [[shape[0]!, shape[1]!, ...geometryOf(node, shape).outDims]];
  },

  evaluateFloat(node, [x]) {
    const g = geometryOf(node, x!.shape);
    return [maxFloat(x!, windowTable(g), [x!.shape[0]!, x!.shape[1]!, ...g.outDims])];
  },

  lower(node, ctx) {
    lowerMax(node, ctx, geometryOf(node, ctx.shape(node.inputs[0]!)));
  },
};
