/**
 * The requantize IR node, on the Requantize / RequantizeRelu gadgets: the
 * gadget's accumulator is (in − zeroIn), a linear expression, so the zero point costs nothing.
 * A per-channel node instantiates one gadget configuration per channel.
 */
import { requantizeBoundBits, requantizeComponent, requantizeRef, requantizeReluComponent, requantizeTiePossible, requantizeUnclamped, type RequantizeParams, type RequantizeReluParams, requantizeReluTwin, requantizeTwin } from '../gadgets/requantize.ts';
import { bitLength } from '../../core/field.ts';
import { sizeOf } from '../tensor.ts';
import type { CircuitBuilder, Component, Lc } from '../constraints/builder.ts';
import { emitPerElement, lowerPerElement } from './per-element.ts';
import type { NodeBase, QTensor } from './types.ts';
import { arrayCodec, bigintCodec, bodyOnly, gadgetKind, objectCodec } from './kind.ts';

/**
 * out = clamp(round(((in − zeroIn) · M) / 2^s) + zeroOut, lo, hi), ties up (or to even):
 * the Requantize gadget (ReLU fused when lo is the output's zero point).
 */
export interface RequantizeNode extends NodeBase {
  kind: 'requantize';
  input: string;
  zeroIn: bigint;
  multiplier: bigint;
  shift: number;
  zeroOut: bigint;
  lo: bigint;
  hi: bigint;
  /** ReLU fused into the clamp. */
  relu: boolean;
  /** Round ties to even (ONNX QuantizeLinear and the QLinear ops) instead of up. */
  even?: boolean;
  /**
   * Per-channel parameters (per-channel weight scales, per-axis QuantizeLinear): element i uses
   * channels.params[floor(i / inner) % params.length] in place of multiplier, shift, zeroOut,
   * lo and hi, which then hold channel 0's.
   */
  channels?: { inner: number; params: RequantizeChannel[] };
}

/** One channel's requantization (see RequantizeNode.channels). */
export interface RequantizeChannel {
  multiplier: bigint;
  shift: number;
  zeroOut: bigint;
  lo: bigint;
  hi: bigint;
}

/** The node's channels: its per-channel parameters, or its uniform ones as a single channel. */
function channelsOf(node: RequantizeNode): { inner: number; params: RequantizeChannel[] } {
  return node.channels ?? { inner: 1, params: [node] };
}

/** Channel of element i. */
function channelAt(node: RequantizeNode, i: number): number {
  const { inner, params } = channelsOf(node);
  return Math.floor(i / inner) % params.length;
}

/**
 * The gadget parameters of one channel given the input's interval (B is derived, never stored).
 * Clamps the interval proves cannot trigger are dropped: where every reachable t is ≥ lo the
 * gadget clamps below at the smallest reachable t instead, and where every t is ≤ hi its upper
 * bound becomes lo + 2^k − 1 ≥ the largest t, so hi − lo + 1 is a power of two and the
 * comparator against hi disappears (the same outputs on every reachable accumulator).
 */
function channelParams(node: RequantizeNode, c: RequantizeChannel, input: QTensor): RequantizeParams {
  const accMin = input.min - node.zeroIn;
  const accMax = input.max - node.zeroIn;
  // Half up and to even agree wherever no tie is reachable: the cheaper gadget then.
  const even = node.even === true && requantizeTiePossible(accMin, accMax, { M: c.multiplier, s: c.shift });
  const rounding = { M: c.multiplier, s: c.shift, zOut: c.zeroOut, ...(even ? { even } : {}) };
  const [tMin, tMax] = [requantizeUnclamped(accMin, rounding), requantizeUnclamped(accMax, rounding)];
  const lo = tMin >= c.lo ? tMin : c.lo;
  const hi = tMax <= c.hi ? lo + (1n << BigInt(Math.max(1, bitLength(tMax - lo)))) - 1n : c.hi;
  const shape = { ...rounding, lo, hi };
  return { ...shape, B: requantizeBoundBits(accMin, accMax, shape) };
}

/** The gadget parameters per channel (one entry for a uniform node). */
export function requantizeParams(node: RequantizeNode, input: QTensor): RequantizeParams[] {
  return channelsOf(node).params.map((c) => channelParams(node, c, input));
}

export function requantizeInterval(node: RequantizeNode, input: QTensor): { min: bigint; max: bigint } {
  const ends = requantizeParams(node, input).flatMap((p) => [requantizeRef(input.min - node.zeroIn, p), requantizeRef(input.max - node.zeroIn, p)]);
  return { min: ends.reduce((a, b) => (b < a ? b : a)), max: ends.reduce((a, b) => (b > a ? b : a)) };
}

