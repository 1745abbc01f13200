/**
 * Concat along axis (required; negative from the end) of computed and constant tensors.
 * - One computed tensor (once or more) and constants: an index map over it
 *   (circuits/ops/index-map.ts) that keeps its scale and zero point, the constants quantized at
 *   its scale (half an LSB). No constraints: an affine node with coefficient 1 when there is no
 *   constant, a linear selection node otherwise; either way each copied element is its input
 *   element's signal, and a constant element a constant (costed as Pad's padding, Pad.ts).
 * - Several computed tensors: brought to a common scale with integer multipliers as Add brings
 *   its two (circuits/ops/rescale.ts: exact when the scales are equal, else within
 *   2^−(multiplierBits+1)), output zero point 0: each placed by a zero-filled conv piece, the
 *   pieces summed by one affine node. No constraint, but, as for Add, every output element is
 *   an expression: one linear constraint where it feeds a gadget input or a public output.
 *   When the scales are equal and an input has zero point 0 its elements would be copied
 *   unchanged, bare signals: the multipliers are then 2 at half the scale (one bit more), so
 *   every element stays an expression (a rule from when a cost model predicted the counts;
 *   they are measured now, and dropping it is a circuit change of its own). The sum's interval adds up the
 *   pieces' intervals, wider than their union by up to the number of tensors (a
 *   requantization after it pays in bits).
 */
import { ShapeError } from '../../core/errors.ts';
import { describeNode, type GraphNode } from '../graph.ts';
import { sizeOf } from '../tensor.ts';
import { FILL, indexMap, invalid, lowerIndexMap, resolveAxis, zeroFilled, type IndexMap } from './index-map.ts';
import { commonScale } from './rescale.ts';
import { floatContext, type LowerContext, type OpSpec, type ShapeContext } from './types.ts';

/** Where each input lands in the output: placements[k] maps output elements to input k's (FILL elsewhere). */
function placements(node: GraphNode, ctx: ShapeContext): IndexMap[] {
  const shapes = node.inputs.map((v) => ctx.shape(v));
  const first = shapes[0]!;
  const given = { where: 'attribute "axis"', value: node.attributes['axis'] };
  if (typeof given.value !== 'number') invalid(node, given, 'Concat needs an integer axis');
  const axis = resolveAxis(node, given, given.value, first.length);
  shapes.forEach((s, k) => {
    if (s.length !== first.length || s.some((d, i) => i !== axis && d !== first[i])) {
      throw new ShapeError(`Concat input ${k} of shape [${s}] does not match input 0 [${first}] outside axis ${axis}`, { context: [describeNode(node)] });
    }
  });
  const shape = first.slice();
  shape[axis] = shapes.reduce((sum, s) => sum + s[axis]!, 0);
  let offset = 0;
  return shapes.map((s) => {
    const start = offset;
    offset += s[axis]!;
    return indexMap(s, shape, (at) => {
      if (at[axis]! < start || at[axis]! >= offset) return undefined;
      const from = at.slice();
      from[axis] = at[axis]! - start;
      return from;
    });
  });
}

/** The placements of the inputs `keep` accepts, merged into one map. */
function mapOf(node: GraphNode, maps: IndexMap[], keep: (value: string) => boolean): IndexMap {
  const index = new Int32Array(maps[0]!.index.length).fill(FILL);
  maps.forEach((m, k) => {
    if (!keep(node.inputs[k]!)) return;
    m.index.forEach((j, i) => {
      if (j !== FILL) index[i] = j;
    });
  });
  return { shape: maps[0]!.shape, index };
}

function lowerConcat(node: GraphNode, ctx: LowerContext): void {
  const maps = placements(node, ctx);
  const { shape } = maps[0]!;
  const constants = new Float64Array(sizeOf(shape));
  maps.forEach((m, k) => {
    const c = ctx.constant(node.inputs[k]!);
    if (c) m.index.forEach((j, i) => {
      if (j !== FILL) constants[i] = c.data[j]!;
    });
  });
  const computed = [...new Set(node.inputs.filter((v) => !ctx.constant(v)))];
  if (computed.length === 1) {
    lowerIndexMap(node, ctx, computed[0]!, mapOf(node, maps, (v) => v === computed[0]), (i) => constants[i]!);
    return;
  }
  const output = node.outputs[0]!;
  const pieces = computed.map((v) => zeroFilled(node, ctx, v, mapOf(node, maps, (w) => w === v), `${output}/${v}`));
  const common = commonScale(pieces.map((p) => p.scale), ctx.multiplierBits);
  const copied = common.coeffs.every((c) => c === 1n) && computed.some((v) => ctx.tensor(v).zeroPoint === 0);
  const scale = copied ? common.scale / 2 : common.scale;
  const coeff = (t: number): bigint => (copied ? 2n : common.coeffs[t]!);
  const fromConstant = mapOf(node, maps, (v) => ctx.constant(v) !== undefined).index;
  const constant = Array.from(fromConstant, (j, i) => (j === FILL ? 0n : BigInt(Math.round(constants[i]! / scale))));
  const identity = Int32Array.from(constants, (_, i) => i);
  const terms = pieces.map((p, t) => ({ input: p.name, coeff: coeff(t), index: identity }));
  ctx.emit({ kind: 'affine', node: node.name, op: node.opType, output, terms, constant }, { shape, scale, zeroPoint: 0 });
}

export const Concat: OpSpec = {
  opType: 'Concat',
  inputs: [1, Infinity],
  attributes: { axis: undefined },

  inferShapes: (node, ctx) => [placements(node, ctx)[0]!.shape],

  evaluateFloat(node, inputs) {
    const maps = placements(node, floatContext(node, inputs));
    const data = new Float64Array(maps[0]!.index.length);
    maps.forEach((m, k) =>
      m.index.forEach((j, i) => {
        if (j !== FILL) data[i] = inputs[k]!.data[j]!;
      }),
    );
    return [{ shape: maps[0]!.shape, data }];
  },

  lower: lowerConcat,
};
