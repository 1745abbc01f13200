/** GlobalMaxPool: MaxPool with one window covering all spatial dims (one ArgMax gadget per channel; see MaxPool.ts). */
import type { GraphNode } from '../graph.ts';
import { lowerMax, maxFloat } from './MaxPool.ts';
import type { OpSpec } from './types.ts';
import { globalGeometry, windowTable } from './window.ts';

const outShape = (node: GraphNode, shape: readonly number[]): number[] => [shape[0]!, shape[1]!, ...globalGeometry(node, shape).outDims];

export const GlobalMaxPool: OpSpec = {
  opType: 'GlobalMaxPool',
  integerInputs: 'preserve',
  inputs: [1, 1],
  attributes: {},
  inferShapes: (node, ctx) => [outShape(node, ctx.shape(node.inputs[0]!))],
  evaluateFloat: (node, [x]) => [maxFloat(x!, windowTable(globalGeometry(node, x!.shape)), outShape(node, x!.shape))],
  lower: (node, ctx) => lowerMax(node, ctx, globalGeometry(node, ctx.shape(node.inputs[0]!))),
};
