/** Shapes, strides and numpy-style broadcasting, shared by the float and integer sides. */
import { sizeOf } from '../core/input.ts';

export { sizeOf };

/** A float tensor for calibration and constant folding. */
export interface FloatTensor {
  shape: number[];
  data: Float64Array;
  /** The ONNX data type name where the op knows it (Constant, Cast, QuantizeLinear): integer-typed constants keep it. */
  elementType?: string;
}

export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = strides[i + 1]! * shape[i + 1]!;
  return strides;
}

/** The broadcast shape of two shapes (ONNX multidirectional broadcasting), or undefined if they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out.push(Math.max(da, db));
  }
  return out;
}

/** For each flat index of `outShape`, the flat index of the element of `inShape` broadcast to it. */
export function broadcastIndex(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const size = sizeOf(outShape);
  const map = new Int32Array(size);
  const rank = outShape.length;
  const inStrides = stridesOf(inShape);
  const outStrides = stridesOf(outShape);
  for (let flat = 0; flat < size; flat++) {
    let rest = flat;
    let src = 0;
    for (let d = 0; d < rank; d++) {
      const coord = Math.floor(rest / outStrides[d]!);
      rest -= coord * outStrides[d]!;
      const inDim = d - (rank - inShape.length);
      if (inDim >= 0 && inShape[inDim] !== 1) src += coord * inStrides[inDim]!;
    }
    map[flat] = src;
  }
  return map;
}

/** Elementwise binary op with broadcasting. */
export function broadcastBinary(a: FloatTensor, b: FloatTensor, f: (x: number, y: number) => number): FloatTensor | undefined {
  const shape = broadcastShapes(a.shape, b.shape);
  if (!shape) return undefined;
  const ia = broadcastIndex(a.shape, shape);
  const ib = broadcastIndex(b.shape, shape);
  const data = new Float64Array(ia.length);
  for (let i = 0; i < data.length; i++) data[i] = f(a.data[ia[i]!]!, b.data[ib[i]!]!);
  return { shape, data };
}

/** 2-D matrix product [M,K]·[K,N] on float64 row-major data. */
export function matmul2d(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p]!;
      if (av === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += av * b[p * n + j]!;
    }
  }
  return out;
}

export function transpose2d(data: Float64Array, rows: number, cols: number): Float64Array {
  return Float64Array.from(transposeValues(data, rows, cols));
}

/** A row-major [rows][cols] array of any element type transposed to [cols][rows]. */
export function transposeValues<T>(values: ArrayLike<T>, rows: number, cols: number): T[] {
  const out = new Array<T>(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c]!;
  return out;
}
