/**
 * Attribute values the activations cannot take: the error class, and a message naming the
 * attribute and its value with the node as context.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileModel } from '../../circuits/compile.ts';
import { ShapeError, UnsupportedError, ZkInferError } from '../../core/errors.ts';
import type { AttributeValue, NodeSpec, OnnxModelSpec } from '../../scripts/onnx-writer.ts';
import { TempDirs, writeModel } from './harness.ts';

const dirs = new TempDirs();
let dir: string;
beforeAll(async () => {
  dir = await dirs.make('errors-activation');
});
afterAll(() => dirs.cleanup());

/** x [shape] → one `opType` node named "act" → y, plus `tail` nodes (y → z). */
function model(opType: string, attributes: Record<string, AttributeValue>, o: { shape?: number[]; opset?: number; tail?: NodeSpec[] } = {}): OnnxModelSpec {
  const shape = o.shape ?? [2, 3];
  return {
    inputs: [{ name: 'x', shape }],
    outputs: o.tail ? [{ name: 'z', shape: [2], elemType: 'INT64' }] : [{ name: 'y', shape }],
    nodes: [{ opType, name: 'act', inputs: ['x'], outputs: ['y'], attributes }, ...(o.tail ?? [])],
    ...(o.opset ? { opset: o.opset } : {}),
  };
}

/** Compiles `spec`, expecting a ZkInferError of class `cls`; returns it. */
async function compileError<E extends ZkInferError>(name: string, spec: OnnxModelSpec, cls: new (...args: never[]) => E): Promise<E> {
  const file = await writeModel(dir, spec, `${name}.onnx`);
  const err = await compileModel(file, path.join(dir, `out-${name}`)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, name).toBeInstanceOf(cls);
  return err as E;
}

describe('activation attributes the compiler cannot take', () => {
  it('LeakyRelu with a slope that is not a finite number', async () => {
    for (const alpha of [NaN, Infinity, -Infinity]) {
      const err = await compileError(`leaky-${alpha}`, model('LeakyRelu', { alpha: { float: alpha } }), UnsupportedError);
      expect(err.message).toBe(`attribute "alpha" = ${alpha}: LeakyRelu needs a finite slope`);
      expect(err.context).toEqual(['node "act" (LeakyRelu)']);
    }
  });

  it('Softmax with an axis outside the input’s rank, at opset 13 and at opset 11 (its default axis 1 included)', async () => {
    const cases: [string, OnnxModelSpec, string][] = [
      ['softmax-axis-2', model('Softmax', { axis: { int: 2 } }), 'attribute "axis" = 2 is out of range for an input of rank 2'],
      ['softmax-axis-m3', model('Softmax', { axis: { int: -3 } }, { opset: 11 }), 'attribute "axis" = -3 is out of range for an input of rank 2'],
      ['softmax-default-rank1', model('Softmax', {}, { shape: [4], opset: 11 }), 'attribute "axis" = 1 is out of range for an input of rank 1'],
    ];
    for (const [name, spec, message] of cases) {
      const err = await compileError(name, spec, ShapeError);
      expect(err.message, name).toBe(message);
      expect(err.context, name).toEqual(['node "act" (Softmax)']);
    }
  });

  it('Sigmoid, Tanh and Softmax with attributes they do not take', async () => {
    for (const [op, attribute, takes] of [
      ['Sigmoid', 'alpha', 'no attributes'],
      ['Tanh', 'beta', 'no attributes'],
      ['Softmax', 'keepdims', 'axis'],
      ['LeakyRelu', 'beta', 'alpha'],
    ] as const) {
      const err = await compileError(`${op}-${attribute}`, model(op, { [attribute]: { float: 0.5 } }), UnsupportedError);
      expect(err.message).toBe(`attribute "${attribute}" of ${op} is not supported`);
      expect(err.context).toEqual([`node "act" (${op})`]);
      expect(err.hint).toBe(`${op} takes ${takes}`);
    }
  });

  it('an elided Softmax leaves the ArgMax after it to its own checks (select_last_index = 1)', async () => {
    const pick: NodeSpec = { opType: 'ArgMax', name: 'pick', inputs: ['y'], outputs: ['z'], attributes: { axis: { int: 1 }, keepdims: { int: 0 }, select_last_index: { int: 1 } } };
    const err = await compileError('softmax-argmax-last', model('Softmax', { axis: { int: 1 } }, { tail: [pick] }), UnsupportedError);
    expect(err.message).toMatch(/^ArgMax with select_last_index = 1 is not supported/);
    expect(err.context).toEqual(['node "pick" (ArgMax)']);
  });
});
