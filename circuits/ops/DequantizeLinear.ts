/**
 * DequantizeLinear: y = (x − x_zero_point) · x_scale, per tensor or per axis. The integers do
 * not change, only what they mean: a view under the scale and zero point (per axis where the
 * scale is), no constraint. Of a constant (QDQ weights and biases) it folds to floats, and
 * normalize keeps the model's integers, scales and zero points (dequantizedConstant) for the
 * product lowerings.
 */
import { UnsupportedError } from '../../core/errors.ts';
import { describeNode, type ConstTensor, type GraphNode } from '../graph.ts';
import { isIntegerType } from '../ir/types.ts';
import { mapPerAxis, quantAxis, quantParams, type QuantParams } from './qlinear.ts';
import { floatContext, intAttr, type OpSpec, type QuantizedConstant, type ShapeContext } from './types.ts';

function inputParams(node: GraphNode, ctx: ShapeContext, shape: readonly number[], inputType: string | undefined): QuantParams & { axis: number } {
  const blockSize = intAttr(node, DequantizeLinear, 'block_size');
  if (blockSize !== 0) {
    throw new UnsupportedError(`attribute "block_size" = ${blockSize} (blocked quantization) is not supported`, { context: [describeNode(node)] });
  }
  const outputDtype = intAttr(node, DequantizeLinear, 'output_dtype');
  if (outputDtype !== 0) throw new UnsupportedError(`attribute "output_dtype" = ${outputDtype} is not supported`, { context: [describeNode(node)] });
  const defaultType = isIntegerType(inputType) ? inputType : 'UINT8';
  const p = quantParams(node, ctx, 1, 2, defaultType);
  if (inputType !== undefined && inputType !== p.elementType) {
    throw new UnsupportedError(`DequantizeLinear input x has type ${inputType} but its zero point ${p.elementType}`, { context: [describeNode(node)] });
  }
  return { ...p, axis: quantAxis(node, intAttr(node, DequantizeLinear, 'axis'), shape, p.scales.length) };
}

const constantContext = (constants: ReadonlyMap<string, ConstTensor>): ShapeContext => ({
  shape: (v) => constants.get(v)!.shape,
  constant: (v) => constants.get(v),
});

/** The model's own integers, scales and zero points behind a DequantizeLinear of integer constants, or undefined. */
export function dequantizedConstant(node: GraphNode, constants: ReadonlyMap<string, ConstTensor>): QuantizedConstant | undefined {
  const values = constants.get(node.inputs[0]!);
  if (!values || !isIntegerType(values.elementType)) return undefined;
  const p = inputParams(node, constantContext(constants), values.shape, values.elementType);
  return { values, scales: p.scales, zeroPoints: p.zeroPoints, axis: p.axis, scaleType: p.scaleType };
}

export const DequantizeLinear: OpSpec = {
  opType: 'DequantizeLinear',
  inputs: [2, 3],
  constantInputs: [1, 2],
  attributes: { axis: 1, block_size: 0, output_dtype: 0 },
  integerInputs: 'consume',

  inferShapes(node, ctx) {
    const x = ctx.constant(node.inputs[0]!);
    inputParams(node, ctx, ctx.shape(node.inputs[0]!), x?.elementType);
    return [ctx.shape(node.inputs[0]!)];
  },

  evaluateFloat(node, inputs) {
    const x = inputs[0]!;
    const p = inputParams(node, floatContext(node, inputs), x.shape, x.elementType);
    const data = mapPerAxis(x, p.axis, p.scales.length, (v, c) => (v - p.zeroPoints[c]!) * p.scales[c]!);
    return [{ shape: x.shape, data, elementType: p.scaleType }];
  },

  lower(node, ctx) {
    const x = ctx.tensor(node.inputs[0]!);
    if (!x.elementType) {
      throw new UnsupportedError(`DequantizeLinear reads "${node.inputs[0]}", which is not an integer tensor`, { context: [describeNode(node)] });
    }
    const p = inputParams(node, ctx, x.shape, x.elementType);
    const perAxis = p.scales.length > 1 ? { perAxis: { axis: p.axis, scales: p.scales, zeroPoints: p.zeroPoints } } : {};
    ctx.emit({ kind: 'view', node: node.name, op: node.opType, input: node.inputs[0]!, output: node.outputs[0]! }, { shape: x.shape, scale: p.scales[0]!, zeroPoint: p.zeroPoints[0]!, ...perAxis });
  },
};
