/** The registry of supported ONNX ops (default domain), by op type. */
import { Add } from './Add.ts';
import { ArgMax } from './ArgMax.ts';
import { Constant } from './Constant.ts';
import { Gemm } from './Gemm.ts';
import { MatMul } from './MatMul.ts';
import { Relu } from './Relu.ts';
import type { OpSpec } from './types.ts';
import { Flatten, Identity, Reshape } from './views.ts';

export const OPS: Readonly<Record<string, OpSpec>> = { Add, ArgMax, Constant, Flatten, Gemm, Identity, MatMul, Relu, Reshape };

export type { LowerContext, OpSpec, ShapeContext } from './types.ts';
