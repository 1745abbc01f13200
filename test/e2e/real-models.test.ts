/**
 * Real models from ../shared/models, end to end through the CLI: compile, setup,
 * prove, verify. The proof's outputs must equal the reference evaluator's
 * exactly; the dequantized outputs are compared with onnxruntime's float outputs
 * (the measured error is printed and bounded by a stated tolerance); the circuit
 * must agree with the evaluator bit for bit on 20 random inputs; and the fast
 * path's circuit (compile's default) must be the one circom compiles from
 * model.circom (`--via circom`), signal for signal.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { nestArray } from '../../core/input.ts';
import type { Manifest } from '../../core/manifest.ts';
import { mulberry32 } from '../../circuits/random.ts';
import { predictWith } from '../../circuits/predict.ts';
import { loadCompiled } from '../../circuits/ir/serialize.ts';
import { computeWitness } from '../../prover/witness.ts';
import { zkinfer, zkinferJson } from '../support/cli.ts';
import { fastPathProblems } from '../support/equivalence.ts';
import { runOnnxruntime } from '../support/onnxruntime.ts';
import { sharedModel } from '../support/shared.ts';

interface RealModel {
  file: string;
  /** The example input (flattened) and the range random inputs are drawn from. */
  input: (modelPath: string) => Promise<number[]>;
  inputRange: [number, number];
  /** Calibration samples as input JSON, or undefined for the compiler's default. */
  calibration?: unknown[];
  /** Stated tolerance on |dequantized − float| (absolute, in the output's units). */
  tolerance: number;
}

async function ezklInput(modelPath: string): Promise<number[]> {
  const json = JSON.parse(await readFile(modelPath.replace(/\.onnx$/, '.input.json'), 'utf8')) as { input_data: number[][] };
  return json.input_data[0]!;
}

const sineSamples = Array.from({ length: 64 }, (_, i) => [[(2 * Math.PI * i) / 63]]);

/** `count` seeded samples of `size` values uniform in [lo, hi]; the first two all-lo and all-hi. */
function uniformSamples(size: number, lo: number, hi: number, count = 32): number[][] {
  const random = mulberry32(size * 31);
  return Array.from({ length: count }, (_, k) => Array.from({ length: size }, () => (k === 0 ? lo : k === 1 ? hi : lo + (hi - lo) * random())));
}

/** Stated tolerances (absolute, in the outputs' units), above what was measured; see each model's printed error. */
// Measured (max over the example and 20 random inputs): conv 0.0084, max pool 0.014, average 0.0093,
// 3l_relu_conv_fc 0.0085, 4l_relu_conv_fc 0.0021, atmega 0.34, conv_k2_maxpool_k2 0.044,
// 2l_relu_sigmoid_conv 0.014, 1l_softmax 0.0040.
const TOLERANCES = { conv: 0.02, maxPool: 0.03, average: 0.02, convFc3: 0.02, convFc4: 0.01, atmega: 0.6, convMaxPool: 0.1, sigmoidConv: 0.03, softmax: 0.01 };

/** A fixed pseudo-random example input for models that come without one. */
const exampleInput = (size: number, lo: number, hi: number) => async () => {
  const random = mulberry32(size);
  return Array.from({ length: size }, () => lo + (hi - lo) * random());
};

