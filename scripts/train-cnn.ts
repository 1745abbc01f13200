/**
 * Trains three small MNIST CNNs of the public zkML benchmark in plain TypeScript and exports
 * them as ONNX, as `torch.onnx.export` (opset 13) would: input "input" [1, 1, H, W] float →
 * Conv / Relu / AveragePool 2×2 / Flatten / Gemm (transB=1, weights [out, in]) → "logits" [1, 10].
 *
 *   cnn-lenet-small  28×28 → conv 6@5×5 → relu → avgpool → conv 16@5×5 → relu → avgpool → flatten → dense 10
 *   cnn-lenet        the same, ending in dense 120 → relu → dense 84 → relu → dense 10
 *   cnn-small-14     14×14 (MNIST 2×2-averaged) → conv 5@3×3 → relu → conv 11@3×3 → relu → flatten → dense 80 → relu → dense 10
 *
 * Training: He-initialised weights, softmax cross-entropy, mini-batch Adam with a cosine
 * learning-rate schedule, training digits randomly shifted by up to 2 pixels (1 at 14×14),
 * seeded PRNG — the same weights on every run. Per-epoch loss and accuracy go to stderr.
 * About 7.5 CPU minutes for all three on one core of this 2-core machine.
 *
 *   npx tsx scripts/train-cnn.ts --all                   # the three models
 *   npx tsx scripts/train-cnn.ts --arch cnn-lenet        # one model (repeatable)
 *   options: --epochs N, --seed N
 *
 * Writes, per model, into bench/models/:
 *   <name>.onnx
 *   <name>.calibration.json  `{"input": [sample, ...]}`, 32 training digits nested as [1, 1, H, W]
 *   <name>.json              float accuracy on the 1,000 test digits, parameter count, training settings
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '../circuits/random.ts';
import { loadMnist, type MnistSet, type MnistSize } from './mnist-data.ts';
import {
  Adam,
  ROOT,
  argmax,
  calibrationJson,
  cosineLearningRate,
  parseTrainingArgs,
  roundForJson,
  roundToFloat32,
  shuffled,
  softmaxCrossEntropy,
  writeFile,
} from './training.ts';
import { backward, buildCnn, forward, parameterCount, parameters, workspace, type Cnn, type LayerSpec } from './cnn/network.ts';
import { cnnFromOnnx, cnnToOnnx } from './cnn/onnx.ts';

export interface CnnArch {
  /** Input side: 28 (MNIST) or 14 (2×2-averaged MNIST). */
  side: MnistSize;
  layers: readonly LayerSpec[];
  /** Default epochs: as many as keep all three models within ~15 minutes on 2 busy cores. */
  epochs: number;
  /** Default augmentation shift in pixels (see {@link TrainOptions.shift}). */
  shift: number;
}

const conv = (channels: number, kernel: number): LayerSpec => ({ op: 'conv', channels, kernel });
const dense = (units: number): LayerSpec => ({ op: 'dense', units });
const relu: LayerSpec = { op: 'relu' };
const avgpool: LayerSpec = { op: 'avgpool' };
const flatten: LayerSpec = { op: 'flatten' };
const LENET_FEATURES = [conv(6, 5), relu, avgpool, conv(16, 5), relu, avgpool, flatten];

export const ARCHS = {
  'cnn-lenet-small': { side: 28, layers: [...LENET_FEATURES, dense(10)], epochs: 15, shift: 2 },
  'cnn-lenet': { side: 28, layers: [...LENET_FEATURES, dense(120), relu, dense(84), relu, dense(10)], epochs: 15, shift: 2 },
  'cnn-small-14': { side: 14, layers: [conv(5, 3), relu, conv(11, 3), relu, flatten, dense(80), relu, dense(10)], epochs: 15, shift: 1 },
} satisfies Record<string, CnnArch>;
export type ArchName = keyof typeof ARCHS;
export const ALL_ARCHS = Object.keys(ARCHS) as ArchName[];

const CALIBRATION_SAMPLES = 32;
const EVAL_BATCH = 100;

