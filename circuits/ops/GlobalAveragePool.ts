/** GlobalAveragePool: AveragePool with one window covering all spatial dims (free in R1CS; see AveragePool.ts). */
import type { GraphNode } from '../graph.ts';
import { averageFloat, lowerAverage } from './AveragePool.ts';
import type { OpSpec } from './types.ts';
import { globalGeometry, windowTable } from './window.ts';

const outShape = (node: GraphNode, shape: readonly number[]): number[] => [shape[0]!, shape[1]!, ...globalGeometry(node, shape).outDims];

export const GlobalAveragePool: OpSpec = {
  opType: 'GlobalAveragePool',
  inputs: [1, 1],
  attributes: {},
  inferShapes: (node, ctx) => [outShape(node, ctx.shape(node.inputs[0]!))],
  evaluateFloat: (node, [x]) => [averageFloat(x!, windowTable(globalGeometry(node, x!.shape)), false, outShape(node, x!.shape))],
  lower: (node, ctx) => lowerAverage(node, ctx, globalGeometry(node, ctx.shape(node.inputs[0]!)), false),
};