export function evaluateRequantize(node: RequantizeNode, x: readonly bigint[], input: QTensor): bigint[] {
  const params = requantizeParams(node, input);
  return x.map((v, i) => requantizeRef(v - node.zeroIn, params[channelAt(node, i)]!));
}

/** RequantizeRelu's parameters where a channel's gadget is RequantizeRelu (ReLU fused, ties up), undefined where it is Requantize. */
function reluGadget(node: RequantizeNode, p: RequantizeParams): RequantizeReluParams | undefined {
  // The node's lo is already max(zOut, qmin), and RequantizeRelu clamps at max(zOut, lo) = lo.
  return node.relu && !p.even ? { M: p.M, s: p.s, zOut: p.zOut, qmin: p.lo, qmax: p.hi, B: p.B } : undefined;
}

function component(node: RequantizeNode, p: RequantizeParams): string {
  const relu = reluGadget(node, p);
  return relu ? requantizeReluComponent(relu) : requantizeComponent(p);
}

/**
 * Circom: one gadget per element; the output is a var array aliasing the gadgets' outputs. A
 * per-channel node has one component array per channel (circom wants one configuration per array).
 */
export function emitRequantize(node: RequantizeNode, input: QTensor, inputName: string, outputName: string): string[] {
  const params = requantizeParams(node, input);
  const n = sizeOf(input.shape);
  if (!node.channels) return emitPerElement(component(node, params[0]!), n, inputName, outputName, node.zeroIn);
  const { inner } = node.channels;
  const count = params.length;
  const outer = n / (inner * count);
  const lines = [`var ${outputName}[${n}];`];
  params.forEach((p, c) => {
    const gadget = `${outputName}_c${c}`;
    lines.push(
      `component ${gadget}[${outer * inner}];`,
      `for (var o = 0; o < ${outer}; o++) {`,
      `  for (var j = 0; j < ${inner}; j++) {`,
      `    ${gadget}[o * ${inner} + j] = ${component(node, p)};`,
      `    ${gadget}[o * ${inner} + j].in <== ${inputName}[(o * ${count} + ${c}) * ${inner} + j] - ${node.zeroIn};`,
      `    ${outputName}[(o * ${count} + ${c}) * ${inner} + j] = ${gadget}[o * ${inner} + j].out;`,
      `  }`,
      `}`,
    );
  });
  return lines;
}

/**
 * The fast path (circuits/lowering/): the gadgets emitRequantize instantiates, as their R1CS
 * twins, under the same component names; `x` and `values` are the input's combinations and
 * integers. Returns the outputs (the gadgets' `out` signals).
 */
export function lowerRequantize(b: CircuitBuilder, parent: Component, node: RequantizeNode, input: QTensor, x: readonly Lc[], values: readonly bigint[], outputName: string): Lc[] {
  const params = requantizeParams(node, input);
  const inner = node.channels?.inner ?? 1;
  return lowerPerElement(b, x, node.zeroIn, (i) => {
    const c = channelAt(node, i);
    const p = params[c]!;
    // emitRequantize's component names: one array for a uniform node, one per channel otherwise.
    const comp = node.channels
      ? b.component(parent, `${outputName}_c${c}`, [Math.floor(i / (inner * params.length)) * inner + (i % inner)])
      : b.component(parent, `${outputName}_gadget`, [i]);
    const acc = values[i]! - node.zeroIn;
    const relu = reluGadget(node, p);
    return relu ? requantizeReluTwin(b, comp, relu, acc) : requantizeTwin(b, comp, p, acc);
  });
}

const channelCodec = objectCodec<RequantizeChannel>({ multiplier: bigintCodec, zeroOut: bigintCodec, lo: bigintCodec, hi: bigintCodec });

export const requantize = gadgetKind<RequantizeNode>({
  includes: ['requantize.circom'],
  json: {
    zeroIn: bigintCodec,
    multiplier: bigintCodec,
    zeroOut: bigintCodec,
    lo: bigintCodec,
    hi: bigintCodec,
    channels: objectCodec<{ inner: number; params: RequantizeChannel[] }>({ params: arrayCodec(channelCodec) }),
  },
  interval: requantizeInterval,
  evaluate: evaluateRequantize,
  emit: (node, input, inputName, id) => bodyOnly(emitRequantize(node, input, inputName, id)),
  lower: lowerRequantize,
});
