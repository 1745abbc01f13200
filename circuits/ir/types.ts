/**
 * The integer IR: what the quantizer produces, the reference evaluator executes
 * and the emitter turns into Circom. Every value is an integer tensor with a
 * scale (real ≈ scale · (q − zeroPoint)) and an interval the compiler proved.
 */

/** ONNX integer element types the compiler keeps exactly, with their ranges. */
export const INTEGER_RANGES = {
  INT8: [-128n, 127n],
  UINT8: [0n, 255n],
  INT16: [-32768n, 32767n],
  UINT16: [0n, 65535n],
  INT32: [-2147483648n, 2147483647n],
} as const satisfies Record<string, readonly [bigint, bigint]>;

export type IntegerType = keyof typeof INTEGER_RANGES;

export function isIntegerType(type: string | undefined): type is IntegerType {
  return type !== undefined && type in INTEGER_RANGES;
}

/**
 * Quantization along one axis (ONNX per-axis QuantizeLinear/DequantizeLinear, per-channel
 * weights): element i belongs to channel floor(i / inner) % scales.length, inner being the
 * product of the dimensions after `axis`, and real = scales[c] · (q − zeroPoints[c]).
 */
export interface PerAxis {
  axis: number;
  scales: number[];
  zeroPoints: number[];
}

export interface QTensor {
  /** The ONNX value name this tensor carries. */
  name: string;
  shape: number[];
  scale: number;
  zeroPoint: number;
  /** Smallest and largest value any element can take, for every input in range. */
  min: bigint;
  max: bigint;
  /**
   * An ONNX integer tensor (QOperator models, QuantizeLinear outputs): its value is the integer
   * itself (scale 1, zero point 0), and only ops that keep ONNX's integer semantics read it.
   */
  elementType?: IntegerType;
  /** Per-axis scales and zero points, replacing scale and zeroPoint (read only by ops that take them). */
  perAxis?: PerAxis;
  /**
   * A graph input quantized by the model's own QuantizeLinear (x / scale in float32, ties to
   * even, saturated) rather than by the calibrated half-up rounding.
   */
  encoding?: 'quantize-linear';
}

/** What a lowering says about a tensor it emits (the interval is computed). */
export type TensorParams = Omit<QTensor, 'name' | 'min' | 'max'>;

interface NodeBase {
  /** The ONNX node this IR node came from (errors and reports name it). */
  node: string;
  /** Its ONNX op type. */
  op: string;
  output: string;
  /** What the lowering wants the layer report to say (e.g. why a Softmax was elided). */
  note?: string;
}

/**
 * out[b][m][n] = bias[b][m][n] + Σ_k w[b][n][k] · in[b][m][k] with constant integer weights:
 * a multiply-accumulate against constants, so no constraint at all. Without `batches` (one
 * batch) that is out[m][n] = bias[m][n] + Σ_k w[n][k] · in[m][k].
 */
export interface LinearNode extends NodeBase {
  kind: 'linear';
  input: string;
  rows: number;
  inner: number;
  cols: number;
  /** Independent products, each with its own weights (a batched MatMul B); absent means 1. */
  batches?: number;
  /** When true the input is stored [K, M] (Gemm transA; one batch only). */
  inputTransposed: boolean;
  /** Row-major [batches][cols][inner]. */
  weights: bigint[];
  /** Row-major [batches][rows][cols]; already includes −zeroPoint(in) · Σ_k w[n][k]. */
  bias: bigint[];
  /** Weights and bias are private signals under the model commitment (`--weights hashed`): one constraint per multiply-accumulate. */
  committed?: boolean;
}

/** One input of an affine node: coeff · in[index[i]] for output element i. */
export interface AffineTerm {
  input: string;
  coeff: bigint;
  index: Int32Array;
}

/** out[i] = Σ_t coeff_t · in_t[index_t[i]] + constant[i]: elementwise adds and rescales, no constraint. */
export interface AffineNode extends NodeBase {
  kind: 'affine';
  terms: AffineTerm[];
  constant: bigint[];
}

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

/** The same values under another shape (Reshape, Flatten, Identity): no constraint. */
export interface ViewNode extends NodeBase {
  kind: 'view';
  input: string;
}

/**
 * The index of the largest value along one axis (first on ties), as ONNX ArgMax with
 * select_last_index = 0: one ArgMax gadget per group. The input is viewed as
 * [outer, n, inner] with n the reduced axis; the output holds outer · inner indices.
 */
export interface ArgMaxNode extends NodeBase {
  kind: 'argmax';
  input: string;
  outer: number;
  n: number;
  inner: number;
}

/** Sliding windows as circuits/ops/window.ts builds them: index[p · kernelSize + k] is a flat spatial input index, or negative for padding. */
export interface Windows {
  positions: number;
  kernelSize: number;
  inputSize: number;
  index: Int32Array;
}

/**
 * Convolution against constant integer weights (Conv, and AveragePool as a depthwise one
 * with unit weights): a multiply-accumulate against constants, so no constraint.
 * out[n][m][p] = factor[p] · (bias[m] + Σ_{c of m's group} Σ_k w[m][c][k] · (in[n][c][window(p, k)] − zeroIn)),
 * where a padded offset contributes nothing (it holds real zero).
 */
