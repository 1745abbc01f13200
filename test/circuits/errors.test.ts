/**
 * Errors a user can cause, end to end: the error class, and the message text that says
 * the problem and where (file, node, input position), pinned as substrings/regexes; the
 * same through the `zkinfer` CLI (exit code, `error:` on stderr, JSON with --json); and
 * the guarantee that a failing step never corrupts artifacts already in the directory.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileModel } from '../../circuits/compile.ts';
import { opNames } from '../../circuits/ops/index.ts';
import { ArtifactError, InputError, OnnxFormatError, ShapeError, UnsupportedError, ZkInferError } from '../../core/errors.ts';
import { writeOnnxModel, type AttributeValue, type OnnxModelSpec } from '../../scripts/onnx-writer.ts';
import { predict, predictWith } from '../../circuits/predict.ts';
import { loadCompiled } from '../../circuits/ir/serialize.ts';
import { build } from '../../circuits/build.ts';
import { prove } from '../../prover/prove.ts';
import { setup } from '../../prover/setup.ts';
import { computeWitness } from '../../prover/witness.ts';
import { releaseCurves } from '../../core/curves.ts';
import { verifyProof } from '../../verifier/verify.ts';
import { TEST_CACHE_DIR } from '../prover/fixture.ts';
import { mulberry32, TempDirs, uniform, writeModel } from './harness.ts';

process.env.ZKINFER_CACHE_DIR = TEST_CACHE_DIR;

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dirs = new TempDirs();

afterAll(async () => {
  await releaseCurves();
  await dirs.cleanup();
});

/** Runs `fn`, expecting it to throw a ZkInferError of class `cls`; returns the error. */
async function failure<E extends ZkInferError>(fn: () => unknown, cls: new (...args: never[]) => E): Promise<E> {
  let thrown: unknown;
  try {
    await fn();
  } catch (err) {
    thrown = err;
  }
  if (thrown === undefined) expect.fail(`expected ${cls.name}, nothing was thrown`);
  if (!(thrown instanceof cls)) expect.fail(`expected ${cls.name}, got ${String((thrown as Error)?.stack ?? thrown)}`);
  expect((thrown as E).name).toBe(cls.name);
  return thrown as E;
}

/** The model every suite below compiles: x [1,4] → Relu(Gemm) → y [1,3]; z [2,3] → Add(z, c) → s [2,3]. */
function tinySpec(): OnnxModelSpec {
  const rng = mulberry32(42);
  return {
    name: 'tiny',
    inputs: [
      { name: 'x', shape: [1, 4] },
      { name: 'z', shape: [2, 3] },
    ],
    outputs: [
      { name: 'y', shape: [1, 3] },
      { name: 's', shape: [2, 3] },
    ],
    initializers: [
      { name: 'w', dims: [4, 3], data: uniform(rng, 12) },
      { name: 'b', dims: [3], data: uniform(rng, 3) },
      { name: 'c', dims: [3], data: uniform(rng, 3) },
    ],
    nodes: [
      { opType: 'Gemm', name: 'fc', inputs: ['x', 'w', 'b'], outputs: ['h'] },
      { opType: 'Relu', name: 'act', inputs: ['h'], outputs: ['y'] },
      { opType: 'Add', name: 'shift', inputs: ['z', 'c'], outputs: ['s'] },
    ],
  };
}

const GOOD_INPUT = { x: [[0.1, -0.2, 0.3, 0.4]], z: [[0.5, 0.6, -0.7], [0.8, -0.9, 1]] };

/** A one-node model around `node` on input x [1,4] → y. */
function oneNode(node: OnnxModelSpec['nodes'][number], extra: Partial<OnnxModelSpec> = {}): Uint8Array {
  return writeOnnxModel({ inputs: [{ name: 'x', shape: [1, 4] }], outputs: [{ name: 'y', shape: [1, 4] }], nodes: [node], ...extra });
}

// ---------------------------------------------------------------- malformed ONNX

