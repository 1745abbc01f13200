/**
 * Small dense matrix products for the CNN trainer, C (+)= A·B on Float64Arrays.
 *
 * Why register blocking: V8 does not vectorize, and a plain `c[j] += a * b[j]` loop spends
 * three memory accesses per multiply-add. Accumulating a 4×4 block of C in local variables
 * needs 8 loads per 16 multiply-adds, about 3× faster on the trainer's shapes.
 */

/** A matrix view: element (row, col) is `data[row * rowStride + col * colStride]`, so a transpose is free. */
export interface Operand {
  data: Float64Array;
  rowStride: number;
  colStride: number;
}

/** A row-major `rows × cols` matrix, or with `transposed` its transpose, as an {@link Operand}. */
export function matrix(data: Float64Array, cols: number, transposed = false): Operand {
  return transposed ? { data, rowStride: 1, colStride: cols } : { data, rowStride: cols, colStride: 1 };
}

/**
 * C = A·B, or C += A·B with `accumulate`: A is m×k, B is k×n, C row-major m×n with rows `ldc` apart.
 */
export function gemm(m: number, n: number, k: number, A: Operand, B: Operand, c: Float64Array, ldc: number, accumulate: boolean): void {
  const { data: a, rowStride: am, colStride: ak } = A;
  const { data: b, rowStride: bk, colStride: bn } = B;
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let i = 0; i < m4; i += 4) {
    const a0 = i * am;
    const a1 = a0 + am;
    const a2 = a1 + am;
    const a3 = a2 + am;
    for (let j = 0; j < n4; j += 4) {
      const b0 = j * bn;
      const b1 = b0 + bn;
      const b2 = b1 + bn;
      const b3 = b2 + bn;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let p = 0; p < k; p++) {
        const pa = p * ak;
        const pb = p * bk;
        const x0 = a[a0 + pa]!, x1 = a[a1 + pa]!, x2 = a[a2 + pa]!, x3 = a[a3 + pa]!;
        const y0 = b[b0 + pb]!, y1 = b[b1 + pb]!, y2 = b[b2 + pb]!, y3 = b[b3 + pb]!;
        c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
        c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
        c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
        c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
      }
      const o = i * ldc + j;
      store4(c, o, accumulate, c00, c01, c02, c03);
      store4(c, o + ldc, accumulate, c10, c11, c12, c13);
      store4(c, o + 2 * ldc, accumulate, c20, c21, c22, c23);
      store4(c, o + 3 * ldc, accumulate, c30, c31, c32, c33);
    }
  }
  // Leftover rows (below m4), four columns at a time.
  for (let i = m4; i < m; i++) {
    const ai = i * am;
    for (let j = 0; j < n4; j += 4) {
      const b0 = j * bn;
      const b1 = b0 + bn;
      const b2 = b1 + bn;
      const b3 = b2 + bn;
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let p = 0; p < k; p++) {
        const x = a[ai + p * ak]!;
        const pb = p * bk;
        c0 += x * b[b0 + pb]!; c1 += x * b[b1 + pb]!; c2 += x * b[b2 + pb]!; c3 += x * b[b3 + pb]!;
      }
      store4(c, i * ldc + j, accumulate, c0, c1, c2, c3);
    }
  }
  // Leftover columns (right of n4), four rows at a time, then the corner one by one.
  for (let j = n4; j < n; j++) {
    const bj = j * bn;
    for (let i = 0; i < m4; i += 4) {
      const a0 = i * am;
      const a1 = a0 + am;
      const a2 = a1 + am;
      const a3 = a2 + am;
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let p = 0; p < k; p++) {
        const y = b[bj + p * bk]!;
        const pa = p * ak;
        c0 += a[a0 + pa]! * y; c1 += a[a1 + pa]! * y; c2 += a[a2 + pa]! * y; c3 += a[a3 + pa]! * y;
      }
      const o = i * ldc + j;
      store1(c, o, accumulate, c0);
      store1(c, o + ldc, accumulate, c1);
      store1(c, o + 2 * ldc, accumulate, c2);
      store1(c, o + 3 * ldc, accumulate, c3);
    }
    for (let i = m4; i < m; i++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * am + p * ak]! * b[bj + p * bk]!;
      store1(c, i * ldc + j, accumulate, s);
    }
  }
}

function store4(c: Float64Array, o: number, accumulate: boolean, v0: number, v1: number, v2: number, v3: number): void {
  if (accumulate) {
    c[o] += v0;
    c[o + 1] += v1;
    c[o + 2] += v2;
    c[o + 3] += v3;
  } else {
    c[o] = v0;
    c[o + 1] = v1;
    c[o + 2] = v2;
    c[o + 3] = v3;
  }
}

function store1(c: Float64Array, o: number, accumulate: boolean, v: number): void {
  c[o] = accumulate ? c[o]! + v : v;
}
