/**
 * Ops that only move elements (Transpose, Gather, Pad, Concat): an index map gives, for every
 * output element, the flat index of the input element it copies, or FILL where the output
 * holds a constant instead (Pad's padding, Concat's constant inputs). The map is the op's
 * geometry: its float semantics and its lowering both read it, so they cannot disagree.
 *
 * Lowerings, none of which costs a constraint:
 * - no FILL: an affine node with coefficient 1 and no constant (a view when nothing moves), so
 *   each output element is its input element's signal, bare where that one is;
 * - FILL somewhere: an affine term feeds every output element and cannot leave the filled ones
 *   out, so a linear node does it: 0/1 weights select the copied elements (a row of one unit
 *   weight is that element's bare signal) and its per-element bias holds the quantized constants.
 *   Its weights are dense, (output row) × (input row), rows being the longest leading block
 *   the map keeps in place (Pad of N×C×H×W on H and W: N·C rows, (H'·W') × (H·W) weights);
 * - zeroFilled: x − zeroPoint where the map places it and 0 elsewhere, a conv node with one
 *   unit weight and the map as its window table (FILL is the table's padding): the sparse
 *   pieces a Concat of several tensors adds up.
 */
import { UnsupportedError } from '../../core/errors.ts';
import { describeNode, type GraphNode } from '../graph.ts';
import type { QTensor } from '../ir/types.ts';
import { sizeOf, stridesOf, type FloatTensor } from '../tensor.ts';
import { floatContext, type LowerContext, type OpSpec, type ShapeContext } from './types.ts';

export const FILL = -1;

export interface IndexMap {
  shape: number[];
  /** index[i]: the flat index of the input element output element i copies, or FILL. */
  index: Int32Array;
}

/** The map over `shape` whose element at coordinates `at` copies the input element at `source(at)` (undefined: FILL). */
export function indexMap(inShape: readonly number[], shape: number[], source: (at: readonly number[]) => readonly number[] | undefined): IndexMap {
  const strides = stridesOf(inShape);
  const index = new Int32Array(sizeOf(shape));
  const at = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < index.length; i++) {
    const from = source(at);
    index[i] = from ? from.reduce((flat, c, d) => flat + c * strides[d]!, 0) : FILL;
    for (let d = shape.length - 1; d >= 0 && ++at[d] === shape[d]; d--) at[d] = 0;
  }
  return { shape, index };
}

