/**
 * Add (numpy broadcasting). Lowered to an affine node, which costs no constraint:
 * - computed + constant: the constant joins at the computed tensor's scale;
 * - computed + computed: both are brought to a common scale with integer
 *   multipliers (exact when the scales are equal; otherwise the finer scale
 *   divided by 2^multiplierBits, so the rescale error is below 2^−multiplierBits).
 */
import { ShapeError } from '../errors.ts';
import { describeNode, type GraphNode } from '../graph.ts';
import type { AffineTerm } from '../ir/types.ts';
import { broadcastBinary, broadcastIndex, broadcastShapes, sizeOf } from '../tensor.ts';
import type { LowerContext, OpSpec, ShapeContext } from './types.ts';

function outputShape(node: GraphNode, a: number[], b: number[]): number[] {
  const shape = broadcastShapes(a, b);
  if (!shape) throw new ShapeError(`Add inputs of shapes [${a}] and [${b}] do not broadcast`, { context: [describeNode(node)] });
  return shape;
}

function lowerComputedPlusConstant(node: GraphNode, ctx: LowerContext, computed: string, constant: string, shape: number[]): void {
  const x = ctx.tensor(computed);
  const c = ctx.constant(constant)!;
  const cIndex = broadcastIndex(c.shape, shape);
  const term: AffineTerm = { input: computed, coeff: 1n, index: broadcastIndex(x.shape, shape) };
  const constants = Array.from(cIndex, (i) => BigInt(Math.round(c.data[i]! / x.scale)));
  ctx.emit(
    { kind: 'affine', node: node.name, op: node.opType, output: node.outputs[0]!, terms: [term], constant: constants },
    { shape, scale: x.scale, zeroPoint: x.zeroPoint },
  );
}

function lowerComputedPlusComputed(node: GraphNode, ctx: LowerContext, shape: number[]): void {
  const [a, b] = node.inputs.map((v) => ctx.tensor(v!));
  let scale = a!.scale;
  let ca = 1n;
  let cb = 1n;
  if (a!.scale !== b!.scale) {
    scale = Math.min(a!.scale, b!.scale) / 2 ** ctx.multiplierBits;
    ca = BigInt(Math.round(a!.scale / scale));
    cb = BigInt(Math.round(b!.scale / scale));
  }
  const terms: AffineTerm[] = [
    { input: node.inputs[0]!, coeff: ca, index: broadcastIndex(a!.shape, shape) },
    { input: node.inputs[1]!, coeff: cb, index: broadcastIndex(b!.shape, shape) },
  ];
  const offset = -ca * BigInt(a!.zeroPoint) - cb * BigInt(b!.zeroPoint);
  ctx.emit(
    { kind: 'affine', node: node.name, op: node.opType, output: node.outputs[0]!, terms, constant: new Array<bigint>(sizeOf(shape)).fill(offset) },
    { shape, scale, zeroPoint: 0 },
  );
}

export const Add: OpSpec = {
  opType: 'Add',
  inputs: [2, 2],
  attributes: {},

  inferShapes(node: GraphNode, ctx: ShapeContext): number[][] {
    return [outputShape(node, ctx.shape(node.inputs[0]!), ctx.shape(node.inputs[1]!))];
  },

  evaluateFloat(node, [a, b]) {
    return [broadcastBinary(a!, b!, (x, y) => x + y)!];
  },

  lower(node, ctx) {
    const [a, b] = node.inputs as [string, string];
    const shape = outputShape(node, ctx.shape(a), ctx.shape(b));
    if (ctx.constant(b)) lowerComputedPlusConstant(node, ctx, a, b, shape);
    else if (ctx.constant(a)) lowerComputedPlusConstant(node, ctx, b, a, shape);
    else lowerComputedPlusComputed(node, ctx, shape);
  },
};