const MODELS: RealModel[] = [
  { file: 'ezkl-1l_mlp.onnx', input: ezklInput, inputRange: [-2.5, 2.5], tolerance: 0.02 },
  { file: 'ezkl-2l_relu_fc.onnx', input: ezklInput, inputRange: [-2.5, 2.5], tolerance: 0.02 },
  // Convolutions and pools, on the compiler's default calibration (standard-normal samples).
  { file: 'ezkl-1l_conv.onnx', input: ezklInput, inputRange: [-2.5, 2.5], tolerance: TOLERANCES.conv },
  { file: 'ezkl-1l_max_pool.onnx', input: ezklInput, inputRange: [-2.5, 2.5], tolerance: TOLERANCES.maxPool },
  { file: 'ezkl-1l_average.onnx', input: ezklInput, inputRange: [-2.5, 2.5], tolerance: TOLERANCES.average },
  { file: 'ezkl-3l_relu_conv_fc.onnx', input: ezklInput, inputRange: [-2.5, 2.5], tolerance: TOLERANCES.convFc3 },
  { file: 'ezkl-4l_relu_conv_fc.onnx', input: ezklInput, inputRange: [-2.5, 2.5], tolerance: TOLERANCES.convFc4 },
  // Sigmoid (a table over the activation) after a Conv and Relu; Softmax over the logits.
  { file: 'ezkl-2l_relu_sigmoid_conv.onnx', input: ezklInput, inputRange: [-2.5, 2.5], tolerance: TOLERANCES.sigmoidConv },
  { file: 'ezkl-1l_softmax.onnx', input: ezklInput, inputRange: [-2.5, 2.5], tolerance: TOLERANCES.softmax },
  { file: 'onnx2c-atmega_mnist_simplified.onnx', input: exampleInput(196, 0, 1), inputRange: [0, 1], calibration: uniformSamples(196, 0, 1).map((s) => nestArray(s, [14, 14])), tolerance: TOLERANCES.atmega },
  { file: 'onnx2c-conv_k2_maxpool_k2.onnx', input: exampleInput(25, -2.5, 2.5), inputRange: [-2.5, 2.5], tolerance: TOLERANCES.convMaxPool },
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
        await writeFile(file, JSON.stringify(model.calibration));
        calibrationArgs.push('--calibration', file);
      }
      compiled = await zkinferJson(['compile', modelPath!, '-o', dir, ...calibrationArgs]);
    });

    test('compiles, proves and verifies from the CLI; outputs match the evaluator and onnxruntime', async () => {
      expect(compiled.manifest.circuit.compiled).toBe(true);
      expect(compiled.manifest.circuit.constraints).toBe(compiled.predictedConstraints);
      await zkinferJson(['setup', dir, '--dev']);

      const spec = compiled.manifest.inputs[0]!;
      const input = nestArray(await model.input(modelPath!), spec.shape);
      const inputFile = path.join(dir, 'input.json');
      await writeFile(inputFile, JSON.stringify(input));
      const proved = await zkinferJson<{ outputs: { integers: string[]; values: number[] }[] }>(['prove', dir, '--input', inputFile]);
      const verified = await zkinfer(['verify', dir, '--json']);
      expect(verified.code).toBe(0);
      expect(JSON.parse(verified.stdout).valid).toBe(true);

      const { manifest, ir } = await loadCompiled(dir);
      const reference = predictWith(manifest, ir, input, inputFile);
      expect(proved.outputs.map((o) => o.integers)).toEqual(reference.outputs.map((o) => o.integers));

      const floats = await runOnnxruntime(modelPath!, { [spec.name]: { data: await model.input(modelPath!), shape: spec.shape } });
      manifest.outputs.forEach((out, i) => {
        const expected = floats.get(out.name)!;
        const maxError = Math.max(...proved.outputs[i]!.values.map((v, j) => Math.abs(v - expected[j]!)));
        console.log(`${model.file} "${out.name}" on its example input: max |proved − onnxruntime| = ${maxError.toPrecision(3)} (tolerance ${model.tolerance})`);
        expect(maxError).toBeLessThanOrEqual(model.tolerance);
      });
    });

    test("the fast path's circuit is circom's (--via circom): same signals on the same wires, each witness satisfies the other's constraints", async () => {
      const circomDir = `${dir}-circom`;
      await zkinferJson(['compile', modelPath!, '-o', circomDir, '--via', 'circom', ...(model.calibration ? ['--calibration', path.join(dir, 'calibration.json')] : [])]);
      const spec = compiled.manifest.inputs[0]!;
      const input = nestArray(await model.input(modelPath!), spec.shape);
      expect(await fastPathProblems(circomDir, dir, input, 'example input')).toEqual([]);
    });

    test('the circuit equals the reference evaluator bit for bit on 20 random inputs, within tolerance of onnxruntime', async () => {
      const { manifest, ir } = await loadCompiled(dir);
      const spec = manifest.inputs[0]!;
      const size = spec.shape.reduce((a, b) => a * b, 1);
      const random = mulberry32(size * 7919);
      const [lo, hi] = model.inputRange;
      let maxError = 0;
      for (let trial = 0; trial < 20; trial++) {
        const flat = Array.from({ length: size }, () => lo + (hi - lo) * random());
        const input = nestArray(flat, spec.shape);
        const witness = await computeWitness(dir, input, `random input ${trial}`, { manifest });
        const reference = predictWith(manifest, ir, input, `random input ${trial}`);
        expect(witness.outputs.map((o) => o.integers.map(String))).toEqual(reference.outputs.map((o) => o.integers));
        const floats = await runOnnxruntime(modelPath!, { [spec.name]: { data: flat, shape: spec.shape } });
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
