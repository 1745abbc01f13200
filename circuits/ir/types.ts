/**
 * The integer IR: what the quantizer produces, the reference evaluator executes
 * and the emitter turns into Circom. Every value is an integer tensor with a
 * scale (real ≈ scale · (q − zeroPoint)) and an interval the compiler proved.
 */
import type { ConvNode } from './conv.ts';
import type { IrNode } from './kinds.ts';
import type { LinearNode } from './linear.ts';

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

/** What every IR node has (each kind's node interface, in circuits/ir/<kind>.ts, extends it). */
export interface NodeBase {
  /** The ONNX node this IR node came from (errors and reports name it). */
  node: string;
  /** Its ONNX op type. */
  op: string;
  output: string;
  /** What the lowering wants the layer report to say (e.g. why a Softmax was elided). */
  note?: string;
}

/** Sliding windows as circuits/ops/window.ts builds them: index[p · kernelSize + k] is a flat spatial input index, or negative for padding. */
export interface Windows {
  positions: number;
  kernelSize: number;
  inputSize: number;
  index: Int32Array;
}

// Each kind's node type lives in its kind's file; the union, beside the kind table.
export type { IrNode } from './kinds.ts';
export type { LinearNode } from './linear.ts';
export type { AffineNode, AffineTerm } from './affine.ts';
export type { RequantizeChannel, RequantizeNode } from './requantize.ts';
export type { ViewNode } from './view.ts';
export type { ArgMaxNode } from './argmax.ts';
export type { ConvNode } from './conv.ts';
export type { MaxPoolNode } from './maxpool.ts';
export type { LeakyReluNode } from './leakyrelu.ts';
export type { LookupNode } from './lookup.ts';
export type { SoftmaxNode } from './softmax.ts';

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
