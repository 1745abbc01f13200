import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ShapeError, UnsupportedError } from '../../core/errors.ts';
import { writeOnnxModel, type OnnxModelSpec } from '../../scripts/onnx-writer.ts';
import { loadMnist, mnistSizeForFeatures } from '../../scripts/mnist-data.ts';
import { mulberry32 } from '../../circuits/random.ts';

const { onnx } = onnxProto;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A row-major matrix: rows × cols values. */
interface Mat {
  rows: number;
  cols: number;
  data: Float64Array;
}

const mat = (rows: number, cols: number, data: ArrayLike<number>): Mat => ({ rows, cols, data: Float64Array.from(data) });
const at = (m: Mat, r: number, c: number) => m.data[r * m.cols + c]!;
const transpose = (m: Mat): Mat => {
  const out = mat(m.cols, m.rows, new Float64Array(m.data.length));
  for (let r = 0; r < m.rows; r++) for (let c = 0; c < m.cols; c++) out.data[c * m.rows + r] = at(m, r, c);
  return out;
};
const matmul = (a: Mat, b: Mat): Mat => {
  const out = mat(a.rows, b.cols, new Float64Array(a.rows * b.cols));
  for (let r = 0; r < a.rows; r++) {
    for (let c = 0; c < b.cols; c++) {
      let s = 0;
      for (let k = 0; k < a.cols; k++) s += at(a, r, k) * at(b, k, c);
      out.data[r * b.cols + c] = s;
    }
  }
  return out;
};
/** Elementwise with numpy broadcasting of `b` over `a` (b: same shape, a row [1, cols] / [cols], or a column [rows, 1]). */
const broadcast = (a: Mat, b: Mat, f: (x: number, y: number) => number): Mat => {
  const out = mat(a.rows, a.cols, new Float64Array(a.data.length));
  for (let r = 0; r < a.rows; r++) {
    for (let c = 0; c < a.cols; c++) {
      out.data[r * a.cols + c] = f(at(a, r, c), at(b, b.rows === 1 ? 0 : r, b.cols === 1 ? 0 : c));
    }
  }
  return out;
};
const gemm = (a: Mat, b: Mat, c: Mat, { alpha = 1, beta = 1, transA = false, transB = false } = {}) =>
  broadcast(matmul(transA ? transpose(a) : a, transB ? transpose(b) : b), c, (x, y) => alpha * x + beta * y);

function randomValues(n: number, rng: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => rng() * 2 - 1);
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i]! - expected[i]!);
    if (diff > tolerance * Math.max(1, Math.abs(expected[i]!))) {
      expect.fail(`index ${i}: onnxruntime ${actual[i]}, TypeScript ${expected[i]} (diff ${diff})`);
    }
  }
}

