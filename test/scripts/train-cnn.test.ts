import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../circuits/random.ts';
import { backward, buildCnn, forward, parameters, workspace, type Cnn } from '../../scripts/cnn/network.ts';
import { cnnFromOnnx, cnnToOnnx } from '../../scripts/cnn/onnx.ts';
import { loadMnist } from '../../scripts/mnist-data.ts';
import { ALL_ARCHS, ARCHS, accuracy, floatAccuracy, trainCnn } from '../../scripts/train-cnn.ts';
import { softmaxCrossEntropy } from '../../scripts/training.ts';

const { onnx } = onnxProto;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The logits of one input, by the TypeScript forward pass. */
function logitsOf(cnn: Cnn, x: Float32Array): Float64Array {
  return forward(cnn, [x], workspace(cnn, 1)).slice();
}

async function onnxruntimeLogits(session: ort.InferenceSession, x: Float32Array, side: number): Promise<Float32Array> {
  const out = await session.run({ input: new ort.Tensor('float32', x, [1, 1, side, side]) });
  expect(out.logits!.dims).toEqual([1, 10]);
  return out.logits!.data as Float32Array;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i]! - expected[i]!);
    if (diff > tolerance * Math.max(1, Math.abs(expected[i]!))) {
      expect.fail(`logit ${i}: onnxruntime ${actual[i]}, TypeScript ${expected[i]} (diff ${diff})`);
    }
  }
}

describe.each(ALL_ARCHS)('%s, trained briefly', (name) => {
  const arch = ARCHS[name];
  const { train, test } = loadMnist({ size: arch.side });
  // One epoch on 200 digits: well-trained weights are not the point, only an export of real ones.
  const cnn = trainCnn(arch, train, { epochs: 1, samples: 200, seed: 3 });
  const bytes = cnnToOnnx(cnn, name);

  it('exports ONNX that onnxruntime runs to the logits of the TypeScript forward pass', async () => {
    const read = cnnFromOnnx(bytes);
    const rng = mulberry32(11);
    const noise = Float32Array.from({ length: arch.side * arch.side }, () => rng());
    const session = await ort.InferenceSession.create(bytes);
    try {
      expect(session.inputNames).toEqual(['input']);
      expect(session.outputNames).toEqual(['logits']);
      for (const x of [test.x[0]!, test.x[345]!, test.x[999]!, noise]) {
        const expected = logitsOf(cnn, x);
        expectClose(logitsOf(read, x), expected, 0);
        expectClose(await onnxruntimeLogits(session, x, arch.side), expected);
      }
    } finally {
      await session.release();
    }
  });

  it('writes the layout torch.onnx.export gives: NCHW input, explicit Conv attributes, opset 13', () => {
    const model = onnx.ModelProto.decode(bytes);
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 13]]);
    const graph = model.graph as OnnxTypes.GraphProto;
    const dims = (v: OnnxTypes.IValueInfoProto) => v.type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue));
    expect(dims(graph.input[0]!)).toEqual([1, 1, arch.side, arch.side]);
    expect(dims(graph.output[0]!)).toEqual([1, 10]);
    const opTypes = { conv: 'Conv', relu: 'Relu', avgpool: 'AveragePool', flatten: 'Flatten', dense: 'Gemm' };
    expect(graph.node.map((n) => n.opType)).toEqual(arch.layers.map((l) => opTypes[l.op]));
    const attrs = (n: OnnxTypes.INodeProto) => n.attribute!.map((a) => a.name).sort();
    for (const node of graph.node) {
      if (node.opType === 'Conv') expect(attrs(node)).toEqual(['dilations', 'group', 'kernel_shape', 'pads', 'strides']);
      if (node.opType === 'AveragePool') expect(attrs(node)).toEqual(['ceil_mode', 'kernel_shape', 'pads', 'strides']);
      if (node.opType === 'Gemm') expect(attrs(node)).toEqual(['alpha', 'beta', 'transB']);
    }
    const expectedDims = cnn.layers.flatMap((l) =>
      l.op === 'conv' ? [[l.out.c, l.in.c, l.kernel, l.kernel], [l.out.c]] : l.op === 'dense' ? [[l.out.c, l.in.c], [l.out.c]] : [],
    );
    expect(graph.initializer.map((t) => t.dims!.map(Number))).toEqual(expectedDims);
  });

  it('measures the float accuracy of the exported file as of the trained network', () => {
    const digits = { x: test.x.slice(0, 100), y: test.y.slice(0, 100) };
    expect(floatAccuracy(bytes, digits)).toBe(accuracy(cnn, digits));
  });
});

