/** The float reference: onnxruntime-node on the original ONNX file. */
import * as ort from 'onnxruntime-node';

export async function runOnnxruntime(modelPath: string, inputs: Record<string, { data: number[]; shape: number[] }>): Promise<Map<string, number[]>> {
  const session = await ort.InferenceSession.create(modelPath);
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(inputs)) feeds[name] = new ort.Tensor('float32', Float32Array.from(t.data), t.shape);
  const out = await session.run(feeds);
  await session.release();
  return new Map(Object.entries(out).map(([k, v]) => [k, Array.from(v.data as Float32Array)]));
}
