/**
 * onnx2c's copy of the ONNX model zoo's MNIST CNN (mnist-8: Conv 8@5×5 same → Add → Relu →
 * MaxPool 2 → Conv 16@5×5 same → Add → Relu → MaxPool 3 → Reshape → MatMul → Add), on its
 * own three test sets: compiled with 64 MNIST digits (pixels 0…255, as the model takes them)
 * as calibration, set up with the native development setup, proved and verified; the proved
 * class equals the expected output's, and the logits are within the stated tolerance.
 */
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeTensor } from '../../circuits/onnx/load.ts';
import { build } from '../../circuits/build.ts';
import { prove } from '../../prover/prove.ts';
import { setup } from '../../prover/setup.ts';
import { releaseCurves } from '../../core/curves.ts';
import { verifyProof } from '../../verifier/verify.ts';
import { loadMnist } from '../../scripts/mnist-data.ts';
import { nest, TempDirs, writeCalibration } from '../circuits/harness.ts';
import { sharedModel } from '../support/shared.ts';

const model = sharedModel('onnx2c-mnist-8.onnx');
const dirs = new TempDirs();
afterAll(async () => {
  await releaseCurves();
  await dirs.cleanup();
});

const INPUT = { name: 'Input3', shape: [1, 1, 28, 28], lo: 0, hi: 255 };
/**
 * Logit tolerance, as a fraction of the largest |logit|: 8-bit activations after each of the
 * two convolutions and per-tensor 8-bit weights leave about 1% of the largest logit (measured
 * 0.9–1.1%); 3% holds with margin
 * on these inputs and is what the test states, not what it measures (it prints the measured).
 */
const LOGIT_TOLERANCE = 0.03;

const readTensor = (file: string) => decodeTensor(onnxProto.onnx.TensorProto.decode(readFileSync(file)), file);
const argmax = (v: ArrayLike<number>) => Array.from(v).reduce((best, x, i, all) => (x > all[best]! ? i : best), 0);

describe.skipIf(!model)('onnx2c-mnist-8 on its three test sets', () => {
  it('compiles, proves and verifies; argmax equals the expected; logits within tolerance', async () => {
    const work = await dirs.make('mnist-8');
    const digits = loadMnist().train.x.slice(0, 64).map((x) => Array.from(x, (v) => v * 255));
    const calibration = await writeCalibration(work, digits.map((d) => ({ Input3: d })), [INPUT]);
    const dir = path.join(work, 'out');
    const built = await build(model!, dir, { calibration });
    await setup(dir, { dev: true });
    const dataDir = `${model!.replace(/\.onnx$/, '')}.test_data`;
    const sets = (await readdir(dataDir)).filter((d) => d.startsWith('test_data_set_')).sort();
    expect(sets).toHaveLength(3);
    const errors: string[] = [];
    for (const set of sets) {
      const input = readTensor(path.join(dataDir, set, 'input_0.pb'));
      const expected = readTensor(path.join(dataDir, set, 'output_0.pb')).data;
      const proved = await prove(dir, { Input3: nest(Array.from(input.data), input.shape) }, { source: `${set}/input_0.pb`, out: path.join(work, set) });
      const verified = await verifyProof(dir, { proof: proved.files.proof, public: proved.files.public });
      expect(verified.valid, set).toBe(true);
      const logits = verified.outputs[0]!.values;
      expect(argmax(logits), set).toBe(argmax(expected));
      const scale = Math.max(...Array.from(expected, Math.abs));
      const worst = Math.max(...logits.map((v, i) => Math.abs(v - expected[i]!)));
      errors.push(`${set}: max |proved − expected| = ${worst.toFixed(1)} (${((100 * worst) / scale).toFixed(2)}% of max |logit| ${scale.toFixed(0)})`);
      expect(worst / scale, set).toBeLessThanOrEqual(LOGIT_TOLERANCE);
    }
    console.log(`onnx2c-mnist-8: ${built.manifest.circuit.constraints} constraints\n${errors.join('\n')}`);
  });
});
