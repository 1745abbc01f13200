/**
 * Trains small MNIST MLPs in plain TypeScript and exports them as ONNX, as PyTorch would:
 * input "input" [1, N] float → Gemm (transB=1, weights [out, in]) → Relu → … → Gemm → "logits" [1, 10].
 *
 * Training: He-initialised dense layers, ReLU, softmax cross-entropy, mini-batch Adam with a
 * cosine learning-rate schedule, seeded PRNG — the same files on every run.
 *
 *   npx tsx scripts/train-mnist.ts --all                # the three models below
 *   npx tsx scripts/train-mnist.ts --arch 196-25-10     # one model (repeatable)
 *   options: --epochs N, --seed N
 *
 * Writes
 *   784-56-10 (demo): examples/mnist-mlp/{model.onnx, calibration.json, digits.json}
 *   every model:      bench/models/mlp-<arch>.onnx and mlp-<arch>.calibration.json
 *                     (bench/models/mlp-784-56-10.onnx is a byte-identical copy of the demo model)
 *
 * calibration.json: `{"input": [sample, ...]}`, 64 training digits, each sample nested like
 * the input shape [1, N]. digits.json: `[{"label": 3, "input": {"input": [[...]]}}, ...]`,
 * one test digit per class (the first one of its class that the float model gets right).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeOnnxModel, type NodeSpec, type TensorSpec } from './onnx-writer.ts';
import { loadMnist, mnistSizeForFeatures, type MnistSet } from './mnist-data.ts';
import { mulberry32 } from '../circuits/random.ts';
import {
  Adam,
  ROOT,
  argmax,
  calibrationJson,
  cosineLearningRate,
  gaussian,
  parseTrainingArgs,
  roundForJson,
  roundToFloat32,
  shuffled,
  softmaxCrossEntropy,
  writeFile,
} from './training.ts';

export const DEMO_ARCH = '784-56-10';
export const ALL_ARCHS = ['784-56-10', '196-25-10', '196-24-14-10'] as const;
const CALIBRATION_SAMPLES = 64;

/** A dense layer, `y = W·x + b`, W row-major [out, in] (PyTorch's Linear layout). */
export interface Dense {
  inSize: number;
  outSize: number;
  w: Float64Array;
  b: Float64Array;
}

/** Layer sizes, e.g. [784, 56, 10]; ReLU between layers, none after the last. */
export interface Mlp {
  sizes: number[];
  layers: Dense[];
}

export function parseArch(arch: string): number[] {
  const sizes = arch.split('-').map(Number);
  if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s <= 0)) {
    throw new RangeError(`Architecture must look like 784-56-10, got "${arch}"`);
  }
  return sizes;
}

export function initMlp(sizes: number[], rng: () => number): Mlp {
  const layers: Dense[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const inSize = sizes[l]!;
    const outSize = sizes[l + 1]!;
    const std = Math.sqrt(2 / inSize);
    const w = new Float64Array(outSize * inSize);
    for (let k = 0; k < w.length; k++) w[k] = gaussian(rng) * std;
    layers.push({ inSize, outSize, w, b: new Float64Array(outSize) });
  }
  return { sizes, layers };
}

/** Activations of every layer: [input, hidden (after ReLU)..., logits]. */
function forwardAll(mlp: Mlp, x: ArrayLike<number>): Float64Array[] {
  const acts: Float64Array[] = [Float64Array.from(x)];
  mlp.layers.forEach((layer, l) => {
    const a = acts[l]!;
    const nz: number[] = [];
    for (let i = 0; i < a.length; i++) if (a[i] !== 0) nz.push(i);
    const z = new Float64Array(layer.outSize);
    for (let o = 0; o < layer.outSize; o++) {
      let s = layer.b[o]!;
      const row = o * layer.inSize;
      for (const i of nz) s += layer.w[row + i]! * a[i]!;
      z[o] = l + 1 < mlp.layers.length && s < 0 ? 0 : s;
    }
    acts.push(z);
  });
  return acts;
}