export interface TrainOptions {
  epochs?: number;
  /** Train on this many training digits (a seeded draw), default all 9,000. */
  samples?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  /**
   * Shift each training digit by a random whole number of pixels in [-shift, shift], per axis
   * and per presentation (default: the architecture's). The test digits are centred like the
   * training ones, but with only 9,000 digits the networks otherwise overfit them.
   */
  shift?: number;
  /** Digits whose accuracy is logged after every epoch. */
  validation?: MnistSet;
  log?: (line: string) => void;
}

type Settings = Required<Pick<TrainOptions, 'epochs' | 'samples' | 'batchSize' | 'learningRate' | 'shift' | 'seed'>>;

/** What a run of `arch` on `train` uses: the options given, else the architecture's and the trainer's defaults. */
function settingsFor(arch: CnnArch, train: MnistSet, options: TrainOptions): Settings {
  return {
    epochs: options.epochs ?? arch.epochs,
    samples: Math.min(options.samples ?? train.x.length, train.x.length),
    batchSize: options.batchSize ?? 32,
    learningRate: options.learningRate ?? 2e-3,
    shift: options.shift ?? arch.shift,
    seed: options.seed ?? 1,
  };
}

function archNamed(name: string): CnnArch {
  if (!(name in ARCHS)) throw new RangeError(`Unknown architecture "${name}"; use one of ${ALL_ARCHS.join(', ')}`);
  return ARCHS[name as ArchName];
}

/** Fraction of `set` that `cnn` classifies correctly. */
export function accuracy(cnn: Cnn, set: MnistSet): number {
  const ws = workspace(cnn, EVAL_BATCH);
  const classes = cnn.layers.at(-1)!.out.c;
  let correct = 0;
  for (let start = 0; start < set.x.length; start += EVAL_BATCH) {
    const logits = forward(cnn, set.x.slice(start, start + EVAL_BATCH), ws);
    for (let s = 0; s * classes < logits.length; s++) {
      if (argmax(logits.subarray(s * classes, (s + 1) * classes)) === set.y[start + s]) correct++;
    }
  }
  return correct / set.x.length;
}

/**
 * Float accuracy of an exported model (ONNX bytes as {@link cnnToOnnx} writes them), run by
 * the TypeScript forward pass on `set`: by default the 1,000 MNIST test digits at the model's input side.
 */
export function floatAccuracy(onnx: Uint8Array, set?: MnistSet): number {
  const cnn = cnnFromOnnx(onnx);
  if (cnn.side !== 28 && cnn.side !== 14) throw new RangeError(`An MNIST model takes 28×28 or 14×14 inputs, got ${cnn.side}×${cnn.side}`);
  return accuracy(cnn, set ?? loadMnist({ size: cnn.side }).test);
}

/** Trains `arch` on `train` with Adam; weights end rounded to float32 (what ONNX stores). */
export function trainCnn(arch: CnnArch, train: MnistSet, options: TrainOptions = {}): Cnn {
  const { epochs, samples, batchSize, learningRate, shift, seed } = settingsFor(arch, train, options);
  const { validation, log } = options;
  const rng = mulberry32(seed);
  const cnn = buildCnn(arch.side, arch.layers, rng);
  const params = parameters(cnn);
  const adam = new Adam(params);
  const ws = workspace(cnn, batchSize);
  const classes = cnn.layers.at(-1)!.out.c;
  const delta = new Float64Array(batchSize * classes);
  const shiftBuffers = Array.from({ length: batchSize }, () => new Float32Array(arch.side * arch.side));
  // The training set is ordered by class: a subset must be drawn, not cut.
  const pool = samples < train.x.length ? shuffled(train.x.length, rng).slice(0, samples) : Array.from({ length: samples }, (_, i) => i);

  for (let epoch = 0; epoch < epochs; epoch++) {
    const t0 = performance.now();
    const lr = cosineLearningRate(learningRate, epoch, epochs);
    const order = shuffled(pool.length, rng).map((k) => pool[k]!);
    let loss = 0;
    let correct = 0;
    for (let start = 0; start < order.length; start += batchSize) {
      const batch = order.slice(start, start + batchSize);
      const inputs = batch.map((n, s) => (shift > 0 ? shifted(train.x[n]!, arch.side, shift, rng, shiftBuffers[s]!) : train.x[n]!));
      const logits = forward(cnn, inputs, ws);
      batch.forEach((n, s) => {
        const row = logits.subarray(s * classes, (s + 1) * classes);
        if (argmax(row) === train.y[n]) correct++;
        loss += softmaxCrossEntropy(row, train.y[n]!, delta.subarray(s * classes, (s + 1) * classes));
      });
      adam.zeroGrad();
      backward(cnn, ws, batch.length, delta, adam.grads);
      adam.step(lr, batch.length);
    }
    const seconds = (performance.now() - t0) / 1000;
    const validated = validation ? `, validation accuracy ${(100 * accuracy(cnn, validation)).toFixed(1)}%` : '';
    log?.(
      `  epoch ${epoch + 1}/${epochs}: loss ${(loss / order.length).toFixed(4)}, train accuracy ${((100 * correct) / order.length).toFixed(1)}%${validated}, lr ${lr.toExponential(2)}, ${seconds.toFixed(1)} s`,
    );
  }
  roundToFloat32(params);
  return cnn;
}