describe('malformed ONNX → OnnxFormatError naming the file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await dirs.make('errors-onnx');
  });

  async function compileBytes(name: string, bytes: Uint8Array): Promise<OnnxFormatError> {
    const file = path.join(dir, name);
    await writeFile(file, bytes);
    const err = await failure(() => compileModel(file, path.join(dir, `out-${name}`)), OnnxFormatError);
    expect(err.message).toContain(file);
    expect(err.context).toContain(file);
    // Nothing is written for a model that does not load.
    expect(existsSync(path.join(dir, `out-${name}`))).toBe(false);
    return err;
  }

  it('random bytes', async () => {
    const rng = mulberry32(7);
    for (let k = 0; k < 5; k++) {
      const bytes = Uint8Array.from({ length: 64 + 97 * k }, () => Math.floor(rng() * 256));
      const err = await compileBytes(`random-${k}.onnx`, bytes);
      // Random bytes either break the protobuf wire format or decode to a ModelProto without a graph.
      expect(err.message).toMatch(/random-\d\.onnx (is not a valid ONNX file: .+|has no graph or an empty graph)$/);
      expect(err.hint).toMatch(/^check that the file is an ONNX model/);
    }
  });

  it('a truncated valid model', async () => {
    const bytes = writeOnnxModel(tinySpec());
    for (const keep of [Math.floor(bytes.length / 2), bytes.length - 3]) {
      const err = await compileBytes(`truncated-${keep}.onnx`, bytes.subarray(0, keep));
      expect(err.message).toMatch(/truncated-\d+\.onnx is not a valid ONNX file: index out of range/);
      expect(err.hint).toMatch(/not truncated/);
      expect(err.cause).toBeInstanceOf(Error);
    }
  });

  it('an empty file', async () => {
    const err = await compileBytes('empty.onnx', new Uint8Array());
    expect(err.message).toMatch(/empty\.onnx has no graph or an empty graph$/);
    expect(err.hint).toBe('check that the file is an ONNX model');
  });

  it('a valid protobuf with an empty graph', async () => {
    const err = await compileBytes('empty-graph.onnx', writeOnnxModel({ inputs: [], outputs: [], nodes: [] }));
    expect(err.message).toMatch(/empty-graph\.onnx has no graph or an empty graph$/);
  });

  it('a graph without inputs, and a node reading a value nothing produces', async () => {
    const noInputs = writeOnnxModel({
      inputs: [],
      outputs: [{ name: 'y', shape: [1] }],
      nodes: [{ opType: 'Constant', inputs: [], outputs: ['y'], attributes: { value_floats: { floats: [1] } } }],
    });
    expect((await compileBytes('no-inputs.onnx', noInputs)).message).toMatch(/no-inputs\.onnx has no \(non-constant\) graph inputs/);

    const file = path.join(dir, 'dangling.onnx');
    await writeFile(file, oneNode({ opType: 'Relu', name: 'act', inputs: ['nowhere'], outputs: ['y'] }));
    const err = await failure(() => compileModel(file, path.join(dir, 'out-dangling')), OnnxFormatError);
    expect(err.message).toBe('input "nowhere" is not produced by any earlier node, initializer or graph input');
    expect(err.context).toEqual(['node "act" (Relu)']);
  });

  // An empty name means "omitted" in ONNX, allowed only for optional inputs.
  it('a node with an empty required input', async () => {
    const file = path.join(dir, 'empty-input.onnx');
    await writeFile(
      file,
      writeOnnxModel({
        inputs: [{ name: 'x', shape: [1, 4] }],
        outputs: [{ name: 'y', shape: [1, 3] }],
        initializers: [{ name: 'w', dims: [4, 3], data: new Array<number>(12).fill(0.5) }],
        nodes: [{ opType: 'Gemm', name: 'fc', inputs: ['', 'w'], outputs: ['y'] }],
      }),
    );
    const err = await failure(() => compileModel(file, path.join(dir, 'out-empty-input')), OnnxFormatError);
    expect(err.context).toEqual(['node "fc" (Gemm)']);
  });
});

// ---------------------------------------------------------------- unsupported