describe('CNN backward pass', () => {
  it('matches finite differences of the loss for every kind of layer', () => {
    const cnn = buildCnn(
      8,
      [
        { op: 'conv', channels: 3, kernel: 3 },
        { op: 'relu' },
        { op: 'avgpool' },
        { op: 'conv', channels: 4, kernel: 2 },
        { op: 'relu' },
        { op: 'flatten' },
        { op: 'dense', units: 6 },
        { op: 'relu' },
        { op: 'dense', units: 10 },
      ],
      mulberry32(5),
    );
    const rng = mulberry32(9);
    const xs = [0, 1, 2].map(() => Float32Array.from({ length: 64 }, () => rng()));
    const labels = [2, 7, 4];
    const ws = workspace(cnn, xs.length);
    const delta = new Float64Array(xs.length * 10);
    const loss = () => {
      const logits = forward(cnn, xs, ws);
      return labels.reduce((sum, y, s) => sum + softmaxCrossEntropy(logits.subarray(10 * s, 10 * s + 10), y, delta.subarray(10 * s, 10 * s + 10)), 0);
    };
    loss();
    const params = parameters(cnn);
    const grads = params.map((p) => new Float64Array(p.length));
    backward(cnn, ws, xs.length, delta, grads);

    const h = 1e-6;
    params.forEach((p, k) => {
      for (const j of [0, Math.floor(p.length / 2), p.length - 1]) {
        const saved = p[j]!;
        p[j] = saved + h;
        const up = loss();
        p[j] = saved - h;
        const down = loss();
        p[j] = saved;
        expect(grads[k]![j]!, `parameter array ${k}, index ${j}`).toBeCloseTo((up - down) / (2 * h), 5);
      }
    });
  });
});

describe('trained CNN fixtures in bench/models', () => {
  it.each(ALL_ARCHS)('%s: onnxruntime accuracy on the 1,000 test digits is the recorded one; calibration is [32][1][1][H][W]', async (name) => {
    const arch = ARCHS[name];
    const file = (ext: string) => path.join(ROOT, 'bench', 'models', `${name}.${ext}`);
    const summary = JSON.parse(fs.readFileSync(file('json'), 'utf8')) as { floatTestAccuracy: number; input: number[]; parameters: number };
    expect(summary.input).toEqual([1, 1, arch.side, arch.side]);
    expect(summary.floatTestAccuracy).toBeGreaterThanOrEqual(name === 'cnn-small-14' ? 0.95 : 0.97);

    const bytes = fs.readFileSync(file('onnx'));
    expect(floatAccuracy(bytes)).toBe(summary.floatTestAccuracy);
    const test = loadMnist({ size: arch.side }).test;
    const session = await ort.InferenceSession.create(bytes);
    let correct = 0;
    try {
      for (const [i, x] of test.x.entries()) {
        const logits = await onnxruntimeLogits(session, x, arch.side);
        let best = 0;
        for (let k = 1; k < 10; k++) if (logits[k]! > logits[best]!) best = k;
        if (best === test.y[i]) correct++;
      }
    } finally {
      await session.release();
    }
    // float32 (onnxruntime) and float64 (TypeScript) sums may break a near-tie differently.
    expect(Math.abs(correct / test.x.length - summary.floatTestAccuracy)).toBeLessThanOrEqual(0.002);

    const calibration = JSON.parse(fs.readFileSync(file('calibration.json'), 'utf8')) as { input: number[][][][][] };
    expect(calibration.input).toHaveLength(32);
    for (const sample of calibration.input) {
      expect(sample).toHaveLength(1);
      expect(sample[0]).toHaveLength(1);
      expect(sample[0]![0]).toHaveLength(arch.side);
      for (const row of sample[0]![0]!) {
        expect(row).toHaveLength(arch.side);
        expect(row.every((v) => v >= 0 && v <= 1)).toBe(true);
      }
    }
  });
});
