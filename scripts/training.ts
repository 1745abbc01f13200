/**
 * What the MNIST trainers share (scripts/train-mnist.ts for MLPs, scripts/train-cnn.ts for CNNs):
 * seeded sampling, the softmax cross-entropy loss, mini-batch Adam, and the calibration file.
 * Everything is deterministic for a given seed, so retraining writes the same bytes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '../circuits/random.ts';
import type { MnistSet } from './mnist-data.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const JSON_DECIMALS = 4;

/** A standard normal sample (Box–Muller), two draws from `rng`. */
export function gaussian(rng: () => number): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** A Fisher–Yates permutation of 0..n-1. */
export function shuffled(n: number, rng: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

/**
 * Softmax cross-entropy of `logits` against `label`: writes ∂loss/∂logits (softmax − one-hot)
 * into `delta` and returns the loss.
 */
export function softmaxCrossEntropy(logits: ArrayLike<number>, label: number, delta: Float64Array): number {
  let max = -Infinity;
  for (let o = 0; o < logits.length; o++) max = Math.max(max, logits[o]!);
  let sum = 0;
  for (let o = 0; o < logits.length; o++) sum += (delta[o] = Math.exp(logits[o]! - max));
  for (let o = 0; o < logits.length; o++) delta[o] = delta[o]! / sum;
  const loss = -Math.log(Math.max(delta[label]!, 1e-12));
  delta[label] = delta[label]! - 1;
  return loss;
}

/** Cosine decay from `base` at epoch 0 towards 0 after the last epoch. */
export function cosineLearningRate(base: number, epoch: number, epochs: number): number {
  return base * 0.5 * (1 + Math.cos((Math.PI * epoch) / epochs));
}

/** Adam over a list of parameter arrays; callers sum per-sample gradients into `grads`, then `step`. */
export class Adam {
  readonly grads: Float64Array[];
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private steps = 0;

  constructor(
    private readonly params: Float64Array[],
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-8,
  ) {
    this.grads = params.map((p) => new Float64Array(p.length));
    this.m = params.map((p) => new Float64Array(p.length));
    this.v = params.map((p) => new Float64Array(p.length));
  }

  zeroGrad(): void {
    for (const g of this.grads) g.fill(0);
  }

  /** One update with the mean gradient: `grads` hold the sum over `batchSize` samples. */
  step(lr: number, batchSize: number): void {
    const { beta1, beta2, eps } = this;
    this.steps++;
    const c1 = 1 - beta1 ** this.steps;
    const c2 = 1 - beta2 ** this.steps;
    this.params.forEach((p, k) => {
      const g = this.grads[k]!;
      const mk = this.m[k]!;
      const vk = this.v[k]!;
      for (let j = 0; j < p.length; j++) {
        const gj = g[j]! / batchSize;
        mk[j] = beta1 * mk[j]! + (1 - beta1) * gj;
        vk[j] = beta2 * vk[j]! + (1 - beta2) * gj * gj;
        p[j] = p[j]! - (lr * (mk[j]! / c1)) / (Math.sqrt(vk[j]! / c2) + eps);
      }
    });
  }
}

/** Rounds every parameter to float32, the precision ONNX stores, so evaluation sees the exported model. */
export function roundToFloat32(params: Float64Array[]): void {
  for (const p of params) for (let j = 0; j < p.length; j++) p[j] = Math.fround(p[j]!);
}

/** A pixel value rounded for small JSON files. */
export const roundForJson = (x: number) => Number(x.toFixed(JSON_DECIMALS));

/**
 * `{"input": [sample, ...]}`: `count` training digits drawn with `seed`, one per line,
 * each nested by `asInput` like the model's input shape.
 */
export function calibrationJson(train: MnistSet, seed: number, count: number, asInput: (x: Float32Array) => unknown): string {
  const picks = shuffled(train.x.length, mulberry32(seed ^ 0x5eed)).slice(0, count);
  const lines = picks.map((n) => '    ' + JSON.stringify(asInput(train.x[n]!)));
  return `{\n  "input": [\n${lines.join(',\n')}\n  ]\n}\n`;
}

/** Writes `file` (creating its folder) and logs its path and size. */
export function writeFile(file: string, content: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  console.log(`  wrote ${path.relative(ROOT, file)} (${fs.statSync(file).size} bytes)`);
}

/** What a trainer's command line asks for: `--all`, `--arch NAME` (repeatable), `--epochs N`, `--seed N`. */
export interface TrainingArgs {
  names: string[];
  options: { epochs?: number; seed?: number };
}

/** Parses a trainer's arguments; no name means all of `all`. `checkName` throws for a name the trainer does not know. */
export function parseTrainingArgs(argv: readonly string[], all: readonly string[], checkName: (name: string) => void): TrainingArgs {
  const names: string[] = [];
  const options: TrainingArgs['options'] = {};
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k];
    const next = () => {
      const v = argv[++k];
      if (v === undefined) throw new RangeError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--all') {
      names.push(...all);
    } else if (arg === '--arch') {
      const name = next();
      checkName(name);
      names.push(name);
    } else if (arg === '--epochs') {
      options.epochs = Number(next());
      if (!Number.isInteger(options.epochs) || options.epochs < 1) throw new RangeError(`--epochs needs a positive integer, got ${argv[k]}`);
    } else if (arg === '--seed') {
      options.seed = Number(next());
    } else {
      throw new RangeError(`Unknown argument ${arg}; use --all, --arch ${all[0]}, --epochs N, --seed N`);
    }
  }
  if (names.length === 0) names.push(...all);
  return { names, options };
}
