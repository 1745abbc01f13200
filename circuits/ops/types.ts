/**
 * What one ONNX op is to the compiler, in one place: its attributes with the
 * spec's defaults, shape inference, float semantics (calibration and constant
 * folding) and its lowering to integer IR (whose nodes carry the integer
 * semantics and the constraint cost).
 */
import { OnnxFormatError } from '../../core/errors.ts';
import { describeNode, type AttributeValue, type ConstTensor, type GraphNode } from '../graph.ts';
import type { IrNode, QTensor, TensorParams } from '../ir/types.ts';
import type { FloatTensor } from '../tensor.ts';

export interface ShapeContext {
  shape(value: string): number[];
  constant(value: string): ConstTensor | undefined;
}

/** What a lowering sees and can do (implemented by the quantizer). */
export interface LowerContext extends ShapeContext {
  readonly bits: number;
  readonly multiplierBits: number;
  /** Smallest and largest activation integer: −2^(bits−1), 2^(bits−1)−1. */
  readonly qmin: bigint;
  readonly qmax: bigint;
  /** The integer tensor of a non-constant value. */
  tensor(value: string): QTensor;
  /** The float range calibration observed for a value. */
  observedRange(value: string): { min: number; max: number };
  /** The nodes that read a computed value, in graph order (a Softmax read only by ArgMax is elided). */
  consumers(value: string): readonly GraphNode[];
  /** Whether a value is one of the graph's outputs. */
  isGraphOutput(value: string): boolean;
  /** Scale and zero point for an activation covering a float range (0 always representable). */
  activationParams(range: { min: number; max: number }): { scale: number; zeroPoint: number };
  /** The integer values, scales and zero points of a constant the model dequantizes (QDQ weights, biases), if it is one. */
  quantizedConstant(value: string): QuantizedConstant | undefined;
  /** Adds an IR node; computes and records its output's interval. */
  emit(node: IrNode, output: TensorParams): QTensor;
}

/** A constant stored as integers and dequantized by the model (DequantizeLinear of an initializer). */
export interface QuantizedConstant {
  /** The integers, as the file stores them. */
  values: ConstTensor;
  /** Per-tensor (one entry) or per-axis along `axis`. */
  scales: number[];
  zeroPoints: number[];
  axis: number;
  /** The scales' ONNX float type. */
  scaleType: string;
}

export interface OpSpec {
  opType: string;
  /** The op's domain when not the default ONNX one (com.microsoft contrib ops). */
  domain?: string;
  /**
   * What the op does with ONNX integer tensors: 'preserve' (it only moves, selects or compares
   * values, so it is exact on them and its output keeps their type), 'consume' (it reads their
   * integer semantics itself: the QOperator ops). Absent: integer tensors are refused, since
   * ONNX integer arithmetic wraps around where the circuit's would not.
   */
  integerInputs?: 'preserve' | 'consume';
  /** Whether the op reads per-axis quantized tensors (otherwise they are refused). */
  perAxisInputs?: boolean;
  /**
   * Input positions the compiler needs as constants (weights, biases, scales, zero points,
   * shapes, bounds): they are compiled into the circuit, so a computed tensor there is refused.
   */
  constantInputs?: readonly number[];
  /** How many inputs the op takes: [required, most]; the first `required` must be named. */
  inputs: [number, number];
  /** Every attribute the op takes, with the ONNX spec default (undefined: no default, optional). */
  attributes: Record<string, AttributeValue | undefined>;
  inferShapes(node: GraphNode, ctx: ShapeContext): number[][];
  evaluateFloat(node: GraphNode, inputs: (FloatTensor | undefined)[]): FloatTensor[];
  lower(node: GraphNode, ctx: LowerContext): void;
}

/** The attribute's value or the spec default, typed. */
export function intAttr(node: GraphNode, spec: OpSpec, name: string): number {
  const v = node.attributes[name] ?? spec.attributes[name];
  if (typeof v !== 'number') throw new OnnxFormatError(`attribute "${name}" must be a number`, { context: [describeNode(node)] });
  return v;
}

export function floatAttr(node: GraphNode, spec: OpSpec, name: string): number {
  return intAttr(node, spec, name);
}

/** evaluateFloat's inputs as a ShapeContext (there every input is a known value; element types kept). */
export function floatContext(node: GraphNode, inputs: readonly (FloatTensor | undefined)[]): ShapeContext {
  const byName = new Map<string, FloatTensor>();
  node.inputs.forEach((v, i) => {
    const t = inputs[i];
    if (v && t) byName.set(v, t);
  });
  return {
    shape: (v) => byName.get(v)!.shape,
    constant: (v) => {
      const t = byName.get(v);
      return t && { name: v, dtype: 'float', shape: t.shape, data: t.data, ...(t.elementType !== undefined ? { elementType: t.elementType } : {}) };
    },
  };
}
