/**
 * AveragePool (and, through its helpers, GlobalAveragePool): the mean of each window's
 * elements, padding counted (count_include_pad = 1) or not (0, the default), ceil_mode
 * and dilations included. Lowered without rounding as a depthwise conv node with unit
 * weights: window sums, each scaled by L / count with L the least common multiple of the
 * window counts, so every output sits at one scale s_X / L. A sum of constants times
 * signals costs no constraint; the next op requantizes when it needs to.
 */
import { UnsupportedError } from '../../core/errors.ts';
import { describeNode, type GraphNode } from '../graph.ts';
import type { ConvNode } from '../ir/types.ts';
import type { FloatTensor } from '../tensor.ts';
import type { LowerContext, OpSpec } from './types.ts';
import { kernelShapeAttr, PADDING, splitShape, windowGeometry, windowTable, type WindowGeometry, type WindowTable } from './window.ts';

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));

/** How many elements the mean of window p divides by. */
function windowCounts(t: WindowTable, includePad: boolean): number[] {
  return Array.from({ length: t.positions }, (_, p) => {
    let n = 0;
    for (let k = 0; k < t.kernelSize; k++) {
      const at = t.index[p * t.kernelSize + k]!;
      if (at >= 0 || (includePad && at === PADDING)) n++;
    }
    return n;
  });
}

/** The float means (calibration and folding). */
export function averageFloat(x: FloatTensor, t: WindowTable, includePad: boolean, outShape: number[]): FloatTensor {
  const counts = windowCounts(t, includePad);
  const planes = x.data.length / t.inputSize;
  const data = new Float64Array(planes * t.positions);
  for (let plane = 0; plane < planes; plane++) {
    for (let p = 0; p < t.positions; p++) {
      let sum = 0;
      for (let k = 0; k < t.kernelSize; k++) {
        const at = t.index[p * t.kernelSize + k]!;
        if (at >= 0) sum += x.data[plane * t.inputSize + at]!;
      }
      data[plane * t.positions + p] = sum / counts[p]!;
    }
  }
  return { shape: outShape, data };
}

export function lowerAverage(node: GraphNode, ctx: LowerContext, geometry: WindowGeometry, includePad: boolean): void {
  const x = ctx.tensor(node.inputs[0]!);
  const [batch, channels] = x.shape as [number, number];
  const windows = windowTable(geometry);
  const counts = windowCounts(windows, includePad).map(BigInt);
  if (counts.some((c) => c === 0n)) {
    throw new UnsupportedError(`a window of ${node.opType} holds no input element (padding only)`, { context: [describeNode(node)] });
  }
  const lcm = counts.reduce((l, c) => (l * c) / gcd(l, c), 1n);
  const factors = counts.map((c) => lcm / c);
  const ir: ConvNode = {
    kind: 'conv',
    node: node.name,
    op: node.opType,
    input: node.inputs[0]!,
    output: node.outputs[0]!,
    batch,
    channels,
    outChannels: channels,
    group: channels,
    windows,
    weights: new Array<bigint>(channels * windows.kernelSize).fill(1n),
    bias: new Array<bigint>(channels).fill(0n),
    zeroIn: BigInt(x.zeroPoint),
    ...(factors.some((f) => f !== 1n) ? { positionFactor: factors } : {}),
  };
  ctx.emit(ir, { shape: [batch, channels, ...geometry.outDims], scale: x.scale / Number(lcm), zeroPoint: 0 });
}

function geometryOf(node: GraphNode, shape: readonly number[]): WindowGeometry {
  const { spatial } = splitShape(node, shape, 'input X');
  return windowGeometry(node, AveragePool, spatial, kernelShapeAttr(node, spatial.length));
}

const includePad = (node: GraphNode): boolean => Number(node.attributes.count_include_pad ?? 0) !== 0;

export const AveragePool: OpSpec = {
  opType: 'AveragePool',
  inputs: [1, 1],
  attributes: { auto_pad: 'NOTSET', ceil_mode: 0, count_include_pad: 0, dilations: undefined, kernel_shape: undefined, pads: undefined, strides: undefined },

  inferShapes(node, ctx) {
    const shape = ctx.shape(node.inputs[0]!);
    return [[shape[0]!, shape[1]!, ...geometryOf(node, shape).outDims]];
  },

  evaluateFloat(node, [x]) {
    const g = geometryOf(node, x!.shape);
    return [averageFloat(x!, windowTable(g), includePad(node), [x!.shape[0]!, x!.shape[1]!, ...g.outDims])];
  },

  lower(node, ctx) {
    lowerAverage(node, ctx, geometryOf(node, ctx.shape(node.inputs[0]!)), includePad(node));
  },
};
