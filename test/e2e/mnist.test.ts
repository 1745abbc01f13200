/**
 * The bundled MNIST MLP 784-56-10 (the public zkML benchmark's architecture, where
 * circomlib-ml needs 73,416 non-linear constraints): at most 7,300 constraints with
 * public input, and quantized accuracy on 1,000 test digits within one percentage
 * point of the float model's, measured with the reference evaluator.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { runFloat } from '../../circuits/calibrate.ts';
import { normalize } from '../../circuits/normalize.ts';
import { loadOnnx } from '../../circuits/onnx/load.ts';
import { predictWith } from '../../circuits/predict.ts';
import { loadCompiled } from '../../circuits/ir/serialize.ts';
import { build } from '../../circuits/build.ts';
import { loadMnist } from '../../scripts/mnist-data.ts';
import { REPO_ROOT } from '../support/shared.ts';

const MODEL = path.join(REPO_ROOT, 'examples/mnist-mlp/model.onnx');
const CALIBRATION = path.join(REPO_ROOT, 'examples/mnist-mlp/calibration.json');

describe('MNIST MLP 784-56-10', () => {
  test('compiles to at most 7,300 constraints and keeps float accuracy within 1 point', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'zkinfer-mnist-'));
    const { manifest, predictedConstraints } = await build(MODEL, dir, { calibration: CALIBRATION });
    expect(manifest.circuit.constraints).toBe(predictedConstraints);
    expect(manifest.circuit.constraints).toBeLessThanOrEqual(7300);
    expect(manifest.publicSignals.find((r) => r.kind === 'input')?.length).toBe(784);

    const { ir } = await loadCompiled(dir);
    const graph = normalize(loadOnnx(readFileSync(MODEL), MODEL));
    const { test: digits } = loadMnist({ size: 28 });
    const input = manifest.inputs[0]!;
    let quantCorrect = 0;
    let floatCorrect = 0;
    digits.x.forEach((x, i) => {
      const pixels = Array.from(x);
      const quant = predictWith(manifest, ir, pixels, `test digit ${i}`).outputs[0]!.argmax;
      const logits = runFloat(graph, new Map([[input.name, pixels]])).get(manifest.outputs[0]!.name)!.data;
      const float = logits.indexOf(Math.max(...logits));
      if (quant === digits.y[i]) quantCorrect++;
      if (float === digits.y[i]) floatCorrect++;
    });
    const quantAccuracy = quantCorrect / digits.x.length;
    const floatAccuracy = floatCorrect / digits.x.length;
    console.log(`784-56-10: ${manifest.circuit.constraints} constraints; accuracy on ${digits.x.length} test digits: quantized ${(100 * quantAccuracy).toFixed(1)}%, float ${(100 * floatAccuracy).toFixed(1)}%`);
    expect(digits.x.length).toBe(1000);
    expect(Math.abs(quantAccuracy - floatAccuracy)).toBeLessThanOrEqual(0.01);
  });
});