describe('unsupported ops and attributes → UnsupportedError naming node, op, domain, opset', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await dirs.make('errors-unsupported');
  });

  async function compileSpec(name: string, bytes: Uint8Array): Promise<UnsupportedError> {
    const file = path.join(dir, `${name}.onnx`);
    await writeFile(file, bytes);
    return failure(() => compileModel(file, path.join(dir, `out-${name}`)), UnsupportedError);
  }

  it('an op outside the registry (Sin)', async () => {
    const err = await compileSpec('sin', oneNode({ opType: 'Sin', name: 'sine', inputs: ['x'], outputs: ['y'] }));
    expect(err.message).toBe('unsupported op Sin in domain "ai.onnx" (opset 13)');
    expect(err.context).toEqual(['node "sine" (Sin)']);
    expect(err.hint).toBe(`supported ops: ${opNames().join(', ')}`);
    expect(opNames()).toEqual(expect.arrayContaining(['Gemm', 'Conv', 'MaxPool', 'AveragePool', 'QLinearConv', 'com.microsoft:QLinearAdd']));
  });

  it('the opset is the model’s own', async () => {
    const err = await compileSpec('sin17', oneNode({ opType: 'Sin', name: 'sine', inputs: ['x'], outputs: ['y'] }, { opset: 17 }));
    expect(err.message).toMatch(/\(opset 17\)$/);
  });

  it('an op in a custom domain (com.microsoft), even one whose name is supported', async () => {
    const msOpset = { extraOpsets: [{ domain: 'com.microsoft', version: 1 }] };
    const gelu = await compileSpec('gelu', oneNode({ opType: 'Gelu', domain: 'com.microsoft', name: 'gelu0', inputs: ['x'], outputs: ['y'] }, msOpset));
    expect(gelu.message).toMatch(/^unsupported op Gelu in domain "com\.microsoft" \(opset 1\)$/);
    expect(gelu.context).toEqual(['node "gelu0" (Gelu)']);
    const relu = await compileSpec('ms-relu', oneNode({ opType: 'Relu', domain: 'com.microsoft', name: 'r', inputs: ['x'], outputs: ['y'] }, msOpset));
    expect(relu.message).toMatch(/^unsupported op Relu in domain "com\.microsoft"/);
  });

  it('an attribute the op does not take', async () => {
    const err = await compileSpec('attr', oneNode({ opType: 'Relu', name: 'act', inputs: ['x'], outputs: ['y'], attributes: { slope: { float: 0.1 } } }));
    expect(err.message).toBe('attribute "slope" of Relu is not supported');
    expect(err.context).toEqual(['node "act" (Relu)']);
    expect(err.hint).toBe('Relu takes no attributes');

    const gemm = await compileSpec(
      'gemm-attr',
      writeOnnxModel({
        inputs: [{ name: 'x', shape: [1, 4] }],
        outputs: [{ name: 'y', shape: [1, 3] }],
        initializers: [{ name: 'w', dims: [4, 3], data: new Array<number>(12).fill(0.5) }],
        nodes: [{ opType: 'Gemm', name: 'fc', inputs: ['x', 'w'], outputs: ['y'], attributes: { broadcast: { int: 1 } } }],
      }),
    );
    expect(gemm.message).toBe('attribute "broadcast" of Gemm is not supported');
    expect(gemm.hint).toBe('Gemm takes alpha, beta, transA, transB');
  });

  it('an integer tensor read by an op whose ONNX integer semantics (wrapping) the circuit does not keep', async () => {
    const err = await compileSpec(
      'int8-input',
      writeOnnxModel({ inputs: [{ name: 'x', shape: [1, 4], elemType: 'INT8' }], outputs: [{ name: 'y', shape: [1, 4] }], nodes: [{ opType: 'Relu', name: 'r', inputs: ['x'], outputs: ['y'] }] }),
    );
    expect(err.message).toBe('Relu reads "x", an INT8 tensor: ONNX integer arithmetic (wrapping on overflow) is not supported for Relu');
    expect(err.context).toEqual(['node "r" (Relu)']);
  });

  it('Conv and pool attribute values it cannot take name the node, the attribute and the value', async () => {
    const convModel = (attributes: Record<string, AttributeValue>, weightDims = [2, 1, 3, 3], channels = 1) =>
      writeOnnxModel({
        inputs: [{ name: 'x', shape: [1, channels, 6, 6] }],
        outputs: [{ name: 'y', shape: [1, 2, 4, 4] }],
        initializers: [{ name: 'w', dims: weightDims, data: new Array<number>(weightDims.reduce((a, b) => a * b, 1)).fill(0.5) }],
        nodes: [{ opType: 'Conv', name: 'conv1', inputs: ['x', 'w'], outputs: ['y'], attributes }],
      });
    const poolModel = (opType: string, attributes: Record<string, AttributeValue>, outputs = ['y']) =>
      writeOnnxModel({
        inputs: [{ name: 'x', shape: [1, 2, 6, 6] }],
        outputs: [{ name: 'y', shape: [1, 2, 3, 3] }],
        nodes: [{ opType, name: 'pool1', inputs: ['x'], outputs, attributes }],
      });
    const cases: [string, Uint8Array, RegExp, string][] = [
      ['auto-pad', convModel({ auto_pad: { string: 'SAME' } }), /^attribute "auto_pad" = "SAME": expected NOTSET, VALID, SAME_UPPER or SAME_LOWER$/, 'node "conv1" (Conv)'],
      ['group', convModel({ group: { int: 3 } }, [2, 1, 3, 3], 2), /^attribute "group" = 3 must divide both the 2 input and the 2 output channels$/, 'node "conv1" (Conv)'],
      ['strides', convModel({ strides: { ints: [0, 1] } }), /^attribute "strides" = \[0,1\]: strides must be at least 1$/, 'node "conv1" (Conv)'],
      ['pads-length', convModel({ pads: { ints: [1, 1] } }), /^attribute "pads" = \[1,1\] must hold 4 integers/, 'node "conv1" (Conv)'],
      ['kernel-too-big', convModel({ pads: { ints: [0, 0, 0, 0] } }, [2, 1, 7, 7]), /^attribute "kernel_shape" = \[7,7\]: the window .* is larger than the padded input/, 'node "conv1" (Conv)'],
      ['storage-order', poolModel('MaxPool', { kernel_shape: { ints: [2, 2] }, storage_order: { int: 1 } }), /^attribute "storage_order" = 1: only 0 \(row major\) is supported$/, 'node "pool1" (MaxPool)'],
      ['indices', poolModel('MaxPool', { kernel_shape: { ints: [2, 2] } }, ['y', 'where']), /^the second output of MaxPool \("where", the indices\) is not supported$/, 'node "pool1" (MaxPool)'],
      ['no-kernel', poolModel('AveragePool', {}), /^AveragePool needs the attribute "kernel_shape"$/, 'node "pool1" (AveragePool)'],
    ];
    for (const [name, bytes, message, context] of cases) {
      const err = await compileSpec(name, bytes);
      expect(err.message, name).toMatch(message);
      expect(err.context, name).toEqual([context]);
    }
  });

  it('Gemm whose B is not a constant', async () => {
    const err = await compileSpec(
      'gemm-b',
      writeOnnxModel({
        inputs: [
          { name: 'x', shape: [1, 4] },
          { name: 'weights', shape: [4, 3] },
        ],
        outputs: [{ name: 'y', shape: [1, 3] }],
        nodes: [{ opType: 'Gemm', name: 'fc', inputs: ['x', 'weights'], outputs: ['y'] }],
      }),
    );
    expect(err.message).toMatch(/^Gemm input B \("weights"\) must be a constant \(the layer's weights\)/);
    expect(err.context).toEqual(['node "fc" (Gemm)']);
  });

  it('a Constant of an unsupported kind, and a Reshape to a computed shape', async () => {
    const sparse = await compileSpec(
      'const-string',
      writeOnnxModel({
        inputs: [{ name: 'x', shape: [1, 4] }],
        outputs: [{ name: 'y', shape: [1, 4] }],
        nodes: [
          { opType: 'Constant', name: 'k', inputs: [], outputs: ['c'], attributes: { value_string: { string: 'hi' } } },
          { opType: 'Relu', inputs: ['x'], outputs: ['y'] },
        ],
      }),
    );
    expect(sparse.message).toBe('attribute "value_string" of Constant is not supported');
    expect(sparse.context).toEqual(['node "k" (Constant)']);

    const reshapeModel = (elemType: 'INT64' | 'FLOAT') =>
      writeOnnxModel({
        inputs: [
          { name: 'x', shape: [1, 4] },
          { name: 'target', shape: [2], elemType },
        ],
        outputs: [{ name: 'y', shape: [2, 2] }],
        nodes: [{ opType: 'Reshape', name: 'rs', inputs: ['x', 'target'], outputs: ['y'] }],
      });
    // As ONNX types it (int64), the target is refused at load: 64-bit integer inputs are not taken.
    const int64Target = await compileSpec('reshape-int64-input', reshapeModel('INT64'));
    expect(int64Target.message).toBe('graph input "target" has data type INT64: only float and 8-, 16- or 32-bit integer inputs are supported');
    // Typed as a float, it reaches Reshape, which names the computed operand.
    const reshape = await compileSpec('reshape-computed', reshapeModel('FLOAT'));
    expect(reshape.message).toBe('Reshape needs a constant target shape; input "target" is computed');
    expect(reshape.context).toEqual(['node "rs" (Reshape)']);
  });
});

