/**
 * Quantize and lower: the normalized float graph plus calibration ranges become
 * the integer IR. Inputs and ReLU outputs are `bits`-bit activations with
 * asymmetric scales from calibration; weights are symmetric per tensor; linear
 * ops produce wide accumulators (no rounding, no constraint) and
 * requantization happens only where an op needs it.
 */
import { ShapeError, UnsupportedError } from '../core/errors.ts';
import { describeNode, type GraphNode } from './graph.ts';
import { nodeInterval } from './ir/index.ts';
import { INTEGER_RANGES, isIntegerType, magnitude, type IrModel, type IrNode, type QTensor } from './ir/types.ts';
import type { NormalizedGraph } from './normalize.ts';
import type { ValueRange } from './calibrate.ts';
import { findOp, type LowerContext, type OpSpec, type ShapeContext } from './ops/index.ts';
import { inputQuantizeLinear } from './ops/QuantizeLinear.ts';

export interface QuantizeOptions {
  /** Activation and weight bits (default 8). */
  bits: number;
  /** Precision of requantization multipliers (default bits + 4). */
  multiplierBits: number;
  /** Range-check the inputs inside the circuit (default false: the verifier checks the public inputs). */
  inputRangeCheck: boolean;
  /** Make the inputs public signals (false: private, and then always range-checked in the circuit). */
  publicInputs: boolean;
  /** Hash the (private) inputs into the content hash inside the circuit. */
  hashedInputs: boolean;
}

/** Values must stay well inside (−p/2, p/2) so field arithmetic equals integer arithmetic. */
const FIELD_SAFE_BITS = 240;

export function activationParams(range: ValueRange, bits: number): { scale: number; zeroPoint: number } {
  const qmin = -(2 ** (bits - 1));
  const qmax = 2 ** (bits - 1) - 1;
  const lo = Math.min(range.min, 0);
  const hi = Math.max(range.max, 0);
  if (!(hi > lo) || !Number.isFinite(hi - lo)) return { scale: 1, zeroPoint: 0 };
  const scale = (hi - lo) / (qmax - qmin);
  const zeroPoint = Math.min(qmax, Math.max(qmin, Math.round(qmin - lo / scale)));
  return { scale, zeroPoint };
}

export function quantize(ng: NormalizedGraph, ranges: ReadonlyMap<string, ValueRange>, options: QuantizeOptions): IrModel {
  const { bits } = options;
  if (!Number.isInteger(bits) || bits < 2 || bits > 16) throw new UnsupportedError(`--bits ${bits} is not supported: choose an integer from 2 to 16`);
  const qmin = -(1n << BigInt(bits - 1));
  const qmax = (1n << BigInt(bits - 1)) - 1n;
  const tensors = new Map<string, QTensor>();
  const nodes: IrNode[] = [];

  const consumers = (v: string): GraphNode[] => ng.nodes.filter((n) => n.inputs.includes(v));
  const shapes: ShapeContext = {
    shape: (v) => ng.shapes.get(v) ?? ng.constants.get(v)!.shape,
    constant: (v) => ng.constants.get(v),
  };
  // Whether any scale came from calibration (a pre-quantized model may use none).
  let calibrated = false;
  const inputs = ng.graph.inputs.map((input) => {
    const type = input.elementType;
    // Integer inputs are the integers themselves; a float input the model quantizes itself takes its QuantizeLinear's parameters.
    const t: QTensor = isIntegerType(type)
      ? { name: input.name, shape: input.shape, scale: 1, zeroPoint: 0, min: INTEGER_RANGES[type][0], max: INTEGER_RANGES[type][1], elementType: type }
      : (inputQuantizeLinear(input, consumers(input.name), shapes) ?? ((calibrated = true), { name: input.name, shape: input.shape, ...activationParams(ranges.get(input.name)!, bits), min: qmin, max: qmax }));
    tensors.set(input.name, t);
    return t;
  });

  let current = ng.nodes[0]!;
  let spec: OpSpec = findOp(current.domain, current.opType)!;
  const ctx: LowerContext = {
    bits,
    multiplierBits: options.multiplierBits,
    qmin,
    qmax,
    ...shapes,
    tensor(v) {
      const t = tensors.get(v);
      if (!t) throw new UnsupportedError(`input "${v}" is not a computed tensor the compiler can use here`, { context: [describeNode(current)] });
      if (t.elementType && !spec.integerInputs) {
        throw new UnsupportedError(`${current.opType} reads "${v}", an ${t.elementType} tensor: ONNX integer arithmetic (wrapping on overflow) is not supported for ${current.opType}`, {
          context: [describeNode(current)],
          hint: 'integer tensors go into the QOperator ops (QLinearConv, QLinearMatMul, MatMulInteger, ConvInteger, DequantizeLinear, …) and the ops that only move or compare values (Reshape, Transpose, MaxPool, …)',
        });
      }
      if (t.perAxis && !spec.perAxisInputs) {
        throw new UnsupportedError(`${current.opType} reads "${v}", which is quantized per axis (axis ${t.perAxis.axis}): only QuantizeLinear and graph outputs take per-axis tensors`, {
          context: [describeNode(current)],
          hint: 'requantize it with a per-tensor QuantizeLinear first',
        });
      }
      return t;
    },
    observedRange(v) {
      calibrated = true;
      return ranges.get(v) ?? { min: 0, max: 0 };
    },
    consumers,
    quantizedConstant: (v) => ng.quantized.get(v),
    isGraphOutput: (v) => ng.graph.outputs.some((o) => o.name === v),
    activationParams: (range) => {
      calibrated = true;
      return activationParams(range, bits);
    },
    emit(node, output) {
      const { min, max } = nodeInterval(node, tensors);
      const needed = magnitude(min, max).toString(2).length;
      if (needed > FIELD_SAFE_BITS) {
        throw new ShapeError(`values of "${node.output}" would need ${needed} bits, beyond the ${FIELD_SAFE_BITS} the field can hold exactly`, { context: [describeNode(current)] });
      }
      const t: QTensor = { name: node.output, ...output, min, max };
      tensors.set(node.output, t);
      nodes.push(node);
      return t;
    },
  };
  for (const node of ng.nodes) {
    current = node;
    spec = findOp(node.domain, node.opType)!;
    spec.lower(node, ctx);
    if (spec.integerInputs === 'preserve') {
      const type = node.inputs.map((v) => tensors.get(v)?.elementType).find((e) => e !== undefined);
      for (const out of node.outputs) {
        const t = tensors.get(out);
        if (t && type) t.elementType = type;
      }
    }
  }
  const outputs = ng.graph.outputs.map((o) => tensors.get(o.name)!);
  return { bits, multiplierBits: options.multiplierBits, inputs, outputs, tensors, nodes, inputRangeCheck: options.inputRangeCheck || !options.publicInputs, publicInputs: options.publicInputs, hashedInputs: options.hashedInputs, calibrated };
}