/** `image` (side × side) moved by a random (dx, dy) in [-shift, shift]², zero-filled, written into `out`. */
function shifted(image: Float32Array, side: number, shift: number, rng: () => number, out: Float32Array): Float32Array {
  const dx = Math.floor(rng() * (2 * shift + 1)) - shift;
  const dy = Math.floor(rng() * (2 * shift + 1)) - shift;
  out.fill(0);
  for (let y = Math.max(0, dy); y < Math.min(side, side + dy); y++) {
    const from = (y - dy) * side;
    for (let x = Math.max(0, dx); x < Math.min(side, side + dx); x++) out[y * side + x] = image[from + x - dx]!;
  }
  return out;
}

/** One sample nested as the input shape [1, 1, side, side], rounded for small files. */
function asInput(side: number) {
  return (x: Float32Array) => [[Array.from({ length: side }, (_, r) => Array.from(x.subarray(r * side, (r + 1) * side), roundForJson))]];
}

export interface TrainedModel {
  name: string;
  testAccuracy: number;
  parameters: number;
  trainSeconds: number;
}

/** Trains one architecture and writes its files (see the header). */
export function trainAndExport(name: string, options: TrainOptions = {}): TrainedModel {
  const arch = archNamed(name);
  const { train, test } = loadMnist({ size: arch.side });
  const settings = settingsFor(arch, train, options);
  console.log(`${name}: training on ${settings.samples} digits`);
  const t0 = performance.now();
  const cnn = trainCnn(arch, train, { log: (line) => console.error(line), validation: test, ...options });
  const trainSeconds = (performance.now() - t0) / 1000;

  const onnxBytes = cnnToOnnx(cnn, name);
  // Measured on the file's contents, so the number describes exactly what is written.
  const testAccuracy = floatAccuracy(onnxBytes, test);
  const parameters = parameterCount(cnn);
  console.log(
    `${name}: float test accuracy ${(100 * testAccuracy).toFixed(1)}% on ${test.x.length} digits, ${parameters} parameters, trained in ${trainSeconds.toFixed(1)} s`,
  );
  const benchDir = path.join(ROOT, 'bench', 'models');
  writeFile(path.join(benchDir, `${name}.onnx`), onnxBytes);
  writeFile(path.join(benchDir, `${name}.calibration.json`), calibrationJson(train, settings.seed, CALIBRATION_SAMPLES, asInput(arch.side)));
  const summary = {
    name,
    input: [1, 1, arch.side, arch.side],
    parameters,
    floatTestAccuracy: testAccuracy,
    testDigits: test.x.length,
    training: { ...settings, seconds: Number(trainSeconds.toFixed(1)) },
  };
  // One line for the input shape, as a person would write it.
  const json = JSON.stringify(summary, null, 2).replace(/"input": \[[^\]]*\]/, `"input": [${summary.input.join(", ")}]`);
  writeFile(path.join(benchDir, `${name}.json`), json + '\n');
  return { name, testAccuracy, parameters, trainSeconds };
}

function main(argv: string[]): void {
  const { names, options } = parseTrainingArgs(argv, ALL_ARCHS, archNamed);
  const results = names.map((name) => trainAndExport(name, options));
  console.log('\nsummary');
  for (const r of results) {
    console.log(`  ${r.name.padEnd(16)} ${(100 * r.testAccuracy).toFixed(1)}%  ${String(r.parameters).padStart(6)} parameters  ${r.trainSeconds.toFixed(1)} s`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2));
}