// ---------------------------------------------------------------- inputs

describe('inputs to predict and computeWitness', () => {
  let dir: string;
  beforeAll(async () => {
    const work = await dirs.make('errors-inputs');
    dir = path.join(work, 'out');
    await build(await writeModel(work, tinySpec()), dir);
  });

  /** Runs the same input through predict (evaluator) and computeWitness (circuit): both must fail alike. */
  async function bothFail<E extends ZkInferError>(input: unknown, cls: new (...args: never[]) => E): Promise<E> {
    const a = await failure(() => predict(dir, input, 'input.json'), cls);
    const b = await failure(() => computeWitness(dir, input, 'input.json'), cls);
    expect(b.message).toBe(a.message);
    expect(b.context).toEqual(a.context);
    return a;
  }

  it('the good input works (the baseline for the cases below)', async () => {
    const { manifest, ir } = await loadCompiled(dir);
    const predicted = predictWith(manifest, ir, GOOD_INPUT, 'good');
    const witness = await computeWitness(dir, GOOD_INPUT, 'good');
    expect(witness.outputs.map((o) => o.integers.map(String))).toEqual(predicted.outputs.map((o) => o.integers));
  });

  it('the wrong number of values → ShapeError naming the input and both shapes', async () => {
    const err = await bothFail({ ...GOOD_INPUT, x: [0.1, 0.2, 0.3] }, ShapeError);
    expect(err.message).toBe('input "x" has shape [3], the model expects [1,4]');
    expect(err.context).toEqual(['input.json']);
    expect(err.hint).toBe('give a nested array of 4 numbers shaped [1,4]');
  });

  it('a wrong nested shape → ShapeError naming the input and both shapes', async () => {
    const transposed = await bothFail({ ...GOOD_INPUT, z: [[1, 2], [3, 4], [5, 6]] }, ShapeError);
    expect(transposed.message).toBe('input "z" has shape [3,2], the model expects [2,3]');
    const flat = await bothFail({ ...GOOD_INPUT, z: [1, 2, 3, 4, 5, 6] }, ShapeError);
    expect(flat.message).toBe('input "z" has shape [6], the model expects [2,3]');
    const ragged = await bothFail({ ...GOOD_INPUT, z: [[1, 2, 3], [4, 5]] }, ShapeError);
    expect(ragged.message).toBe('input "z" is not rectangular: input "z"[0] has shape [3] but input "z"[1] has shape [2]');
  });

  it('non-numeric values → InputError naming the position', async () => {
    const text = await bothFail({ ...GOOD_INPUT, x: 'abc' }, InputError);
    expect(text.message).toBe('input "x" is "abc": expected a number or an array of numbers');
    const nul = await bothFail({ ...GOOD_INPUT, x: [[0.1, 0.2, null, 0.4]] }, InputError);
    expect(nul.message).toBe('input "x"[0][2] is null: expected a number or an array of numbers');
    const nested = await bothFail({ ...GOOD_INPUT, z: [[1, 2, 3], [4, '5', 6]] }, InputError);
    expect(nested.message).toBe('input "z"[1][1] is "5": expected a number or an array of numbers');
    const object = await bothFail({ ...GOOD_INPUT, z: {} }, InputError);
    expect(object.message).toBe('input "z" is {}: expected a number or an array of numbers');
    const nan = await bothFail({ ...GOOD_INPUT, x: [[0.1, Number.NaN, 0.3, 0.4]] }, InputError);
    expect(nan.message).toBe('input "x"[0][1] is NaN: inputs must be finite numbers');
    const empty = await bothFail({ ...GOOD_INPUT, x: [] }, InputError);
    expect(empty.message).toBe('input "x" is an empty array');
  });

  it('an unknown input name, a missing input, a bare array for two inputs, not an object', async () => {
    const unknown = await bothFail({ ...GOOD_INPUT, w: [1] }, InputError);
    expect(unknown.message).toBe('unknown input "w"');
    expect(unknown.hint).toBe('the model\'s inputs are "x", "z"');
    const missing = await bothFail({ x: GOOD_INPUT.x }, InputError);
    expect(missing.message).toBe('input "z" is missing');
    expect(missing.hint).toBe('the model\'s inputs are "x" [1,4], "z" [2,3]');
    const bare = await bothFail([[0.1, 0.2, 0.3, 0.4]], InputError);
    expect(bare.message).toBe('a bare array was given but the model has 2 inputs');
    const nul = await bothFail(null, InputError);
    expect(nul.message).toBe('input must be a JSON object or array, got null');
    const text = await bothFail('x', InputError);
    expect(text.message).toBe('input must be a JSON object or array, got string');
  });
});

