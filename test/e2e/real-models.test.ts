/**
 * Real models from ../shared/models, end to end through the CLI: compile, setup,
 * prove, verify. The proof's outputs must equal the reference evaluator's
 * exactly; the dequantized outputs are compared with onnxruntime's float outputs
 * (the measured error is printed and bounded by a stated tolerance); and the
 * circuit must agree with the evaluator bit for bit on 20 random inputs.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Manifest } from '../../circuits/manifest.ts';
import { mulberry32 } from '../../circuits/random.ts';
import { loadCompiled, predictWith } from '../../circuits/predict.ts';
import { computeWitness } from '../../prover/witness.ts';
import { zkinfer, zkinferJson } from '../support/cli.ts';
import { runOnnxruntime } from '../support/onnxruntime.ts';
import { sharedModel } from '../support/shared.ts';

interface RealModel {
  file: string;
  /** The example input (flattened) and the range random inputs are drawn from. */
  input: (modelPath: string) => Promise<number[]>;
  inputRange: [number, number];
  /** Calibration samples (flattened), or undefined for the compiler's default. */
  calibration?: number[][];
  /** Stated tolerance on |dequantized − float| (absolute, in the output's units). */
  tolerance: number;
}

async function ezklInput(modelPath: string): Promise<number[]> {
  const json = JSON.parse(await readFile(modelPath.replace(/\.onnx$/, '.input.json'), 'utf8')) as { input_data: number[][] };
  return json.input_data[0]!;
}

const sineSamples = Array.from({ length: 64 }, (_, i) => [(2 * Math.PI * i) / 63]);

const MODELS: RealModel[] = [
  { file: 'ezkl-1l_mlp.onnx', input: ezklInput, inputRange: [-2.5, 2.5], tolerance: 0.02 },
  { file: 'ezkl-2l_relu_fc.onnx', input: ezklInput, inputRange: [-2.5, 2.5], tolerance: 0.02 },
  // A sine of amplitude 1 through three 8-bit layers: measured 0.09 worst case over [0, 2π]
  // (0.015 with --bits 10), so 0.1 is the stated 8-bit tolerance.
  { file: 'onnx2c-tfl_helloworld.onnx', input: async () => [1.0], inputRange: [0, 2 * Math.PI], calibration: sineSamples, tolerance: 0.1 },
];


for (const model of MODELS) {
  const modelPath = sharedModel(model.file);
  describe.skipIf(!modelPath)(model.file, () => {
    let dir = '';
    let compiled: { manifest: Manifest; predictedConstraints: number };

    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'zkinfer-real-'));
      const calibrationArgs: string[] = [];
      if (model.calibration) {
        const file = path.join(dir, 'calibration.json');
        await writeFile(file, JSON.stringify(model.calibration.map((s) => [s])));
        calibrationArgs.push('--calibration', file);
      }
      compiled = await zkinferJson(['compile', modelPath!, '-o', dir, ...calibrationArgs]);
    });

    test('compiles, proves and verifies from the CLI; outputs match the evaluator and onnxruntime', async () => {
      expect(compiled.manifest.circuit.compiled).toBe(true);
      expect(compiled.manifest.circuit.constraints).toBe(compiled.predictedConstraints);
      await zkinferJson(['setup', dir]);

      const input = await model.input(modelPath!);
      const inputFile = path.join(dir, 'input.json');
      await writeFile(inputFile, JSON.stringify(input));
      const proved = await zkinferJson<{ outputs: { integers: string[]; values: number[] }[] }>(['prove', dir, '--input', inputFile]);
      const verified = await zkinfer(['verify', dir, '--json']);
      expect(verified.code).toBe(0);
      expect(JSON.parse(verified.stdout).valid).toBe(true);

      const { manifest, ir } = await loadCompiled(dir);
      const reference = predictWith(manifest, ir, input, inputFile);
      expect(proved.outputs.map((o) => o.integers)).toEqual(reference.outputs.map((o) => o.integers));

      const spec = manifest.inputs[0]!;
      const floats = await runOnnxruntime(modelPath!, { [spec.name]: { data: input, shape: spec.shape } });
      manifest.outputs.forEach((out, i) => {
        const expected = floats.get(out.name)!;
        const maxError = Math.max(...proved.outputs[i]!.values.map((v, j) => Math.abs(v - expected[j]!)));
        console.log(`${model.file} "${out.name}" on its example input: max |proved − onnxruntime| = ${maxError.toPrecision(3)} (tolerance ${model.tolerance})`);
        expect(maxError).toBeLessThanOrEqual(model.tolerance);
      });
    });

    test('the circuit equals the reference evaluator bit for bit on 20 random inputs, within tolerance of onnxruntime', async () => {
      const { manifest, ir } = await loadCompiled(dir);
      const spec = manifest.inputs[0]!;
      const size = spec.shape.reduce((a, b) => a * b, 1);
      const random = mulberry32(size * 7919);
      const [lo, hi] = model.inputRange;
      let maxError = 0;
      for (let trial = 0; trial < 20; trial++) {
        const input = Array.from({ length: size }, () => lo + (hi - lo) * random());
        const witness = await computeWitness(dir, input, `random input ${trial}`, { manifest });
        const reference = predictWith(manifest, ir, input, `random input ${trial}`);
        expect(witness.outputs.map((o) => o.integers.map(String))).toEqual(reference.outputs.map((o) => o.integers));
        const floats = await runOnnxruntime(modelPath!, { [spec.name]: { data: input, shape: spec.shape } });
        manifest.outputs.forEach((out, i) => {
          const expected = floats.get(out.name)!;
          reference.outputs[i]!.values.forEach((v, j) => (maxError = Math.max(maxError, Math.abs(v - expected[j]!))));
        });
      }
      console.log(`${model.file}: max |evaluator − onnxruntime| over 20 random inputs = ${maxError.toPrecision(3)} (tolerance ${model.tolerance})`);
      expect(maxError).toBeLessThanOrEqual(model.tolerance);
    });
  });
}
