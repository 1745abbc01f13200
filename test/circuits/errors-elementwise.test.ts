/**
 * Errors of the elementwise ops (Sub, Mul, Div, Clip, BatchNormalization): the error class
 * and the message that names the node, the attribute or input, and the value.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileModel } from '../../circuits/compile.ts';
import { OnnxFormatError, ShapeError, UnsupportedError, ZkInferError } from '../../core/errors.ts';
import { writeOnnxModel, type NodeSpec, type OnnxModelSpec, type TensorSpec } from '../../scripts/onnx-writer.ts';
import { TempDirs } from './harness.ts';

const dirs = new TempDirs();
let dir: string;

beforeAll(async () => {
  dir = await dirs.make('errors-elementwise');
});
afterAll(() => dirs.cleanup());

/** Compiles `spec`, expecting a ZkInferError of class `cls` with the context `node "<node>" (<op>)`. */
async function failure<E extends ZkInferError>(name: string, spec: OnnxModelSpec, cls: new (...args: never[]) => E, context: string): Promise<E> {
  const file = path.join(dir, `${name}.onnx`);
  await writeFile(file, writeOnnxModel(spec));
  let thrown: unknown;
  try {
    await compileModel(file, path.join(dir, `out-${name}`));
  } catch (err) {
    thrown = err;
  }
  if (!(thrown instanceof cls)) expect.fail(`${name}: expected ${cls.name}, got ${thrown === undefined ? 'nothing' : String((thrown as Error).stack ?? thrown)}`);
  expect(thrown.context, name).toEqual([context]);
  return thrown;
}

const scalar = (name: string, value: number): TensorSpec => ({ name, dims: [], data: [value] });

/** x [1,4] (and y [1,4]) → one node → out [1,4]. */
function model(node: NodeSpec, initializers: TensorSpec[] = [], extra: Partial<OnnxModelSpec> = {}): OnnxModelSpec {
  return {
    inputs: [
      { name: 'x', shape: [1, 4] },
      { name: 'y', shape: [1, 4] },
    ],
    outputs: [{ name: 'out', shape: [1, 4] }],
    initializers,
    nodes: [node],
    ...extra,
  };
}

describe('Sub, Mul, Div', () => {
  it('Mul and Div of two computed tensors, Div by a computed tensor', async () => {
    const mul = await failure('mul-computed', model({ opType: 'Mul', name: 'm', inputs: ['x', 'y'], outputs: ['out'] }), UnsupportedError, 'node "m" (Mul)');
    expect(mul.message).toBe('Mul of two computed tensors ("x" and "y") is not supported: only a product with a constant is linear');
    const div = await failure('div-computed', model({ opType: 'Div', name: 'd', inputs: ['x', 'y'], outputs: ['out'] }), UnsupportedError, 'node "d" (Div)');
    expect(div.message).toBe('Div by a computed tensor ("y") is not supported: only division by a constant is linear');
    const reciprocal = await failure('div-of-constant', model({ opType: 'Div', name: 'd', inputs: ['one', 'x'], outputs: ['out'] }, [scalar('one', 1)]), UnsupportedError, 'node "d" (Div)');
    expect(reciprocal.message).toBe('Div by a computed tensor ("x") is not supported: only division by a constant is linear');
  });

  it('Div by zero: a constant divisor, and constants folded at compile time', async () => {
    const zeros: TensorSpec = { name: 'c', dims: [4], data: [1, 2, 0, 4] };
    const err = await failure('div-zero', model({ opType: 'Div', name: 'd', inputs: ['x', 'c'], outputs: ['out'] }, [zeros]), UnsupportedError, 'node "d" (Div)');
    expect(err.message).toBe('Div by zero: the divisor "c" holds 0 at element 2');
    const folded = await failure(
      'div-zero-folded',
      {
        ...model({ opType: 'Add', name: 'a', inputs: ['x', 'q'], outputs: ['out'] }, [scalar('one', 1), scalar('zero', 0)]),
        nodes: [
          { opType: 'Div', name: 'd', inputs: ['one', 'zero'], outputs: ['q'] },
          { opType: 'Add', name: 'a', inputs: ['x', 'q'], outputs: ['out'] },
        ],
      },
      UnsupportedError,
      'node "d" (Div)',
    );
    expect(folded.message).toBe('Div by zero: the divisor "zero" holds 0 at element 0');
  });

  it('shapes that do not broadcast name the op and both shapes', async () => {
    const c: TensorSpec = { name: 'c', dims: [3], data: [1, 2, 3] };
    for (const op of ['Sub', 'Mul', 'Div']) {
      const err = await failure(`${op}-shapes`, model({ opType: op, name: 'n', inputs: ['x', 'c'], outputs: ['out'] }, [c]), ShapeError, `node "n" (${op})`);
      expect(err.message).toBe(`${op} inputs of shapes [1,4] and [3] do not broadcast`);
    }
  });

  it('an attribute of an older opset (Sub-6 broadcast)', async () => {
    const err = await failure('sub-broadcast', model({ opType: 'Sub', name: 's', inputs: ['x', 'y'], outputs: ['out'], attributes: { broadcast: { int: 1 } } }), UnsupportedError, 'node "s" (Sub)');
    expect(err.message).toBe('attribute "broadcast" of Sub is not supported');
  });
});