// ---------------------------------------------------------------- missing artifacts

describe('missing artifacts → ArtifactError naming the file and the command to run', () => {
  let empty: string;
  let compiledOnly: string;
  let built: string;
  beforeAll(async () => {
    empty = await dirs.make('errors-empty');
    const work = await dirs.make('errors-artifacts');
    const model = await writeModel(work, tinySpec());
    compiledOnly = path.join(work, 'compiled-only');
    await compileModel(model, compiledOnly);
    built = path.join(work, 'built');
    await build(model, built);
  });

  it('setup before compile: no manifest, or a manifest but no circom output', async () => {
    const none = await failure(() => setup(empty), ArtifactError);
    expect(none.message).toBe(`manifest.json not found in ${empty}: run zkinfer compile first`);
    expect(none.context).toEqual([path.join(empty, 'manifest.json')]);
    const noR1cs = await failure(() => setup(compiledOnly), ArtifactError);
    expect(noR1cs.message).toBe(`model.r1cs not found in ${compiledOnly}: run zkinfer compile first`);
    expect(noR1cs.hint).toBe('"zkinfer compile" writes model.r1cs');
  });

  it('prove before setup', async () => {
    const err = await failure(() => prove(built, GOOD_INPUT, { source: 'input.json' }), ArtifactError);
    expect(err.message).toBe(`model.zkey not found in ${built}: run zkinfer setup first`);
    expect(err.hint).toBe('"zkinfer setup" writes model.zkey');
  });

  it('verify without verification_key.json', async () => {
    const err = await failure(() => verifyProof(built), ArtifactError);
    expect(err.message).toBe(`verification_key.json not found in ${built}: run zkinfer setup first`);
  });

  it('witness before circom', async () => {
    const err = await failure(() => computeWitness(compiledOnly, GOOD_INPUT, 'input.json'), ArtifactError);
    expect(err.message).toBe(`model.wasm not found in ${path.join(compiledOnly, 'model_js')}: run zkinfer compile first`);
  });

  it('predict on an empty directory', async () => {
    const err = await failure(() => predict(empty, GOOD_INPUT, 'input.json'), ArtifactError);
    expect(err.message).toBe(`manifest.json not found in ${empty}: run zkinfer compile first`);
    expect(err.hint).toBe('"zkinfer compile" writes manifest.json');
  });

  it('compile of a model file that does not exist', async () => {
    const missing = path.join(empty, 'nope.onnx');
    const err = await failure(() => compileModel(missing, path.join(empty, 'out')), ArtifactError);
    expect(err.message).toBe(`cannot read the model ${missing}: ENOENT`);
  });
});

