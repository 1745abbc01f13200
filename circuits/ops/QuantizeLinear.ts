/**
 * QuantizeLinear: y = saturate(roundHalfEven(x / y_scale) + y_zero_point), per tensor or per
 * axis, into INT8, UINT8, INT16, UINT16 or INT32 (circuits/ops/qlinear.ts has the semantics).
 *
 * - On a float graph input read by nothing else it is the input's own quantization: the prover
 *   quantizes the input JSON exactly so (float32 division, ties to even, saturation) and the
 *   circuit takes the integers, range-checked like any input: no constraint.
 * - Elsewhere it requantizes its input exactly with the multiplier fl(s_in / y_scale): one
 *   Requantize gadget per element (ties to even where a tie is reachable), per-channel
 *   multipliers where either side is per axis. A Relu right before it (only read by it) is
 *   fused into the clamp (normalize marks the node).
 */
import { UnsupportedError } from '../../core/errors.ts';
import { describeNode, type GraphNode, type ValueInfo } from '../graph.ts';
import { INTEGER_RANGES, type QTensor } from '../ir/types.ts';
import { emitQuantize, mapPerAxis, quantAxis, quantizeLinearValue, quantParams, type QuantParams } from './qlinear.ts';
import { floatContext, intAttr, type OpSpec, type ShapeContext } from './types.ts';

/** The output parameters, with the attributes this compiler does not take refused. */
function outputParams(node: GraphNode, ctx: ShapeContext, shape: readonly number[]): QuantParams & { axis: number } {
  const blockSize = intAttr(node, QuantizeLinear, 'block_size');
  if (blockSize !== 0) {
    throw new UnsupportedError(`attribute "block_size" = ${blockSize} (blocked quantization) is not supported`, { context: [describeNode(node)] });
  }
  const outputDtype = intAttr(node, QuantizeLinear, 'output_dtype');
  if (outputDtype !== 0) {
    throw new UnsupportedError(`attribute "output_dtype" = ${outputDtype} is not supported: give the type by the zero point`, { context: [describeNode(node)] });
  }
  const precision = intAttr(node, QuantizeLinear, 'precision');
  if (precision !== 0) throw new UnsupportedError(`attribute "precision" = ${precision} is not supported`, { context: [describeNode(node)] });
  const p = quantParams(node, ctx, 1, 2, 'UINT8');
  return { ...p, axis: quantAxis(node, intAttr(node, QuantizeLinear, 'axis'), shape, p.scales.length) };
}

/**
 * The graph input's quantization when a QuantizeLinear is its only reader: the tensor the
 * circuit takes is then the QuantizeLinear's integers under its scale and zero point.
 */
export function inputQuantizeLinear(input: ValueInfo, readers: readonly GraphNode[], ctx: ShapeContext): QTensor | undefined {
  const [q, ...rest] = readers;
  if (!q || rest.length > 0 || q.opType !== 'QuantizeLinear' || q.inputs[0] !== input.name || q.fusedRelu) return undefined;
  const p = outputParams(q, ctx, input.shape);
  const [min, max] = INTEGER_RANGES[p.elementType];
  const perAxis = p.scales.length > 1 ? { perAxis: { axis: p.axis, scales: p.scales, zeroPoints: p.zeroPoints } } : {};
  return { name: input.name, shape: input.shape, scale: p.scales[0]!, zeroPoint: p.zeroPoints[0]!, min, max, encoding: 'quantize-linear', ...perAxis };
}

export const QuantizeLinear: OpSpec = {
  opType: 'QuantizeLinear',
  inputs: [2, 3],
  constantInputs: [1, 2],
  attributes: { axis: 1, saturate: 1, block_size: 0, output_dtype: 0, precision: 0 },
  integerInputs: 'consume',
  perAxisInputs: true,

  inferShapes(node, ctx) {
    outputParams(node, ctx, ctx.shape(node.inputs[0]!));
    return [ctx.shape(node.inputs[0]!)];
  },

  evaluateFloat(node, inputs) {
    const x = inputs[0]!;
    const p = outputParams(node, floatContext(node, inputs), x.shape);
    const relu = node.fusedRelu === true;
    const data = mapPerAxis(x, p.axis, p.scales.length, (v, c) => quantizeLinearValue(relu ? Math.max(v, 0) : v, p.scales[c]!, p.zeroPoints[c]!, p));
    return [{ shape: x.shape, data, elementType: p.elementType }];
  },

  lower(node, ctx) {
    const x = ctx.tensor(node.inputs[0]!);
    const out = outputParams(node, ctx, x.shape);
    if (x.encoding === 'quantize-linear') {
      // The graph input already holds this node's integers (see inputQuantizeLinear).
      ctx.emit({ kind: 'view', node: node.name, op: node.opType, input: node.inputs[0]!, output: node.outputs[0]!, note: 'the input quantization itself' }, { shape: x.shape, scale: 1, zeroPoint: 0, elementType: out.elementType });
      return;
    }
    emitQuantize(node, ctx, node.inputs[0]!, out, node.fusedRelu === true);
  },
};