/** The logits for one sample. */
export function predict(mlp: Mlp, x: ArrayLike<number>): Float64Array {
  return forwardAll(mlp, x).at(-1)!;
}

/** Fraction of `set` classified correctly. */
export function accuracy(mlp: Mlp, set: MnistSet): number {
  let correct = 0;
  set.x.forEach((x, i) => {
    if (argmax(predict(mlp, x)) === set.y[i]) correct++;
  });
  return correct / set.x.length;
}

export interface TrainOptions {
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  log?: (line: string) => void;
}

/** Trains an MLP of `sizes` on `train` with Adam; weights end rounded to float32 (what ONNX stores). */
export function trainMlp(sizes: number[], train: MnistSet, options: TrainOptions = {}): Mlp {
  const { epochs = 15, batchSize = 32, learningRate = 2e-3, seed = 1, log } = options;
  const rng = mulberry32(seed);
  const mlp = initMlp(sizes, rng);
  const params = mlp.layers.flatMap((l) => [l.w, l.b]);
  const adam = new Adam(params);

  for (let epoch = 0; epoch < epochs; epoch++) {
    const lr = cosineLearningRate(learningRate, epoch, epochs);
    const order = shuffled(train.x.length, rng);
    let loss = 0;
    for (let start = 0; start < order.length; start += batchSize) {
      const batch = order.slice(start, start + batchSize);
      adam.zeroGrad();
      for (const n of batch) loss += backprop(mlp, train.x[n]!, train.y[n]!, adam.grads);
      adam.step(lr, batch.length);
    }
    log?.(`  epoch ${epoch + 1}/${epochs}: loss ${(loss / order.length).toFixed(4)}, lr ${lr.toExponential(2)}`);
  }
  roundToFloat32(params);
  return mlp;
}

/** Adds one sample's softmax cross-entropy gradients to `grads` ([w0, b0, w1, b1, ...]); returns its loss. */
function backprop(mlp: Mlp, x: Float32Array, label: number, grads: Float64Array[]): number {
  const acts = forwardAll(mlp, x);
  const logits = acts.at(-1)!;
  const delta = new Float64Array(logits.length);
  const loss = softmaxCrossEntropy(logits, label, delta);

  let d = delta;
  for (let l = mlp.layers.length - 1; l >= 0; l--) {
    const layer = mlp.layers[l]!;
    const a = acts[l]!;
    const gw = grads[2 * l]!;
    const gb = grads[2 * l + 1]!;
    const nz: number[] = [];
    for (let i = 0; i < a.length; i++) if (a[i] !== 0) nz.push(i);
    // Below a hidden layer, ReLU' is 0 exactly where its activation is 0: only nz inputs carry gradient.
    const dPrev = new Float64Array(layer.inSize);
    for (let o = 0; o < layer.outSize; o++) {
      const dO = d[o]!;
      if (dO === 0) continue;
      gb[o] = gb[o]! + dO;
      const row = o * layer.inSize;
      for (const i of nz) {
        gw[row + i] = gw[row + i]! + dO * a[i]!;
        if (l > 0) dPrev[i] = dPrev[i]! + layer.w[row + i]! * dO;
      }
    }
    d = dPrev;
  }
  return loss;
}