// ---------------------------------------------------------------- calibration

describe('bad calibration files', () => {
  let work: string;
  let model: string;
  beforeAll(async () => {
    work = await dirs.make('errors-calibration');
    model = await writeModel(work, tinySpec());
  });

  async function calibrate<E extends ZkInferError>(name: string, text: string | undefined, cls: new (...args: never[]) => E): Promise<E> {
    const file = path.join(work, name);
    if (text !== undefined) await writeFile(file, text);
    return failure(() => compileModel(model, path.join(work, `out-${name}`), { calibration: file }), cls);
  }

  it('not JSON, or no file', async () => {
    const file = path.join(work, 'broken.json');
    const err = await calibrate('broken.json', '{"x": [1, 2', InputError);
    expect(err.message).toMatch(new RegExp(`^the calibration file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON: `));
    const missing = await calibrate('absent.json', undefined, InputError);
    expect(missing.message).toBe(`cannot read the calibration file ${path.join(work, 'absent.json')}: ENOENT`);
  });

  it('the wrong shape → ShapeError naming the sample', async () => {
    const err = await calibrate('short.json', JSON.stringify({ x: [[[1, 2, 3]]], z: [GOOD_INPUT.z] }), ShapeError);
    expect(err.message).toBe('input "x" has shape [1,3], the model expects [1,4]');
    expect(err.context).toEqual([`${path.join(work, 'short.json')}, sample 0`]);
  });

  it('the wrong structure', async () => {
    const file = (n: string) => path.join(work, n);
    const noInput = await calibrate('no-z.json', JSON.stringify({ x: [GOOD_INPUT.x] }), InputError);
    expect(noInput.message).toBe('calibration has no samples for input "z"');
    expect(noInput.context).toEqual([file('no-z.json')]);
    const counts = await calibrate('counts.json', JSON.stringify({ x: [GOOD_INPUT.x, GOOD_INPUT.x], z: [GOOD_INPUT.z] }), InputError);
    expect(counts.message).toBe('calibration has a different number of samples per input');
    const none = await calibrate('none.json', '[]', InputError);
    expect(none.message).toBe('calibration holds no samples');
    const scalar = await calibrate('scalar.json', '42', InputError);
    expect(scalar.message).toBe('calibration must be a JSON object or array');
    const ezkl = await calibrate('ezkl.json', JSON.stringify({ input_data: [[1, 2, 3, 4]] }), InputError);
    expect(ezkl.message).toBe('"input_data" must list one flattened array per model input (2)');
    const text = await calibrate('text.json', JSON.stringify([{ x: GOOD_INPUT.x, z: 'abc' }]), InputError);
    expect(text.message).toBe('input "z" is "abc": expected a number or an array of numbers');
  });

  it('a non-numeric calibration value names the file and the sample', async () => {
    const text = await calibrate('text2.json', JSON.stringify([{ x: GOOD_INPUT.x, z: GOOD_INPUT.z }, { x: GOOD_INPUT.x, z: [[1, 2, 3], [4, null, 6]] }]), InputError);
    expect(text.message).toBe('input "z"[1][1] is null: expected a number or an array of numbers');
    expect(text.context).toEqual([`${path.join(work, 'text2.json')}, sample 1`]);
  });
});

