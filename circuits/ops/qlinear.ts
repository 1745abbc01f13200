/**
 * What the QOperator and QDQ ops share: their constant scales and zero points, ONNX's float
 * rounding of the scale arithmetic, and the requantization to an integer type with ONNX's
 * rounding (ties to even, saturation) on the Requantize gadget.
 *
 * Integer semantics (the reference evaluator's, which the circuit proves): a requantization
 * from a tensor at scale s_in to (s_out, z_out) multiplies by m = fl(s_in / s_out), where fl
 * rounds to the scales' float type (the QLinear ops' multiplier fl(fl(s_a·s_b) / s_y), as the
 * ONNX reference computes it), and then y = saturate(roundHalfEven(acc · m) + z_out) with the
 * product exact (m is a dyadic M/2^s).
 */
import { OnnxFormatError, UnsupportedError } from '../../core/errors.ts';
import { describeNode, type GraphNode } from '../graph.ts';
import { INTEGER_RANGES, isIntegerType, type IntegerType, type PerAxis, type QTensor, type RequantizeChannel, type RequantizeNode } from '../ir/types.ts';
import { roundHalfEven } from '../../core/input.ts';
import type { FloatTensor } from '../tensor.ts';

export { roundHalfEven };
import { exactMultiplier } from './requantize-lowering.ts';
import type { LowerContext, OpSpec, ShapeContext } from './types.ts';

/** Scales and zero points read from constants: one entry per tensor, or one per channel along an axis. */
export interface QuantParams {
  scales: number[];
  zeroPoints: number[];
  elementType: IntegerType;
  /** The scales' ONNX float type: the scale arithmetic rounds to it. */
  scaleType: string;
}