/** The MLP as ONNX bytes, laid out like `torch.onnx.export` of nn.Sequential(Linear, ReLU, ..., Linear). */
export function mlpToOnnx(mlp: Mlp): Uint8Array {
  const initializers: TensorSpec[] = [];
  const nodes: NodeSpec[] = [];
  let value = 'input';
  mlp.layers.forEach((layer, l) => {
    const fc = `fc${l + 1}`;
    const last = l + 1 === mlp.layers.length;
    initializers.push(
      { name: `${fc}.weight`, dims: [layer.outSize, layer.inSize], data: Float32Array.from(layer.w) },
      { name: `${fc}.bias`, dims: [layer.outSize], data: Float32Array.from(layer.b) },
    );
    const gemmOut = last ? 'logits' : `/${fc}/Gemm_output_0`;
    nodes.push({
      opType: 'Gemm',
      name: `/${fc}/Gemm`,
      inputs: [value, `${fc}.weight`, `${fc}.bias`],
      outputs: [gemmOut],
      attributes: { alpha: { float: 1 }, beta: { float: 1 }, transB: { int: 1 } },
    });
    value = gemmOut;
    if (!last) {
      const reluOut = `/relu${l + 1}/Relu_output_0`;
      nodes.push({ opType: 'Relu', name: `/relu${l + 1}/Relu`, inputs: [value], outputs: [reluOut] });
      value = reluOut;
    }
  });
  return writeOnnxModel({
    name: `mlp-${mlp.sizes.join('-')}`,
    inputs: [{ name: 'input', shape: [1, mlp.sizes[0]!] }],
    outputs: [{ name: 'logits', shape: [1, mlp.sizes.at(-1)!] }],
    initializers,
    nodes,
  });
}

/** One sample nested as the input shape [1, N], rounded for small files. */
const asInput = (x: Float32Array) => [Array.from(x, roundForJson)];

function digitsJson(mlp: Mlp, test: MnistSet): string {
  const lines: string[] = [];
  for (let label = 0; label < 10; label++) {
    let n = test.y.findIndex((y, i) => y === label && argmax(predict(mlp, test.x[i]!)) === label);
    if (n < 0) n = test.y.indexOf(label);
    lines.push('  ' + JSON.stringify({ label, input: { input: asInput(test.x[n]!) } }));
  }
  return `[\n${lines.join(',\n')}\n]\n`;
}

export interface TrainedModel {
  arch: string;
  testAccuracy: number;
  trainSeconds: number;
}

/** Trains one architecture and writes its files (see the header). */
export function trainAndExport(arch: string, options: TrainOptions = {}): TrainedModel {
  const sizes = parseArch(arch);
  const seed = options.seed ?? 1;
  const { train, test } = loadMnist({ size: mnistSizeForFeatures(sizes[0]!) });
  console.log(`${arch}: training on ${train.x.length} digits`);
  const t0 = performance.now();
  const mlp = trainMlp(sizes, train, { log: console.log, ...options, seed });
  const trainSeconds = (performance.now() - t0) / 1000;
  const testAccuracy = accuracy(mlp, test);
  console.log(`${arch}: float test accuracy ${(100 * testAccuracy).toFixed(1)}% on ${test.x.length} digits, trained in ${trainSeconds.toFixed(1)} s`);

  const onnxBytes = mlpToOnnx(mlp);
  const calibration = calibrationJson(train, seed, CALIBRATION_SAMPLES, asInput);
  if (arch === DEMO_ARCH) {
    const dir = path.join(ROOT, 'examples', 'mnist-mlp');
    writeFile(path.join(dir, 'model.onnx'), onnxBytes);
    writeFile(path.join(dir, 'calibration.json'), calibration);
    writeFile(path.join(dir, 'digits.json'), digitsJson(mlp, test));
  }
  const benchDir = path.join(ROOT, 'bench', 'models');
  writeFile(path.join(benchDir, `mlp-${arch}.onnx`), onnxBytes);
  writeFile(path.join(benchDir, `mlp-${arch}.calibration.json`), calibration);
  return { arch, testAccuracy, trainSeconds };
}

function main(argv: string[]): void {
  const { names: archs, options } = parseTrainingArgs(argv, ALL_ARCHS, parseArch);
  const results = archs.map((arch) => trainAndExport(arch, options));
  console.log('\nsummary');
  for (const r of results) {
    console.log(`  ${r.arch.padEnd(14)} ${(100 * r.testAccuracy).toFixed(1)}%  ${r.trainSeconds.toFixed(1)} s`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2));
}
