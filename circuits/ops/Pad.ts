/**
 * Pad: mode constant (default), reflect or edge; pads as the attribute before opset 11 and a
 * constant input since, negative ones cropping; the constant as the attribute "value" before
 * opset 11 and an optional constant input since (default 0); optional constant axes since
 * opset 18. An index map (circuits/ops/index-map.ts):
 * - reflect and edge copy input elements only: an affine node with coefficient 1 and no
 *   constant, no constraint, each output element its input element's signal;
 * - constant fills the padding with the constant quantized at the input's scale (its zero point
 *   for 0, exact; otherwise within half an LSB): a linear node selecting the copied elements,
 *   whose bias holds the padding. No constraint; copied elements stay their input's signals,
 *   padding elements are constants: one linear constraint each where one is a public output.
 *   (Wired into a gadget, circom's optimizer substitutes a constant and drops that constraint.)
 */
import { OnnxFormatError, UnsupportedError } from '../../core/errors.ts';
import { describeNode, type GraphNode } from '../graph.ts';
import { attributeInts, constantInts, indexMap, indexMapOp, invalid, resolveAxes, type IndexMap } from './index-map.ts';
import { floatAttr, type ShapeContext } from './types.ts';

const MODES = ['constant', 'reflect', 'edge'];

/** Where coordinate c (possibly outside [0, size)) reads from in `mode`; undefined for the constant. */
function padSource(mode: string, c: number, size: number): number | undefined {
  if (c >= 0 && c < size) return c;
  if (mode === 'edge') return c < 0 ? 0 : size - 1;
  if (mode === 'constant') return undefined;
  if (size === 1) return 0;
  const period = 2 * (size - 1);
  const m = ((c % period) + period) % period;
  return m < size ? m : period - m;
}

/** The real value of the padding: the constant input, else the attribute (opset < 11), else 0. */
function padValue(node: GraphNode, ctx: ShapeContext): number {
  const name = node.inputs[2];
  if (!name) return floatAttr(node, Pad, 'value');
  const c = ctx.constant(name);
  if (!c) throw new UnsupportedError(`Pad needs a constant constant_value; input "${name}" is computed`, { context: [describeNode(node)] });
  return c.data[0]!;
}

function padMap(node: GraphNode, ctx: ShapeContext): { map: IndexMap; fill: number } {
  const shape = ctx.shape(node.inputs[0]!);
  const mode = String(node.attributes.mode ?? Pad.attributes.mode);
  if (!MODES.includes(mode)) invalid(node, { where: 'attribute "mode"', value: mode }, `expected ${MODES.join(', ')}`);
  const pads = attributeInts(node, 'pads') ?? constantInts(node, ctx, 1, 'pads');
  if (!pads) throw new OnnxFormatError('Pad needs pads: the attribute "pads" (opset < 11) or a second input', { context: [describeNode(node)] });
  const axesGiven = constantInts(node, ctx, 3, 'axes');
  const axes = axesGiven ? [...resolveAxes(node, axesGiven, shape.length)] : shape.map((_, i) => i);
  if (pads.value.length !== 2 * axes.length) invalid(node, pads, `expected ${2 * axes.length} values: the begin of each of the ${axes.length} axes padded, then their ends`);
  const begin = shape.map(() => 0);
  const end = shape.map(() => 0);
  axes.forEach((a, j) => {
    begin[a] = pads.value[j]!;
    end[a] = pads.value[axes.length + j]!;
  });
  const outShape = shape.map((d, i) => d + begin[i]! + end[i]!);
  if (outShape.some((d) => d < 1)) invalid(node, pads, `the output [${outShape}] of the input [${shape}] would be empty`);
  const map = indexMap(shape, outShape, (at) => {
    const from = at.map((c, i) => padSource(mode, c - begin[i]!, shape[i]!));
    return from.includes(undefined) ? undefined : (from as number[]);
  });
  return { map, fill: padValue(node, ctx) };
}

export const Pad = indexMapOp('Pad', [1, 4], { mode: 'constant', pads: undefined, value: 0 }, padMap);
