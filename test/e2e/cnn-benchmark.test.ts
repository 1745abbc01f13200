/**
 * The public zkML benchmark's three MNIST CNNs (bench/models/cnn-*, trained by
 * scripts/train-cnn.ts): each compiles to at most a tenth of circomlib-ml's constraints for
 * the same architecture, and the quantized model (the reference evaluator, bit-exact with the
 * circuit) classifies the 1,000 test digits within 0.5 percentage points of the float model
 * (the TypeScript forward pass, equal to onnxruntime's: test/scripts/train-cnn.test.ts).
 * The compiler's constraint prediction equals circom's count (checked for every op in
 * test/circuits); circom itself and proving are in `npm run bench`, too slow for here.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileModel } from '../../circuits/compile.ts';
import { nestArray } from '../../core/input.ts';
import { predictWith } from '../../circuits/predict.ts';
import { loadCompiled } from '../../circuits/ir/serialize.ts';
import { loadMnist } from '../../scripts/mnist-data.ts';
import { floatAccuracy } from '../../scripts/train-cnn.ts';
import { TempDirs } from '../circuits/harness.ts';
import { REPO_ROOT } from '../support/shared.ts';

const CIRCOMLIB_ML = { 'cnn-lenet-small': 2_558_720, 'cnn-lenet': 22_703_268, 'cnn-small-14': 523_312 } as const;

const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

describe.each(Object.entries(CIRCOMLIB_ML))('%s', (name, theirs) => {
  it('compiles to at most a tenth of circomlib-ml’s constraints and keeps accuracy within 0.5 points', async () => {
    const onnx = path.join(REPO_ROOT, 'bench/models', `${name}.onnx`);
    const dir = path.join(await dirs.make(name), 'out');
    const { manifest: compiled } = await compileModel(onnx, dir, { calibration: path.join(REPO_ROOT, 'bench/models', `${name}.calibration.json`) });
    const constraints = compiled.circuit.constraints;
    expect(constraints).toBeLessThanOrEqual(theirs / 10);

    const { manifest, ir } = await loadCompiled(dir);
    const input = manifest.inputs[0]!;
    const test = loadMnist({ size: input.shape[2] === 14 ? 14 : 28 }).test;
    let correct = 0;
    test.x.forEach((x, i) => {
      const predicted = predictWith(manifest, ir, { [input.name]: nestArray(Array.from(x), input.shape) }, `test digit ${i}`);
      if (predicted.outputs[0]!.argmax === test.y[i]) correct++;
    });
    const quantized = correct / test.x.length;
    const float = floatAccuracy(await readFile(onnx), test);
    console.log(`${name}: ${constraints} constraints (circomlib-ml ${theirs}, ${(theirs / constraints).toFixed(1)}× more); accuracy quantized ${(100 * quantized).toFixed(1)}%, float ${(100 * float).toFixed(1)}%`);
    expect(Math.abs(quantized - float)).toBeLessThanOrEqual(0.005);
  });
});
