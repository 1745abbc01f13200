/** The registry of supported ONNX ops (default domain), by op type. */
import { Add } from './Add.ts';
import { ArgMax } from './ArgMax.ts';
import { AveragePool } from './AveragePool.ts';
import { Constant } from './Constant.ts';
import { Conv } from './Conv.ts';
import { Gemm } from './Gemm.ts';
import { GlobalAveragePool } from './GlobalAveragePool.ts';
import { GlobalMaxPool } from './GlobalMaxPool.ts';
import { MatMul } from './MatMul.ts';
import { MaxPool } from './MaxPool.ts';
import { Relu } from './Relu.ts';
import type { OpSpec } from './types.ts';
import { Flatten, Identity, Reshape } from './views.ts';

export const OPS: Readonly<Record<string, OpSpec>> = {
  Add,
  ArgMax,
  AveragePool,
  Constant,
  Conv,
  Flatten,
  Gemm,
  GlobalAveragePool,
  GlobalMaxPool,
  Identity,
  MatMul,
  MaxPool,
  Relu,
  Reshape,
};

export type { LowerContext, OpSpec, ShapeContext } from './types.ts';