describe('writeOnnxModel', () => {
  const rng = mulberry32(7);
  // Constants of the fixture graph.
  const w1 = randomValues(4 * 3, rng); // Gemm transB: [out=4, in=3]
  const c1 = randomValues(4, rng);
  const w2 = randomValues(3 * 4, rng); // Gemm transA: B [3, 4]
  const c2 = randomValues(4, rng); // C [1, 4], broadcast over rows
  const m = randomValues(4 * 6, rng);
  const bias = randomValues(6, rng);

  /**
   * X [2,3], A [3,2]
   * Y1 = Gemm(X, W1, C1, transB=1)                       [2,4]
   * Y2 = Gemm(A, W2, C2, transA=1, alpha=0.5, beta=2)   [2,4]
   * Z  = Flatten(Reshape(Relu(MatMul(Y1 + Y2, M) + bias), [3, -1, 2]))   [3,4]
   */
  const spec: OnnxModelSpec = {
    name: 'fixture',
    inputs: [
      { name: 'X', shape: [2, 3] },
      { name: 'A', shape: [3, 2] },
    ],
    outputs: [
      { name: 'Z', shape: [3, 4] },
      { name: 'Y2', shape: [2, 4] },
    ],
    initializers: [
      { name: 'W1', dims: [4, 3], data: w1 },
      { name: 'C1', dims: [4], data: Array.from(c1) },
      { name: 'W2', dims: [3, 4], data: w2 },
      { name: 'C2', dims: [1, 4], data: c2 },
      { name: 'M', dims: [4, 6], data: m },
      { name: 'bias', dims: [6], data: bias },
      { name: 'shape', dims: [3], elemType: 'INT64', data: [3, -1, 2] },
    ],
    nodes: [
      { opType: 'Gemm', name: 'gemm_transB', inputs: ['X', 'W1', 'C1'], outputs: ['Y1'], attributes: { transB: { int: 1 } } },
      {
        opType: 'Gemm',
        name: 'gemm_transA',
        inputs: ['A', 'W2', 'C2'],
        outputs: ['Y2'],
        attributes: { transA: { int: 1 }, alpha: { float: 0.5 }, beta: { float: 2 } },
      },
      { opType: 'Add', inputs: ['Y1', 'Y2'], outputs: ['S'] },
      { opType: 'MatMul', inputs: ['S', 'M'], outputs: ['P'] },
      { opType: 'Add', name: 'add_broadcast', inputs: ['P', 'bias'], outputs: ['Q'] },
      { opType: 'Relu', inputs: ['Q'], outputs: ['R'] },
      { opType: 'Reshape', inputs: ['R', 'shape'], outputs: ['T'] },
      { opType: 'Flatten', inputs: ['T'], outputs: ['Z'], attributes: { axis: { int: 1 } } },
    ],
  };

  function reference(x: Float32Array, a: Float32Array): { z: Float64Array; y2: Float64Array } {
    const y1 = gemm(mat(2, 3, x), mat(4, 3, w1), mat(1, 4, c1), { transB: true });
    const y2 = gemm(mat(3, 2, a), mat(3, 4, w2), mat(1, 4, c2), { transA: true, alpha: 0.5, beta: 2 });
    const s = broadcast(y1, y2, (p, q) => p + q);
    const q = broadcast(matmul(s, mat(4, 6, m)), mat(1, 6, bias), (p, b) => p + b);
    const r = q.data.map((v) => Math.max(0, v));
    // Reshape [2,6] → [3,2,2] and Flatten(axis=1) → [3,4] keep row-major order.
    return { z: r, y2: y2.data };
  }

  it('gives the same outputs in onnxruntime as a plain TypeScript computation', async () => {
    const model = writeOnnxModel(spec);
    const session = await ort.InferenceSession.create(model);
    try {
      for (let trial = 0; trial < 5; trial++) {
        const x = randomValues(6, rng);
        const a = randomValues(6, rng);
        const out = await session.run({ X: new ort.Tensor('float32', x, [2, 3]), A: new ort.Tensor('float32', a, [3, 2]) });
        const expected = reference(x, a);
        expect(out.Z!.dims).toEqual([3, 4]);
        expectClose(out.Z!.data as Float32Array, expected.z);
        expectClose(out.Y2!.data as Float32Array, expected.y2);
      }
    } finally {
      await session.release();
    }
  });

  it('writes ir_version 8, the opset, raw little-endian initializers and typed attributes', () => {
    const decoded = onnx.ModelProto.decode(writeOnnxModel(spec));
    expect(Number(decoded.irVersion)).toBe(8);
    expect(decoded.producerName).toBe('zkinfer');
    expect(decoded.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 13]]);
    const g = decoded.graph as OnnxTypes.GraphProto;
    expect(g.input.map((v) => v.name)).toEqual(['X', 'A']);

    const w1Proto = g.initializer.find((t) => t.name === 'W1')!;
    expect(w1Proto.dataType).toBe(onnx.TensorProto.DataType.FLOAT);
    expect(w1Proto.floatData).toHaveLength(0);
    const raw = w1Proto.rawData!;
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    expect(Array.from({ length: 12 }, (_, i) => view.getFloat32(4 * i, true))).toEqual(Array.from(w1));

    const shape = g.initializer.find((t) => t.name === 'shape')!;
    expect(shape.dataType).toBe(onnx.TensorProto.DataType.INT64);
    const shapeRaw = shape.rawData!;
    const sv = new DataView(shapeRaw.buffer, shapeRaw.byteOffset, shapeRaw.byteLength);
    expect([0, 1, 2].map((i) => sv.getBigInt64(8 * i, true))).toEqual([3n, -1n, 2n]);

    const T = onnx.AttributeProto.AttributeType;
    const attrs = g.node.find((n) => n.name === 'gemm_transA')!.attribute!;
    expect(attrs.map((a) => [a.name, a.type])).toEqual([
      ['transA', T.INT],
      ['alpha', T.FLOAT],
      ['beta', T.FLOAT],
    ]);
    expect(g.node[2]!.name).toBe('Add_2');
  });

  it('writes INTS, FLOATS, STRING, TENSOR and big INT64 attributes', () => {
    const bytes = writeOnnxModel({
      inputs: [{ name: 'x', shape: ['batch', 4] }],
      outputs: [{ name: 'y', shape: ['batch', 4] }],
      nodes: [
        {
          opType: 'Custom',
          domain: 'zkinfer.test',
          inputs: ['x'],
          outputs: ['y'],
          attributes: {
            perm: { ints: [1, 0] },
            big: { int: 9223372036854775807n },
            scales: { floats: [0.5, 2] },
            mode: { string: 'nearest' },
            value: { tensor: { dims: [2], elemType: 'INT8', data: [-128, 127] } },
          },
        },
      ],
      extraOpsets: [{ domain: 'zkinfer.test', version: 1 }],
    });
    const g = onnx.ModelProto.decode(bytes).graph as OnnxTypes.GraphProto;
    expect(g.input[0]!.type!.tensorType!.shape!.dim![0]!.dimParam).toBe('batch');
    const byName = Object.fromEntries(g.node[0]!.attribute!.map((a) => [a.name, a]));
    expect(byName.perm!.ints.map(Number)).toEqual([1, 0]);
    expect(String(byName.big!.i)).toBe('9223372036854775807');
    expect(byName.scales!.floats).toEqual([0.5, 2]);
    expect(new TextDecoder().decode(byName.mode!.s)).toBe('nearest');
    expect(Array.from(Int8Array.from(byName.value!.t!.rawData!))).toEqual([-128, 127]);
  });

  it('rejects data that does not match the dims, and untagged attributes', () => {
    const base = { inputs: [{ name: 'x', shape: [1] }], outputs: [{ name: 'y', shape: [1] }] };
    expect(() =>
      writeOnnxModel({ ...base, initializers: [{ name: 'w', dims: [2, 3], data: [1, 2, 3] }], nodes: [] }),
    ).toThrow('Tensor data length does not match its dims. Dims [2, 3]: 6 values, data: 3');
    expect(() =>
      writeOnnxModel({ ...base, initializers: [{ name: 'w', dims: [2], data: [1, 2, 3] }], nodes: [] }),
    ).toThrow(ShapeError);
    expect(() =>
      writeOnnxModel({
        ...base,
        nodes: [{ opType: 'Relu', inputs: ['x'], outputs: ['y'], attributes: { alpha: 0.5 as never } }],
      }),
    ).toThrow(UnsupportedError);
    expect(() =>
      writeOnnxModel({ ...base, nodes: [{ opType: 'X', domain: 'other', inputs: ['x'], outputs: ['y'] }] }),
    ).toThrow('Node uses domain "other" but the model imports no opset for it');
  });
});