/** The nearest float16 (ties to even; overflow to ±Infinity). */
export function roundToFloat16(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const a = Math.abs(x);
  let e = Math.max(Math.floor(Math.log2(a)), -14);
  if (e > -14 && 2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  const quantum = 2 ** (e - 10);
  const r = roundHalfEven(a / quantum) * quantum;
  return Math.sign(x) * (r > 65504 ? Infinity : r);
}

/** Rounds a double to the ONNX float type `type` (FLOAT, FLOAT16, DOUBLE, BFLOAT16). */
export function roundToType(x: number, type: string): number {
  switch (type) {
    case 'FLOAT16':
      return roundToFloat16(x);
    case 'DOUBLE':
      return x;
    case 'BFLOAT16': {
      const view = new DataView(new ArrayBuffer(4));
      view.setFloat32(0, x);
      const bits = view.getUint32(0);
      const rounded = (bits + 0x7fff + ((bits >> 16) & 1)) & 0xffff0000;
      view.setUint32(0, rounded >>> 0);
      return view.getFloat32(0);
    }
    default:
      return Math.fround(x);
  }
}

/** ONNX saturation into an integer type. */
export function saturate(q: number, type: IntegerType): number {
  const [lo, hi] = INTEGER_RANGES[type];
  return Math.min(Number(hi), Math.max(Number(lo), q));
}

/**
 * Scale (input `scaleAt`) and zero point (input `zeroAt`, optional) of a quantized operand;
 * both must be constants. Without a zero point the type is `defaultType`.
 */
export function quantParams(node: GraphNode, ctx: ShapeContext, scaleAt: number, zeroAt: number, defaultType: IntegerType): QuantParams {
  const context = [describeNode(node)];
  const scaleName = node.inputs[scaleAt];
  const scale = scaleName ? ctx.constant(scaleName) : undefined;
  if (!scale) {
    throw new UnsupportedError(`${node.opType} input ${scaleAt} ("${scaleName ?? ''}", a scale) must be a constant: a scale computed at run time cannot be compiled into the circuit`, { context });
  }
  const zeroName = node.inputs[zeroAt];
  const zero = zeroName ? ctx.constant(zeroName) : undefined;
  if (zeroName && !zero) {
    throw new UnsupportedError(`${node.opType} input ${zeroAt} ("${zeroName}", a zero point) must be a constant`, { context });
  }
  const elementType = zero ? (zero.elementType ?? defaultType) : defaultType;
  if (!isIntegerType(elementType)) {
    throw new UnsupportedError(`${node.opType} zero point "${zeroName}" has type ${elementType}: only INT8, UINT8, INT16, UINT16 and INT32 quantization is supported`, { context });
  }
  const scales = Array.from(scale.data);
  if (scales.some((s) => !(s > 0) || !Number.isFinite(s))) {
    throw new OnnxFormatError(`${node.opType} scale "${scaleName}" holds ${scales.find((s) => !(s > 0) || !Number.isFinite(s))}: scales must be positive and finite`, { context });
  }
  const zeroPoints = zero ? Array.from(zero.data) : scales.map(() => 0);
  if (zeroPoints.length !== scales.length && zeroPoints.length !== 1) {
    throw new OnnxFormatError(`${node.opType} scale "${scaleName}" has ${scales.length} values but zero point "${zeroName}" ${zeroPoints.length}`, { context });
  }
  const [lo, hi] = INTEGER_RANGES[elementType];
  const bad = zeroPoints.find((z) => !Number.isInteger(z) || z < Number(lo) || z > Number(hi));
  if (bad !== undefined) {
    throw new OnnxFormatError(`${node.opType} zero point ${bad} is outside ${elementType} [${lo}, ${hi}]`, { context });
  }
  return {
    scales,
    zeroPoints: zeroPoints.length === scales.length ? zeroPoints : scales.map(() => zeroPoints[0]!),
    elementType,
    scaleType: scale.elementType ?? 'FLOAT',
  };
}

/** The axis per-axis parameters apply along (negative counts from the end), checked against the shape. */
export function quantAxis(node: GraphNode, axisAttr: number, shape: readonly number[], count: number): number {
  const axis = axisAttr < 0 ? axisAttr + shape.length : axisAttr;
  if (count === 1) return axis;
  if (axis < 0 || axis >= shape.length || shape[axis] !== count) {
    throw new OnnxFormatError(`${node.opType} has ${count} scales along axis ${axisAttr}, but the input of shape [${shape}] has ${shape[axis] ?? 'no'} elements there`, { context: [describeNode(node)] });
  }
  return axis;
}

/** Channel layout along an axis: element i is in channel floor(i / inner) % count. */
export function axisLayout(shape: readonly number[], axis: number): { inner: number; count: number } {
  return { inner: shape.slice(axis + 1).reduce((a, b) => a * b, 1), count: shape[axis] ?? 1 };
}

/** The channel of element i of a tensor quantized per axis. */
export function channelOf(i: number, inner: number, count: number): number {
  return Math.floor(i / inner) % count;
}

/** Applies f(value, channel) elementwise, channels along `axis` when there are several parameters. */
export function mapPerAxis(x: FloatTensor, axis: number, count: number, f: (v: number, c: number) => number): Float64Array {
  const { inner } = axisLayout(x.shape, axis);
  return x.data.map((v, i) => f(v, count === 1 ? 0 : channelOf(i, inner, count)));
}

/** ONNX QuantizeLinear of one value: saturate(roundHalfEven(x / scale) + zero), the division in the scale's float type. */
export function quantizeLinearValue(x: number, scale: number, zero: number, p: Pick<QuantParams, 'elementType' | 'scaleType'>): number {
  return saturate(roundHalfEven(roundToType(roundToType(x, p.scaleType) / scale, p.scaleType)) + zero, p.elementType);
}

/** A tensor's per-channel scales and zero points (one entry when per tensor), with its channel layout. */
function tensorChannels(t: QTensor): { scales: number[]; zeroPoints: number[]; axis: number } {
  return t.perAxis ? t.perAxis : { scales: [t.scale], zeroPoints: [t.zeroPoint], axis: 0 };
}

/**
 * Requantizes a tensor to an integer type with ONNX's rounding: one Requantize gadget per
 * element, ties to even, saturating; per-channel multipliers where the input or the output is
 * quantized per axis. `relu` clamps at the output zero point too (a Relu fused before it).
 * Where the multiplier is 1, the zero point the same and no value can clamp, it is a view.
 * The output is the integer tensor itself (scale 1, zero point 0, `out.elementType`).
 */
export function emitQuantize(node: GraphNode, ctx: LowerContext, inputName: string, out: QuantParams & { axis: number }, relu = false): QTensor {
  const x = ctx.tensor(inputName);
  const inC = tensorChannels(x);
  if (inC.zeroPoints.some((z) => z !== inC.zeroPoints[0])) {
    throw new UnsupportedError(`${node.opType} of "${inputName}", quantized per axis with different zero points, is not supported`, { context: [describeNode(node)] });
  }
  const perChannel = inC.scales.length > 1 || out.scales.length > 1;
  if (inC.scales.length > 1 && out.scales.length > 1 && (inC.axis !== out.axis || inC.scales.length !== out.scales.length)) {
    throw new UnsupportedError(`${node.opType} from per-axis scales along axis ${inC.axis} to per-axis scales along axis ${out.axis} is not supported`, { context: [describeNode(node)] });
  }
  const axis = inC.scales.length > 1 ? inC.axis : out.axis;
  const count = Math.max(inC.scales.length, out.scales.length);
  const [qmin, qmax] = INTEGER_RANGES[out.elementType];
  const scaleType = out.scaleType;
  const params: RequantizeChannel[] = Array.from({ length: count }, (_, c) => {
    const sIn = inC.scales[inC.scales.length > 1 ? c : 0]!;
    const sOut = out.scales[out.scales.length > 1 ? c : 0]!;
    const zeroOut = BigInt(out.zeroPoints[out.zeroPoints.length > 1 ? c : 0]!);
    const { multiplier, shift } = exactMultiplier(roundToType(sIn / sOut, scaleType));
    return { multiplier, shift, zeroOut, lo: relu && zeroOut > qmin ? zeroOut : qmin, hi: qmax };
  });
  // Same scale and zero point, nothing to clamp (a DequantizeLinear → QuantizeLinear round trip): a view.
  const zeroIn = BigInt(inC.zeroPoints[0]!);
  if (params.every((p) => p.multiplier === 1n && p.shift === 0 && p.zeroOut === zeroIn && x.min >= p.lo && x.max <= p.hi)) {
    return ctx.emit({ kind: 'view', node: node.name, op: node.opType, input: inputName, output: node.outputs[0]! }, { shape: x.shape, scale: 1, zeroPoint: 0, elementType: out.elementType });
  }
  const first = params[0]!;
  const ir: RequantizeNode = {
    kind: 'requantize',
    node: node.name,
    op: node.opType,
    input: inputName,
    output: node.outputs[0]!,
    zeroIn,
    ...first,
    relu,
    even: true,
    ...(perChannel ? { channels: { inner: axisLayout(x.shape, axis).inner, params } } : {}),
  };
  return ctx.emit(ir, { shape: x.shape, scale: 1, zeroPoint: 0, elementType: out.elementType });
}

/** A tensor at the product scale fl(s_a · s_b[c]) (per channel when b is per channel) with zero point 0. */
export function productScale(a: QuantParams, b: QuantParams, axis: number): { scale: number; zeroPoint: number; perAxis?: PerAxis } {
  const scales = b.scales.map((sb) => roundToType(a.scales[0]! * sb, a.scaleType));
  if (scales.length === 1) return { scale: scales[0]!, zeroPoint: 0 };
  return { scale: scales[0]!, zeroPoint: 0, perAxis: { axis, scales, zeroPoints: scales.map(() => 0) } };
}

/** Refuses per-axis parameters where the op takes only per-tensor ones (e.g. per-row a of QLinearMatMul). */
export function requirePerTensor(node: GraphNode, p: QuantParams, what: string): void {
  if (p.scales.length !== 1) {
    throw new UnsupportedError(`${node.opType} with ${p.scales.length} scales for ${what} (per-axis) is not supported; ${what} must be quantized per tensor`, { context: [describeNode(node)] });
  }
}

/**
 * Refuses, at shape inference (before calibration runs the float graph), a computed tensor at
 * any of the op's `constantInputs`: weights, scales and zero points are compiled into the circuit.
 */
export function requireConstantInputs(node: GraphNode, spec: Pick<OpSpec, 'constantInputs'>, ctx: ShapeContext): void {
  for (const at of spec.constantInputs ?? []) {
    const name = node.inputs[at];
    if (name && !ctx.constant(name)) {
      throw new UnsupportedError(`${node.opType} input ${at} ("${name}") must be a constant: weights, biases, scales and zero points are compiled into the circuit`, {
        context: [describeNode(node)],
      });
    }
  }
}