// ---------------------------------------------------------------- artifacts stay intact

describe('a failing step never corrupts existing artifacts', () => {
  let work: string;
  let dir: string;
  const KEPT = ['manifest.json', 'model.circom', 'ir.json', 'model.r1cs', 'model.sym'];
  let before: Map<string, Buffer>;

  beforeAll(async () => {
    work = await dirs.make('errors-atomic');
    dir = path.join(work, 'out');
    await build(await writeModel(work, tinySpec()), dir);
    before = new Map(await Promise.all(KEPT.map(async (f) => [f, await readFile(path.join(dir, f))] as const)));
  });

  async function expectIntact(): Promise<void> {
    for (const [f, bytes] of before) expect((await readFile(path.join(dir, f))).equals(bytes), f).toBe(true);
    expect((await readdir(dir)).filter((f) => f.startsWith('.'))).toEqual([]);
    // And the directory still works.
    const witness = await computeWitness(dir, GOOD_INPUT, 'good');
    expect(witness.outputs).toHaveLength(2);
  }

  it('an unsupported op compiled into the same directory', async () => {
    const bad = path.join(work, 'sin.onnx');
    await writeFile(bad, oneNode({ opType: 'Sin', name: 'sine', inputs: ['x'], outputs: ['y'] }));
    await failure(() => compileModel(bad, dir), UnsupportedError);
    await failure(() => build(bad, dir), UnsupportedError);
    await expectIntact();
  });

  it('a malformed model or a bad calibration file compiled into the same directory', async () => {
    const garbage = path.join(work, 'garbage.onnx');
    await writeFile(garbage, Uint8Array.from({ length: 100 }, (_, i) => (i * 37) & 0xff));
    await failure(() => build(garbage, dir), OnnxFormatError);
    const calibration = path.join(work, 'calibration.json');
    await writeFile(calibration, '{"x": [[1, 2]]');
    await failure(() => build(path.join(work, 'model.onnx'), dir, { calibration }), InputError);
    await expectIntact();
  });

  it('a failing compile into a new directory leaves nothing behind', async () => {
    const bad = path.join(work, 'sin.onnx');
    await failure(() => build(bad, path.join(work, 'never')), UnsupportedError);
    expect(existsSync(path.join(work, 'never'))).toBe(false);
  });
});

