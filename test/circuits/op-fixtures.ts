/**
 * The op fixture harness (test/circuits/ops*.test.ts): a small builder for fixture models
 * with a stated error bound per output, and the three checks every fixture gets, through
 * the real pipeline (compile with a calibration file, circom, witness):
 * (a) the reference evaluator's dequantized outputs are within the output's stated bound of
 *     onnxruntime's float outputs, on the calibration samples (so no activation leaves its
 *     calibrated range; fresh samples may, and are then clamped by design);
 * (b) the circuit's outputs (read from circom's witness) equal the evaluator's exactly, for
 *     20 fresh in-range inputs and 4 inputs outside the calibrated range (clamped);
 * (c) circom's constraint count equals the compiler's prediction.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../core/manifest.ts';
import type { AttributeValue, NodeSpec, OnnxModelSpec, TensorSpec } from '../../scripts/onnx-writer.ts';
import { predictWith } from '../../circuits/predict.ts';
import { loadCompiled } from '../../circuits/ir/serialize.ts';
import type { IrModel } from '../../circuits/ir/types.ts';
import { build, type BuildResult } from '../../circuits/build.ts';
import { computeWitness } from '../../prover/witness.ts';
import { fastPathCopy, fastPathProblems } from '../support/equivalence.ts';
import { calibrationSamples, inputJson, mulberry32, OrtModel, sizeOf, TempDirs, uniform, writeCalibration, writeModel, type RangedInput, type Sample } from './harness.ts';

export interface Scales {
  input(name: string): number;
  output(name: string): number;
}

export interface OutputCheck {
  name: string;
  shape: number[];
  /** Op family, for the error report. */
  family: string;
  /** Largest allowed |evaluator − onnxruntime| for any element. */
  bound: (s: Scales) => number;
}

export interface Fixture {
  name: string;
  inputs: RangedInput[];
  outputs: OutputCheck[];
  initializers: TensorSpec[];
  nodes: NodeSpec[];
  /** The default domain's opset (default: the writer's); older ops' attribute forms need an older one. */
  opset?: number;
}

const CALIBRATION_SAMPLES = 48;
const FRESH_INPUTS = 20;
const OUT_OF_RANGE_INPUTS = 4;
/** Relative error of a 12-bit fixed-point rescale between two scales (Add of different scales). */
export const RESCALE = 2 ** -12;


/** Small builder: named random initializers and nodes, outputs with their bounds. */
export class ModelBuilder {
  readonly initializers: TensorSpec[] = [];
  readonly nodes: NodeSpec[] = [];
  readonly outputs: OutputCheck[] = [];
  private readonly rng: () => number;

  constructor(seed: number) {
    this.rng = mulberry32(seed);
  }

  /** A float32 initializer of random values in [−1, 1); returns its values. */
  weight(name: string, dims: number[]): number[] {
    const data = uniform(this.rng, sizeOf(dims));
    this.initializers.push({ name, dims, data });
    return data;
  }

  ints(name: string, data: number[]): void {
    this.initializers.push({ name, dims: [data.length], elemType: 'INT64', data });
  }

  random(n: number): number[] {
    return uniform(this.rng, n);
  }

  node(opType: string, inputs: string[], output: string, attributes?: Record<string, AttributeValue>): string {
    this.nodes.push({ opType, name: `${opType}_${output}`, inputs, outputs: [output], ...(attributes ? { attributes } : {}) });
    return output;
  }

  output(name: string, shape: number[], family: string, bound: (s: Scales) => number): void {
    this.outputs.push({ name, shape, family, bound });
  }

  fixture(name: string, inputs: RangedInput[]): Fixture {
    return { name, inputs, outputs: this.outputs, initializers: this.initializers, nodes: this.nodes };
  }
}

export const maxAbs = (input: RangedInput): number => Math.max(Math.abs(input.lo), Math.abs(input.hi));
function modelSpec(f: Fixture): OnnxModelSpec {
  return {
    name: f.name,
    inputs: f.inputs.map((i) => ({ name: i.name, shape: i.shape })),
    outputs: f.outputs.map((o) => ({ name: o.name, shape: o.shape })),
    initializers: f.initializers,
    nodes: f.nodes,
    opset: f.opset,
  };
}