export interface ConvNode extends NodeBase {
  kind: 'conv';
  input: string;
  batch: number;
  channels: number;
  outChannels: number;
  group: number;
  windows: Windows;
  /** Row-major [outChannels][channels / group][kernelSize]. */
  weights: bigint[];
  /** Per output channel, at the accumulator's scale. */
  bias: bigint[];
  zeroIn: bigint;
  /** Per output position (AveragePool counting only real elements: lcm / count); absent means 1. */
  positionFactor?: bigint[];
  /** Weights and bias are private signals under the model commitment (`--weights hashed`): one constraint per multiply-accumulate. */
  committed?: boolean;
}

/** The largest real element of each window (MaxPool): one ArgMax gadget per window, over its real elements only. */
export interface MaxPoolNode extends NodeBase {
  kind: 'maxpool';
  input: string;
  /** Batch · channels planes, each pooled alike. */
  planes: number;
  windows: Windows;
}

/**
 * ONNX LeakyRelu on an accumulator: y = (in − zeroIn)·multiplierPos where in − zeroIn ≥ 0, else
 * (in − zeroIn)·multiplierNeg, then out = clamp(floor((y + 2^(s−1)) / 2^s) + zeroOut, lo, hi): the
 * LeakyRelu gadget (sign bits, a selected product, a Requantize).
 */
export interface LeakyReluNode extends NodeBase {
  kind: 'leakyrelu';
  input: string;
  zeroIn: bigint;
  multiplierPos: bigint;
  /** ≠ multiplierPos; 0 or negative for alpha ≤ 0. */
  multiplierNeg: bigint;
  shift: number;
  zeroOut: bigint;
  lo: bigint;
  hi: bigint;
}

/**
 * out[i] = table[in[i] − tableLo]: an elementwise function of an activation rounded once at
 * compile time (Sigmoid, Tanh, LeakyRelu on an activation): the Lookup gadget per element.
 */
export interface LookupNode extends NodeBase {
  kind: 'lookup';
  input: string;
  /** The input value table[0] belongs to. */
  tableLo: bigint;
  /** 2^n entries (n ≥ 2) covering the input's interval. */
  table: bigint[];
}

/**
 * Softmax of each group of n values (the input viewed as [outer, n, inner]): with m the group's
 * maximum, e = expTable[m − in], out = round(levels·e / Σ e) + zeroOut through one reciprocal
 * per group (circuits/gadgets/activation.ts softmaxRef): the Softmax gadget per group, n ≥ 2.
 */
export interface SoftmaxNode extends NodeBase {
  kind: 'softmax';
  input: string;
  outer: number;
  n: number;
  inner: number;
  /** expTable[d] = round(2^expBits · exp(−s_in · d)), 2^nd entries. */
  expTable: bigint[];
  expBits: number;
  /** The reciprocal's precision G > expBits. */
  reciprocalBits: number;
  /** Output levels − 1: the output grid is 1/levels. */
  levels: bigint;
  zeroOut: bigint;
}

export type IrNode = LinearNode | AffineNode | RequantizeNode | ViewNode | ArgMaxNode | ConvNode | MaxPoolNode | LeakyReluNode | LookupNode | SoftmaxNode;

/** The kinds that carry weights, which `--weights hashed` can commit. */
export type WeightedNode = LinearNode | ConvNode;

export function isWeighted(n: IrNode): n is WeightedNode {
  return n.kind === 'linear' || n.kind === 'conv';
}

/** A weighted node whose weights and bias are under the model commitment. */
export function isCommitted(n: IrNode): n is WeightedNode & { committed: true } {
  return isWeighted(n) && n.committed === true;
}

export interface IrModel {
  bits: number;
  multiplierBits: number;
  inputs: QTensor[];
  outputs: QTensor[];
  /** Every tensor by name: inputs, node outputs. */
  tensors: Map<string, QTensor>;
  /** In execution order. */
  nodes: IrNode[];
  /** Whether the circuit range-checks the inputs (otherwise the verifier checks the public inputs). */
  inputRangeCheck: boolean;
  /** Whether the inputs are public signals (`--input public`); private inputs are always range-checked. */
  publicInputs: boolean;
  /** Whether the circuit computes the content hash from the inputs (`--input hashed`, circuits/hashes.ts). */
  hashedInputs?: boolean;
  /** Whether the circuit exposes a Poseidon hash of the outputs in place of the outputs (`--output hashed`). */
  hashedOutputs?: boolean;
  /** Whether any scale came from calibration (false: the model's own quantization throughout). */
  calibrated?: boolean;
}

/** The largest absolute value in [min, max]. */
export function magnitude(min: bigint, max: bigint): bigint {
  const a = min < 0n ? -min : min;
  const b = max < 0n ? -max : max;
  return a > b ? a : b;
}

/** Bits of a two's-complement integer holding every value in [min, max]. */
export function signedBits(min: bigint, max: bigint): number {
  return magnitude(min, max).toString(2).length + (min < 0n ? 1 : 0);
}