// ---------------------------------------------------------------- the CLI

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function zkinfer(...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, 'bin/zkinfer.js'), ...args],
      { cwd: REPO_ROOT, env: { ...process.env, ZKINFER_CACHE_DIR: TEST_CACHE_DIR }, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

interface JsonError {
  error: { type: string; message: string; context: string[]; hint?: string };
}

describe('the CLI: exit code, `error:` on stderr, a JSON error object with --json', () => {
  let work: string;
  let model: string;
  let sin: string;
  let garbage: string;
  let empty: string;
  beforeAll(async () => {
    work = await dirs.make('errors-cli');
    empty = await dirs.make('errors-cli-empty');
    model = await writeModel(work, tinySpec());
    sin = path.join(work, 'sin.onnx');
    await writeFile(sin, oneNode({ opType: 'Sin', name: 'sine', inputs: ['x'], outputs: ['y'] }));
    garbage = path.join(work, 'garbage.onnx');
    await writeFile(garbage, writeOnnxModel(tinySpec()).subarray(0, 40));
  });

  /** Runs a failing command twice, as text and with --json; checks both forms; returns the JSON error. */
  async function fails(args: string[], type: string, pattern: RegExp): Promise<JsonError['error']> {
    const text = await zkinfer(...args);
    expect(text.code, text.stderr).toBe(1);
    expect(text.stderr).toMatch(/^error: /);
    expect(text.stderr).toMatch(pattern);
    expect(text.stdout).toBe('');
    const json = await zkinfer(...args, '--json');
    expect(json.code, json.stderr).toBe(1);
    const parsed = JSON.parse(json.stdout) as JsonError;
    expect(Object.keys(parsed)).toEqual(['error']);
    expect(Object.keys(parsed.error).filter((k) => k !== 'hint')).toEqual(['type', 'message', 'context']);
    expect(parsed.error.type).toBe(type);
    expect(parsed.error.message).toMatch(pattern);
    expect(Array.isArray(parsed.error.context)).toBe(true);
    return parsed.error;
  }

  it('compile of a truncated model', async () => {
    const err = await fails(['compile', garbage, '-o', path.join(work, 'out-garbage')], 'OnnxFormatError', /garbage\.onnx is not a valid ONNX file/);
    expect(err.context).toEqual([garbage]);
    expect(err.hint).toMatch(/not truncated/);
  });

  it('compile of an unsupported op', async () => {
    const err = await fails(['compile', sin, '-o', path.join(work, 'out-sin')], 'UnsupportedError', /unsupported op Sin in domain "ai\.onnx" \(opset 13\)/);
    expect(err.context).toEqual(['node "sine" (Sin)']);
    expect(err.hint).toMatch(/^supported ops: /);
  });

  it('compile with a calibration file that is not JSON', async () => {
    const calibration = path.join(work, 'bad-calibration.json');
    await writeFile(calibration, 'not json');
    await fails(['compile', model, '-o', path.join(work, 'out-cal'), '--calibration', calibration], 'InputError', /the calibration file .*bad-calibration\.json is not valid JSON/);
  });

  it('predict and setup on an empty directory', async () => {
    const input = path.join(work, 'input.json');
    await writeFile(input, JSON.stringify(GOOD_INPUT));
    const predicted = await fails(['predict', empty, '--input', input], 'ArtifactError', /manifest\.json not found in .*: run zkinfer compile first/);
    expect(predicted.hint).toMatch(/zkinfer compile/);
    await fails(['setup', empty], 'ArtifactError', /manifest\.json not found in .*: run zkinfer compile first/);
  });

  it('compile → setup → prove → verify: exit 0 for a valid proof, 1 for a tampered public.json; input errors on the way', async () => {
    const dir = path.join(work, 'pipeline');
    const compiled = await zkinfer('compile', model, '-o', dir, '--json');
    expect(compiled.code, compiled.stderr).toBe(0);
    expect((JSON.parse(compiled.stdout) as { manifest: { circuit: { compiled: boolean } } }).manifest.circuit.compiled).toBe(true);

    // A wrong input shape, through predict, before any setup.
    const badInput = path.join(work, 'bad-input.json');
    await writeFile(badInput, JSON.stringify({ ...GOOD_INPUT, x: [1, 2, 3] }));
    await fails(['predict', dir, '--input', badInput], 'ShapeError', /input "x" has shape \[3\], the model expects \[1,4\]/);
    const input = path.join(work, 'good-input.json');
    await writeFile(input, JSON.stringify(GOOD_INPUT));
    await fails(['prove', dir, '--input', input], 'ArtifactError', /model\.zkey not found in .*: run zkinfer setup first/);

    const setupRun = await zkinfer('setup', dir, '--json');
    expect(setupRun.code, setupRun.stderr).toBe(0);
    const proved = await zkinfer('prove', dir, '--input', input, '--json');
    expect(proved.code, proved.stderr).toBe(0);

    const valid = await zkinfer('verify', dir);
    expect(valid.code, valid.stderr).toBe(0);
    expect(valid.stdout).toMatch(/^valid proof/);

    // Tamper with the first output: the proof no longer matches its public signals.
    const publicFile = path.join(dir, 'public.json');
    const signals = JSON.parse(await readFile(publicFile, 'utf8')) as string[];
    const tampered = path.join(work, 'tampered-public.json');
    await writeFile(tampered, JSON.stringify([String(BigInt(signals[0]!) + 1n), ...signals.slice(1)]));
    const invalid = await zkinfer('verify', dir, '--public', tampered);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toMatch(/^INVALID proof: the pairing check failed/);
    const invalidJson = await zkinfer('verify', dir, '--public', tampered, '--json');
    expect(invalidJson.code).toBe(1);
    expect(JSON.parse(invalidJson.stdout)).toMatchObject({ valid: false });

    // And the untampered files still verify after that.
    expect((await zkinfer('verify', dir)).code).toBe(0);
  });
});
