/** The registry of supported ONNX ops (default domain), by op type. */
import { Add } from './Add.ts';
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
  Clip,
  Concat,
  Constant,
  Conv,
  Div,
  Flatten,
  Gather,
  Gemm,
  GlobalAveragePool,
  GlobalMaxPool,
  Identity,
  LeakyRelu,
  MatMul,
  MaxPool,
  Mul,
  Pad,
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

export type { LowerContext, OpSpec, ShapeContext } from './types.ts';
