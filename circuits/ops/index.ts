/** The registry of supported ONNX ops: the default domain's by op type, contrib ops by domain. */
import { Add } from './Add.ts';
import { Cast } from './Cast.ts';
import { ConstantOfShape } from './ConstantOfShape.ts';
import { DequantizeLinear } from './DequantizeLinear.ts';
import { DynamicQuantizeLinear } from './DynamicQuantizeLinear.ts';
import { QLinearAdd } from './QLinearAdd.ts';
import { ConvInteger, QLinearConv } from './QLinearConv.ts';
import { MatMulInteger, QLinearMatMul } from './QLinearMatMul.ts';
import { QuantizeLinear } from './QuantizeLinear.ts';
import { ArgMax } from './ArgMax.ts';
import { AveragePool } from './AveragePool.ts';
import { BatchNormalization } from './BatchNormalization.ts';
import { Clip } from './Clip.ts';
import { Concat } from './Concat.ts';
import { Constant } from './Constant.ts';
import { Conv } from './Conv.ts';
import { Div } from './Div.ts';
import { Gather } from './Gather.ts';
import { Gemm } from './Gemm.ts';
import { GlobalAveragePool } from './GlobalAveragePool.ts';
import { GlobalMaxPool } from './GlobalMaxPool.ts';
import { LeakyRelu } from './LeakyRelu.ts';
import { MatMul } from './MatMul.ts';
import { MaxPool } from './MaxPool.ts';
import { Mul } from './Mul.ts';
import { Pad } from './Pad.ts';
import { Relu } from './Relu.ts';
import { Sigmoid } from './Sigmoid.ts';
import { Softmax } from './Softmax.ts';
import { Squeeze } from './Squeeze.ts';
import { Sub } from './Sub.ts';
import { Tanh } from './Tanh.ts';
import { Transpose } from './Transpose.ts';
import type { OpSpec } from './types.ts';
import { Unsqueeze } from './Unsqueeze.ts';
import { Flatten, Identity, Reshape } from './views.ts';

export const OPS: Readonly<Record<string, OpSpec>> = {
  Add,
  ArgMax,
  AveragePool,
  BatchNormalization,
  Cast,
  Clip,
  Concat,
  Constant,
  ConstantOfShape,
  Conv,
  ConvInteger,
  DequantizeLinear,
  Div,
  DynamicQuantizeLinear,
  Flatten,
  Gather,
  Gemm,
  GlobalAveragePool,
  GlobalMaxPool,
  Identity,
  LeakyRelu,
  MatMul,
  MatMulInteger,
  MaxPool,
  Mul,
  Pad,
  QLinearConv,
  QLinearMatMul,
  QuantizeLinear,
  Relu,
  Reshape,
  Sigmoid,
  Softmax,
  Squeeze,
  Sub,
  Tanh,
  Transpose,
  Unsqueeze,
};

/** Contrib ops, by domain then op type. */
const DOMAIN_OPS: Readonly<Record<string, Readonly<Record<string, OpSpec>>>> = {
  'com.microsoft': { QLinearAdd },
};

/** The op's spec, or undefined where the compiler does not support it. */
export function findOp(domain: string, opType: string): OpSpec | undefined {
  if (domain === '' || domain === 'ai.onnx') return Object.hasOwn(OPS, opType) ? OPS[opType] : undefined;
  const ops = DOMAIN_OPS[domain];
  return ops && Object.hasOwn(ops, opType) ? ops[opType] : undefined;
}

/** Every supported op, contrib ops as domain:op. */
export function opNames(): string[] {
  return [...Object.keys(OPS), ...Object.entries(DOMAIN_OPS).flatMap(([domain, ops]) => Object.keys(ops).map((op) => `${domain}:${op}`))];
}

export type { LowerContext, OpSpec, QuantizedConstant, ShapeContext } from './types.ts';