describe('Clip', () => {
  it('a computed bound, a bound that is not a scalar, and a bound given both ways', async () => {
    const computed = await failure('clip-computed', model({ opType: 'Clip', name: 'c', inputs: ['x', 'y'], outputs: ['out'] }), UnsupportedError, 'node "c" (Clip)');
    expect(computed.message).toBe('Clip input min ("y") must be a constant');
    const vector: TensorSpec = { name: 'hi', dims: [2], data: [1, 2] };
    const shape = await failure('clip-vector', model({ opType: 'Clip', name: 'c', inputs: ['x', '', 'hi'], outputs: ['out'] }, [vector]), ShapeError, 'node "c" (Clip)');
    expect(shape.message).toBe('Clip input max ("hi") must be a scalar, got shape [2]');
    const both = await failure(
      'clip-both',
      model({ opType: 'Clip', name: 'c', inputs: ['x', 'lo'], outputs: ['out'], attributes: { min: { float: 0 } } }, [scalar('lo', 0)]),
      OnnxFormatError,
      'node "c" (Clip)',
    );
    expect(both.message).toBe('Clip takes "min" as an attribute (opset < 11) or as input 1 (opset ≥ 11), not both');
  });
});

describe('BatchNormalization', () => {
  const params = (c: number, dims = [c]): TensorSpec[] =>
    ['scale', 'B', 'mean', 'var'].map((name) => ({ name, dims, data: new Array<number>(dims.reduce((a, b) => a * b, 1)).fill(name === 'var' ? 1 : 0.5) }));
  /** x [1,2,3] → BatchNormalization → out. */
  const bn = (attributes: NodeSpec['attributes'], extra: Partial<OnnxModelSpec> = {}, outputs = ['out'], initializers = params(2)): OnnxModelSpec => ({
    inputs: [{ name: 'x', shape: [1, 2, 3] }],
    outputs: [{ name: 'out', shape: [1, 2, 3] }],
    initializers,
    nodes: [{ opType: 'BatchNormalization', name: 'bn', inputs: ['x', 'scale', 'B', 'mean', 'var'], outputs, ...(attributes ? { attributes } : {}) }],
    ...extra,
  });

  it('training_mode = 1 names the attribute and its value', async () => {
    const err = await failure('bn-training', bn({ training_mode: { int: 1 } }, { opset: 15 }), UnsupportedError, 'node "bn" (BatchNormalization)');
    expect(err.message).toBe('attribute "training_mode" = 1: only inference (training_mode = 0) is supported');
  });

  it('spatial = 0 (opset 7), training outputs, computed statistics, parameters of the wrong shape', async () => {
    const spatial = await failure('bn-spatial', bn({ spatial: { int: 0 } }, { opset: 7 }), UnsupportedError, 'node "bn" (BatchNormalization)');
    expect(spatial.message).toBe('attribute "spatial" = 0: only per-channel statistics (spatial = 1) are supported');
    const outputs = await failure('bn-outputs', bn(undefined, { opset: 9 }, ['out', 'running_mean']), UnsupportedError, 'node "bn" (BatchNormalization)');
    expect(outputs.message).toBe('outputs beyond Y ("running_mean") are training outputs and not supported');
    const computed = await failure(
      'bn-computed',
      { ...bn(undefined, {}, ['out'], params(2).filter((t) => t.name !== 'mean')), inputs: [{ name: 'x', shape: [1, 2, 3] }, { name: 'mean', shape: [2] }] },
      UnsupportedError,
      'node "bn" (BatchNormalization)',
    );
    expect(computed.message).toBe('BatchNormalization input mean ("mean") must be a constant (inference statistics)');
    const shape = await failure('bn-shape', bn(undefined, {}, ['out'], params(3)), ShapeError, 'node "bn" (BatchNormalization)');
    expect(shape.message).toBe('BatchNormalization input scale of shape [3] must be [2], the channels of X [1,2,3]');
  });
});
