/** The float reference: onnxruntime-node on the original ONNX file. */
import * as ort from 'onnxruntime-node';

/** The numeric tensor types a test feeds; float32 unless a model's input says otherwise. */
export type OrtNumericType = 'float32' | 'float64' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bool';

/** Each type's typed array, as ort.Tensor takes it. */
const TYPED_ARRAYS: Record<OrtNumericType, (data: readonly number[]) => ort.Tensor.DataType> = {
  float32: (d) => Float32Array.from(d),
  float64: (d) => Float64Array.from(d),
  int8: (d) => Int8Array.from(d),
  uint8: (d) => Uint8Array.from(d),
  bool: (d) => Uint8Array.from(d),
  int16: (d) => Int16Array.from(d),
  uint16: (d) => Uint16Array.from(d),
  int32: (d) => Int32Array.from(d),
  uint32: (d) => Uint32Array.from(d),
  int64: (d) => BigInt64Array.from(d, BigInt),
  uint64: (d) => BigUint64Array.from(d, BigInt),
};

/**
 * Runs the model; every output comes back as numbers (64-bit integers converted with Number).
 * `optimize: false` runs the graph as written: onnxruntime's default optimizations fuse QDQ
 * patterns into its own integer kernels, whose results differ from the ONNX semantics of the
 * graph (x86 without VNNI saturates u8·s8 products in pairs).
 */
export async function runOnnxruntime(
  modelPath: string,
  inputs: Record<string, { data: number[]; shape: number[]; type?: OrtNumericType }>,
  options: { optimize?: boolean } = {},
): Promise<Map<string, number[]>> {
  const session = await ort.InferenceSession.create(modelPath, options.optimize === false ? { graphOptimizationLevel: 'disabled' } : {});
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(inputs)) {
    const type = t.type ?? 'float32';
    feeds[name] = new ort.Tensor(type, TYPED_ARRAYS[type](t.data), t.shape);
  }
  const out = await session.run(feeds);
  await session.release();
  return new Map(Object.entries(out).map(([k, v]) => [k, Array.from(v.data as ArrayLike<number | bigint>, Number)]));
}