describe('trained MNIST models', () => {
  /** Argmax accuracy in onnxruntime over the 1,000 test digits, batch size 1 (the models' batch is fixed at 1). */
  async function testAccuracy(file: string, features: number): Promise<number> {
    const session = await ort.InferenceSession.create(fs.readFileSync(path.join(ROOT, file)));
    try {
      expect(session.inputNames).toEqual(['input']);
      expect(session.outputNames).toEqual(['logits']);
      const test = loadMnist({ size: mnistSizeForFeatures(features) }).test;
      expect(test.x).toHaveLength(1000);
      let correct = 0;
      for (const [i, x] of test.x.entries()) {
        const out = await session.run({ input: new ort.Tensor('float32', x, [1, features]) });
        expect(out.logits!.dims).toEqual([1, 10]);
        const logits = out.logits!.data as Float32Array;
        let best = 0;
        for (let k = 1; k < 10; k++) if (logits[k]! > logits[best]!) best = k;
        if (best === test.y[i]) correct++;
      }
      return correct / test.x.length;
    } finally {
      await session.release();
    }
  }

  it('the demo model examples/mnist-mlp/model.onnx classifies ≥ 90% of the 1,000 test digits in onnxruntime', async () => {
    expect(await testAccuracy('examples/mnist-mlp/model.onnx', 784)).toBeGreaterThanOrEqual(0.9);
  });

  it.each(['bench/models/mlp-196-25-10.onnx', 'bench/models/mlp-196-24-14-10.onnx'])(
    '%s classifies ≥ 88% of the test digits',
    async (file) => {
      expect(await testAccuracy(file, 196)).toBeGreaterThanOrEqual(0.88);
    },
  );

  it('the demo digits and calibration files match the model input [1, 784]', async () => {
    const digits = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/mnist-mlp/digits.json'), 'utf8')) as {
      label: number;
      input: { input: number[][] };
    }[];
    expect(digits.map((d) => d.label)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const model = fs.readFileSync(path.join(ROOT, 'examples/mnist-mlp/model.onnx'));
    const predictions = [];
    const session = await ort.InferenceSession.create(model);
    for (const d of digits) {
      expect(d.input.input).toHaveLength(1);
      expect(d.input.input[0]).toHaveLength(784);
      const out = await session.run({ input: new ort.Tensor('float32', Float32Array.from(d.input.input[0]!), [1, 784]) });
      const logits = Array.from(out.logits!.data as Float32Array);
      predictions.push(logits.indexOf(Math.max(...logits)));
    }
    await session.release();
    expect(predictions).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

    const calibration = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/mnist-mlp/calibration.json'), 'utf8')) as {
      input: number[][][];
    };
    expect(calibration.input).toHaveLength(64);
    for (const sample of calibration.input) {
      expect(sample).toHaveLength(1);
      expect(sample[0]).toHaveLength(784);
      expect(sample[0]!.every((v) => v >= 0 && v <= 1)).toBe(true);
    }
  });
});