/** Runs checks (a), (b) and (c) on every fixture: one describe block each. */
export function checkFixtures(fixtures: readonly Fixture[]): void {
  const dirs = new TempDirs();
  /** Measured max |evaluator − onnxruntime| per op family: absolute, and as a fraction of the bound. */
  const measured = new Map<string, { abs: number; ofBound: number }>();

  afterAll(async () => {
    await dirs.cleanup();
    const rows = [...measured].map(([family, m]) => `  ${family.padEnd(18)} max |error| ${m.abs.toExponential(3)}  (${(100 * m.ofBound).toFixed(1)}% of its bound)`);
    console.log(`evaluator vs onnxruntime, per op family:\n${rows.join('\n')}`);
  });

  for (const [index, fixture] of fixtures.entries()) {
    describe(fixture.name, () => {
      let dir: string;
      let modelPath: string;
      let built: BuildResult;
      let manifest: Manifest;
      let ir: IrModel;
      let calibration: Sample[];
      const rng = mulberry32(1000 + index);

      beforeAll(async () => {
        const work = await dirs.make('ops');
        modelPath = await writeModel(work, modelSpec(fixture));
        calibration = calibrationSamples(rng, fixture.inputs, CALIBRATION_SAMPLES);
        const calibrationFile = await writeCalibration(work, calibration, fixture.inputs);
        dir = path.join(work, 'out');
        built = await build(modelPath, dir, { calibration: calibrationFile, via: 'circom' });
        ({ manifest, ir } = await loadCompiled(dir));
      });

      it('(a) the evaluator is within the stated bound of onnxruntime', async () => {
        expect(manifest.quantization.calibration.samples).toBe(CALIBRATION_SAMPLES);
        const scales: Scales = {
          input: (name) => manifest.inputs.find((i) => i.name === name)!.scale,
          output: (name) => manifest.outputs.find((o) => o.name === name)!.scale,
        };
        const session = await OrtModel.load(modelPath, fixture.inputs);
        try {
          for (const sample of calibration) {
            const expected = await session.run(sample);
            const predicted = predictWith(manifest, ir, inputJson(sample, fixture.inputs), 'calibration sample');
            // No clamped-input assertion here: an input at the calibrated extreme may clamp by up to
            // half an LSB (the zero point is rounded), which the half-LSB input error already covers.
            for (const check of fixture.outputs) {
              const want = expected.get(check.name)!;
              const got = predicted.outputs.find((o) => o.name === check.name)!.values;
              expect(got).toHaveLength(sizeOf(check.shape));
              expect(want).toHaveLength(sizeOf(check.shape));
              // 1e-6 relative slack: an element exactly at the bound (an input at its calibrated
              // extreme is off by exactly half an LSB) must not fail on float32 vs float64 rounding.
              const bound = check.bound(scales) * (1 + 1e-6);
              const worst = Math.max(...got.map((g, i) => Math.abs(g - want[i]!)));
              if (worst > bound) expect.fail(`${check.name}: |evaluator − onnxruntime| = ${worst} exceeds the bound ${bound}`);
              const m = measured.get(check.family) ?? { abs: 0, ofBound: 0 };
              measured.set(check.family, { abs: Math.max(m.abs, worst), ofBound: Math.max(m.ofBound, worst / bound) });
            }
          }
        } finally {
          await session.release();
        }
      });

      it(`(b) the circuit's outputs equal the evaluator's exactly (${FRESH_INPUTS} in range, ${OUT_OF_RANGE_INPUTS} clamped)`, async () => {
        const fresh: Sample[] = Array.from({ length: FRESH_INPUTS + OUT_OF_RANGE_INPUTS }, (_, k) =>
          Object.fromEntries(
            fixture.inputs.map((input) => {
              const n = sizeOf(input.shape);
              if (k < FRESH_INPUTS) return [input.name, uniform(rng, n, input.lo, input.hi)];
              // Out of range: 3× the calibrated span, both signs, so some values clamp low and some high.
              const span = input.hi - input.lo;
              return [input.name, uniform(rng, n, input.lo - span, input.hi + span)];
            }),
          ),
        );
        let clampedInputs = 0;
        for (const [k, sample] of fresh.entries()) {
          const json = inputJson(sample, fixture.inputs);
          const predicted = predictWith(manifest, ir, json, `input ${k}`);
          const witness = await computeWitness(dir, json, `input ${k}`, { manifest });
          expect(witness.clamped).toBe(predicted.clamped);
          if (k < FRESH_INPUTS) expect(predicted.clamped).toBe(0);
          else expect(predicted.clamped).toBeGreaterThan(0);
          clampedInputs += predicted.clamped;
          expect(witness.outputs.map((o) => o.name)).toEqual(predicted.outputs.map((o) => o.name));
          witness.outputs.forEach((o, i) => {
            expect(o.integers.map(String), `${o.name} for input ${k}`).toEqual(predicted.outputs[i]!.integers);
          });
        }
        expect(clampedInputs).toBeGreaterThan(0);
      });

      it("(c) circom's constraint count equals the compiler's prediction", () => {
        expect(manifest.circuit.compiled).toBe(true);
        expect(manifest.circuit.constraints).toBe(built.manifest.circuit.constraints);
        expect(manifest.circuit.constraints).toBe(built.predictedConstraints);
      });

      it("(d) the fast path writes circom's circuit: same signals on the same wires, witnesses satisfy each other's constraints", async () => {
        const fastDir = await fastPathCopy(dir);
        for (const [k, sample] of calibration.slice(0, 2).entries()) {
          expect(await fastPathProblems(dir, fastDir, inputJson(sample, fixture.inputs), `sample ${k}`)).toEqual([]);
        }
      });
    });
  }
}