/** The float semantics of a map: `fill(i)` is the real value of output element i where it is FILL. */
export function gatherFloat(x: FloatTensor, map: IndexMap, fill: (i: number) => number): FloatTensor {
  return { shape: map.shape, data: Float64Array.from(map.index, (j, i) => (j === FILL ? fill(i) : x.data[j]!)) };
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The most rows such that, viewing input and output as [rows, ·], output row m copies from input row m alike in every row. */
function rowLayout(map: IndexMap, inSize: number): { rows: number; inner: number; cols: number } {
  const size = map.index.length;
  const keepsRows = (rows: number): boolean => {
    const cols = size / rows;
    const inner = inSize / rows;
    for (let i = 0; i < size; i++) {
      const first = map.index[i % cols]!;
      if (first >= inner) return false;
      if (map.index[i] !== (first === FILL ? FILL : first + Math.floor(i / cols) * inner)) return false;
    }
    return true;
  };
  for (let rows = gcd(size, inSize); rows > 1; rows--) {
    if (size % rows === 0 && inSize % rows === 0 && keepsRows(rows)) return { rows, inner: inSize / rows, cols: size / rows };
  }
  return { rows: 1, inner: inSize, cols: size };
}

/** Lowers `map` over the computed `input` (see the module comment); the output keeps the input's scale and zero point. */
export function lowerIndexMap(node: GraphNode, ctx: LowerContext, input: string, map: IndexMap, fill: (i: number) => number): void {
  const x = ctx.tensor(input);
  const output = { shape: map.shape, scale: x.scale, zeroPoint: x.zeroPoint };
  const base = { node: node.name, op: node.opType, output: node.outputs[0]! };
  if (!map.index.includes(FILL)) {
    if (map.index.length === sizeOf(x.shape) && map.index.every((j, i) => j === i)) ctx.emit({ kind: 'view', ...base, input }, output);
    else ctx.emit({ kind: 'affine', ...base, terms: [{ input, coeff: 1n, index: map.index }], constant: new Array<bigint>(map.index.length).fill(0n) }, output);
    return;
  }
  const { rows, inner, cols } = rowLayout(map, sizeOf(x.shape));
  const weights = new Array<bigint>(cols * inner).fill(0n);
  for (let n = 0; n < cols; n++) if (map.index[n] !== FILL) weights[n * inner + map.index[n]!] = 1n;
  const zero = BigInt(x.zeroPoint);
  const bias = Array.from(map.index, (j, i) => (j === FILL ? BigInt(Math.round(fill(i) / x.scale)) + zero : 0n));
  ctx.emit({ kind: 'linear', ...base, input, rows, inner, cols, inputTransposed: false, weights, bias }, output);
}

/** The tensor `output`: (input − its zero point) where `map` places it, 0 at FILL (same scale, zero point 0). */
export function zeroFilled(node: GraphNode, ctx: LowerContext, input: string, map: IndexMap, output: string): QTensor {
  const x = ctx.tensor(input);
  const { rows, inner, cols } = rowLayout(map, sizeOf(x.shape));
  return ctx.emit(
    {
      kind: 'conv',
      node: node.name,
      op: node.opType,
      input,
      output,
      batch: rows,
      channels: 1,
      outChannels: 1,
      group: 1,
      windows: { positions: cols, kernelSize: 1, inputSize: inner, index: map.index.slice(0, cols) },
      weights: [1n],
      bias: [0n],
      zeroIn: BigInt(x.zeroPoint),
    },
    { shape: map.shape, scale: x.scale, zeroPoint: 0 },
  );
}

/**
 * An op whose output is an index map over its first input; `mapOf` gives the map and the real
 * value of its FILL elements (default 0).
 */
export function indexMapOp(
  opType: string,
  inputs: OpSpec['inputs'],
  attributes: OpSpec['attributes'],
  mapOf: (node: GraphNode, ctx: ShapeContext) => { map: IndexMap; fill?: number },
): OpSpec {
  return {
    opType,
    inputs,
    attributes,
    integerInputs: 'preserve',
    // Every input after the data (Gather's indices, Pad's pads and value) is read at compile time.
    constantInputs: Array.from({ length: inputs[1] - 1 }, (_, i) => i + 1),
    inferShapes: (node, ctx) => [mapOf(node, ctx).map.shape],
    evaluateFloat(node, inputs) {
      const { map, fill = 0 } = mapOf(node, floatContext(node, inputs));
      return [gatherFloat(inputs[0]!, map, () => fill)];
    },
    lower(node, ctx) {
      const { map, fill = 0 } = mapOf(node, ctx);
      lowerIndexMap(node, ctx, node.inputs[0]!, map, () => fill);
    },
  };
}

/** An attribute, or a constant input standing for one, as the error messages name it. */
export interface Given<T> {
  where: string;
  value: T;
}

/** An attribute or input value the compiler cannot take: names the node, where the value came from and the value. */
export function invalid(node: GraphNode, given: Given<unknown>, why: string): never {
  throw new UnsupportedError(`${given.where} = ${JSON.stringify(given.value)}: ${why}`, { context: [describeNode(node)] });
}

function integers(node: GraphNode, given: Given<unknown>): Given<number[]> {
  const v = typeof given.value === 'number' ? [given.value] : given.value;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isInteger(x))) invalid(node, given, 'expected integers');
  return { where: given.where, value: v as number[] };
}

/** An integer list attribute (one integer is a list of one), or undefined when the node has none. */
export function attributeInts(node: GraphNode, name: string): Given<number[]> | undefined {
  const value = node.attributes[name];
  return value === undefined ? undefined : integers(node, { where: `attribute "${name}"`, value });
}

/** The integers of input `position`, which must be a constant (`what` says what it holds); undefined when the input is absent. */
export function constantInts(node: GraphNode, ctx: ShapeContext, position: number, what: string): Given<number[]> | undefined {
  const name = node.inputs[position];
  if (!name) return undefined;
  const c = ctx.constant(name);
  if (!c) throw new UnsupportedError(`${node.opType} needs constant ${what}; input "${name}" is computed`, { context: [describeNode(node)] });
  return integers(node, { where: `input "${name}"`, value: Array.from(c.data) });
}

/** The axes of Squeeze and Unsqueeze: the attribute (opset < 13) or the constant second input (opset ≥ 13). */
export function givenAxes(node: GraphNode, ctx: ShapeContext): Given<number[]> | undefined {
  return attributeInts(node, 'axes') ?? constantInts(node, ctx, 1, 'axes');
}

/** Distinct axes `given` names in a rank-`rank` shape (negative: from the end). */
export function resolveAxes(node: GraphNode, given: Given<number[]>, rank: number): Set<number> {
  const axes = new Set(given.value.map((a) => resolveAxis(node, given, a, rank)));
  if (axes.size !== given.value.length) invalid(node, given, 'an axis is named twice');
  return axes;
}

/** `axis` (negative: from the end) as an index into a rank-`rank` shape. */
export function resolveAxis(node: GraphNode, given: Given<unknown>, axis: number, rank: number): number {
  const resolved = axis < 0 ? axis + rank : axis;
  if (resolved < 0 || resolved >= rank) invalid(node, given, `axis ${axis} is out of range for rank ${rank}`);
  return resolved;
}
