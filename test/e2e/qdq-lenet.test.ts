/**
 * The QDQ int8 LeNet-small (bench/models/cnn-lenet-small-qdq.onnx): quantized by PyTorch's
 * post-training static quantization and exported by torch.onnx (scripts/qdq/, run by hand),
 * so every scale and zero point is the model's own: uint8 activations, int8 per-channel
 * weights, int32 biases. Through the CLI: compile (the fast path), development setup, proof and
 * verification; the proof's outputs equal the reference evaluator's; the input is quantized
 * by the model's QuantizeLinear and the outputs decode with its last DequantizeLinear. The
 * evaluator's accuracy on the 1,000 test digits is checked against PyTorch's quantized model,
 * and its logits against onnxruntime running the graph as written (no fusion: see
 * runOnnxruntime), within one output step.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { nestArray } from '../../core/input.ts';
import type { Manifest } from '../../core/manifest.ts';
import { predictWith } from '../../circuits/predict.ts';
import { loadCompiled } from '../../circuits/ir/serialize.ts';
import { loadMnist } from '../../scripts/mnist-data.ts';
import { zkinfer, zkinferJson } from '../support/cli.ts';
import { runOnnxruntime } from '../support/onnxruntime.ts';

const MODEL = path.resolve('bench/models/cnn-lenet-small-qdq.onnx');
/** circomlib-ml's constraints for the same architecture (the public zkML benchmark). */
const CIRCOMLIB_ML = 2_558_720;

interface Fixture {
  quantizedTorchTestAccuracy: number;
  floatTestAccuracy: number;
}

describe('QDQ int8 LeNet-small from PyTorch', () => {
  let dir = '';
  let compiled: { manifest: Manifest; predictedConstraints: number };
  let fixture: Fixture;
  const { test: digits } = loadMnist();
  const image = (i: number): unknown => nestArray(Array.from(digits.x[i]!), [1, 1, 28, 28]);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'zkinfer-qdq-'));
    fixture = JSON.parse(await readFile(MODEL.replace(/\.onnx$/, '.json'), 'utf8')) as Fixture;
    compiled = await zkinferJson(['compile', MODEL, '-o', dir]);
  });

  test('keeps the model’s own quantization: input, per-channel weights, output', async () => {
    const { manifest, ir } = await loadCompiled(dir);
    expect(manifest.circuit.compiled).toBe(true);
    expect(manifest.circuit.constraints).toBe(compiled.predictedConstraints);
    expect(manifest.circuit.constraints).toBeLessThanOrEqual(CIRCOMLIB_ML / 10);
    const [input] = manifest.inputs;
    // torch.onnx writes the QuantStub's observer scale (1/255.1…) and zero point 0, uint8.
    expect(input).toMatchObject({ name: 'input', encoding: 'quantize-linear', zeroPoint: 0, min: '0', max: '255' });
    expect(input!.scale).toBeCloseTo(0.0039197, 6);
    expect(manifest.outputs[0]).toMatchObject({ name: 'output', zeroPoint: 180 });
    expect(manifest.outputs[0]!.scale).toBeCloseTo(0.2354072, 6);
    // No scale came from calibration, and inspect says so.
    expect(manifest.quantization.calibration.used).toBe(false);
    const inspect = await zkinfer(['inspect', dir]);
    expect(inspect.stdout).toContain("quantized  by the model itself (QDQ/QOperator): every scale and zero point is the model's own; calibration not used");
    // Both convolutions requantize per output channel (6 and 16 weight scales), ties to even.
    const perChannel = ir.nodes.filter((n) => n.kind === 'requantize' && n.channels).map((n) => (n.kind === 'requantize' ? n.channels!.params.length : 0));
    expect(perChannel).toEqual([6, 16, 10]);
    console.log(`QDQ LeNet-small: ${manifest.circuit.constraints} constraints (circomlib-ml ${CIRCOMLIB_ML}, ${(CIRCOMLIB_ML / manifest.circuit.constraints).toFixed(1)}× more)`);
  });

  test('proves and verifies a digit from the CLI; the proof’s outputs are the evaluator’s', async () => {
    await zkinferJson(['setup', dir, '--dev']);
    const inputFile = path.join(dir, 'input.json');
    await writeFile(inputFile, JSON.stringify(image(7)));
    const proved = await zkinferJson<{ outputs: { integers: string[]; argmax: number }[] }>(['prove', dir, '--input', inputFile]);
    const verified = await zkinfer(['verify', dir, '--json']);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout).valid).toBe(true);
    const { manifest, ir } = await loadCompiled(dir);
    const reference = predictWith(manifest, ir, image(7), inputFile);
    expect(proved.outputs.map((o) => o.integers)).toEqual(reference.outputs.map((o) => o.integers));
    expect(proved.outputs[0]!.argmax).toBe(digits.y[7]);
  });

  test('accuracy on the 1,000 test digits within 0.5 points of PyTorch’s quantized model; logits within one step of the graph’s ONNX semantics', async () => {
    const { manifest, ir } = await loadCompiled(dir);
    const step = manifest.outputs[0]!.scale;
    let correct = 0;
    let worstSteps = 0;
    for (let i = 0; i < digits.y.length; i++) {
      const out = predictWith(manifest, ir, { input: image(i) }, `digit ${i}`).outputs[0]!;
      if (out.argmax === digits.y[i]) correct++;
      if (i % 10 === 0) {
        const ort = (await runOnnxruntime(MODEL, { input: { data: Array.from(digits.x[i]!), shape: [1, 1, 28, 28] } }, { optimize: false })).get('output')!;
        out.values.forEach((v, j) => (worstSteps = Math.max(worstSteps, Math.round(Math.abs(v - ort[j]!) / step))));
      }
    }
    const accuracy = correct / digits.y.length;
    console.log(`QDQ LeNet-small: accuracy ${(100 * accuracy).toFixed(1)}% (PyTorch quantized ${(100 * fixture.quantizedTorchTestAccuracy).toFixed(1)}%, float ${(100 * fixture.floatTestAccuracy).toFixed(1)}%); worst logit vs onnxruntime (graph as written) ${worstSteps} step(s) over 100 digits`);
    expect(Math.abs(accuracy - fixture.quantizedTorchTestAccuracy)).toBeLessThanOrEqual(0.005);
    expect(worstSteps).toBeLessThanOrEqual(1);
  });
});
