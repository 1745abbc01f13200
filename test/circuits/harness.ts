/**
 * Shared helpers of the compiler suites (test/circuits): a seeded PRNG, fixture
 * models written with the ONNX writer into temp dirs, calibration files,
 * onnxruntime as the float reference, and the circuit-vs-evaluator check.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { compileModel } from '../../circuits/compile.ts';
import { ZkInferError } from '../../core/errors.ts';
import { nestArray } from '../../core/input.ts';
import { writeOnnxModel, type OnnxModelSpec } from '../../scripts/onnx-writer.ts';

export { mulberry32 } from '../../circuits/random.ts';

/** `n` values uniform in [lo, hi), rounded to float32 (what the ONNX file and onnxruntime hold). */
export function uniform(rng: () => number, n: number, lo = -1, hi = 1): number[] {
  return Array.from(Float32Array.from({ length: n }, () => lo + (hi - lo) * rng()));
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export { nestArray as nest };

/** Temp directories under os.tmpdir(), removed together. */
export class TempDirs {
  private readonly dirs: string[] = [];

  async make(prefix: string): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), `zkinfer-${prefix}-`));
    this.dirs.push(dir);
    return dir;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  }
}

export async function writeModel(dir: string, spec: OnnxModelSpec, file = 'model.onnx'): Promise<string> {
  const p = path.join(dir, file);
  await writeFile(p, writeOnnxModel(spec));
  return p;
}

/** Compiles `spec` in `dir`, which must fail with a ZkInferError (returned) and write no output. */
export async function compileError(dir: string, spec: OnnxModelSpec): Promise<ZkInferError> {
  const out = path.join(dir, 'out');
  const err: unknown = await compileModel(await writeModel(dir, spec), out).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ZkInferError)) expect.fail(`expected a ZkInferError, got ${String(err)}`);
  expect(existsSync(out)).toBe(false);
  return err;
}

/** A graph input with the float range its calibration covers. */
export interface RangedInput {
  name: string;
  shape: number[];
  lo: number;
  hi: number;
}

/** One model input assignment: flat float values by input name. */
export type Sample = Record<string, number[]>;

/**
 * `count` uniform samples; the first two are all-`lo` and all-`hi` so the calibrated
 * range of every input is exactly [lo, hi] (two inputs with the same range get the same scale).
 */
export function calibrationSamples(rng: () => number, inputs: readonly RangedInput[], count: number): Sample[] {
  return Array.from({ length: count }, (_, i) =>
    Object.fromEntries(
      inputs.map((input) => {
        const n = sizeOf(input.shape);
        const values = i === 0 ? new Array<number>(n).fill(input.lo) : i === 1 ? new Array<number>(n).fill(input.hi) : uniform(rng, n, input.lo, input.hi);
        return [input.name, values];
      }),
    ),
  );
}

/** Input JSON of a sample: `{"<name>": nested array}`. */
export function inputJson(sample: Sample, inputs: readonly RangedInput[]): Record<string, unknown> {
  return Object.fromEntries(inputs.map((i) => [i.name, nestArray(sample[i.name]!, i.shape)]));
}

/** Writes a calibration file in the `[{"<input name>": sample}, …]` form; returns its path. */
export async function writeCalibration(dir: string, samples: readonly Sample[], inputs: readonly RangedInput[]): Promise<string> {
  const file = path.join(dir, 'calibration.json');
  await writeFile(file, JSON.stringify(samples.map((s) => inputJson(s, inputs))));
  return file;
}

/** onnxruntime-node on an ONNX file: one session, many samples. */
export class OrtModel {
  private constructor(private readonly session: ort.InferenceSession, private readonly inputs: readonly RangedInput[]) {}

  static async load(modelPath: string, inputs: readonly RangedInput[]): Promise<OrtModel> {
    return new OrtModel(await ort.InferenceSession.create(modelPath), inputs);
  }

  async run(sample: Sample): Promise<Map<string, number[]>> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const i of this.inputs) feeds[i.name] = new ort.Tensor('float32', Float32Array.from(sample[i.name]!), i.shape);
    const out = await this.session.run(feeds);
    return new Map(Object.entries(out).map(([k, v]) => [k, Array.from(v.data as Float32Array)]));
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/**
 * Worst-case float error of a product with constant weights when the input is quantized
 * with scale `sx` (|x| ≤ maxX) and the weights `w` (alpha already applied) symmetrically
 * to `bits`: per term |w|·sx/2 + (|x| + sx/2)·sw/2, summed over the `inner` terms, plus
 * half an accumulator LSB for the rounded bias.
 */
export function productErrorBound(w: readonly number[], inner: number, sx: number, maxX: number, bits = 8): number {
  const maxW = Math.max(...w.map(Math.abs));
  const sw = maxW / (2 ** (bits - 1) - 1);
  return inner * (maxW * (sx / 2) + (maxX + sx / 2) * (sw / 2)) + (sx * sw) / 2;
}
