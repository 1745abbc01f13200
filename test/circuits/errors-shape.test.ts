/**
 * Errors of the shape and index ops (Transpose, Squeeze, Unsqueeze, Gather, Concat, Pad): an
 * attribute or constant input value the compiler cannot take is an UnsupportedError naming the
 * node, where the value came from and the value; a computed input that must be a constant
 * names the input; shapes that do not fit are a ShapeError. All raised at compile time,
 * before anything is written.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxFormatError, ShapeError, UnsupportedError, ZkInferError } from '../../core/errors.ts';
import type { NodeSpec, OnnxModelSpec, TensorSpec } from '../../scripts/onnx-writer.ts';
import { compileError, TempDirs } from './harness.ts';

const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

interface Case {
  node: NodeSpec;
  /** Graph inputs besides x [1, 4]. */
  inputs?: OnnxModelSpec['inputs'];
  initializers?: TensorSpec[];
  opset?: number;
}

/** Compiles a model of one node reading x [1, 4]; returns the error it fails with (nothing may be written). */
async function compileOneNode(c: Case): Promise<ZkInferError> {
  return compileError(await dirs.make('errors-shape'), {
    inputs: [{ name: 'x', shape: [1, 4] }, ...(c.inputs ?? [])],
    outputs: [{ name: 'y', shape: [1, 4] }],
    initializers: c.initializers ?? [],
    nodes: [c.node],
    opset: c.opset,
  });
}

const ints = (name: string, data: number[]): TensorSpec => ({ name, dims: [data.length], elemType: 'INT64', data });

async function expectError(c: Case, cls: typeof ZkInferError, message: string): Promise<void> {
  const err = await compileOneNode(c);
  expect(err).toBeInstanceOf(cls);
  expect(err.message).toBe(message);
  expect(err.context).toEqual([`node "${c.node.name}" (${c.node.opType})`]);
}

describe('attribute and constant input values → UnsupportedError naming node, attribute or input, and value', () => {
  it('Transpose: perm that is not a permutation of the axes', async () => {
    const node = (perm: number[]): NodeSpec => ({ opType: 'Transpose', name: 't', inputs: ['x'], outputs: ['y'], attributes: { perm: { ints: perm } } });
    const why = 'expected a permutation of the 2 axes of the input [1,4]';
    await expectError({ node: node([0, 0]) }, UnsupportedError, `attribute "perm" = [0,0]: ${why}`);
    await expectError({ node: node([1, 0, 2]) }, UnsupportedError, `attribute "perm" = [1,0,2]: ${why}`);
    await expectError({ node: node([-1, 0]) }, UnsupportedError, `attribute "perm" = [-1,0]: ${why}`);
  });

  it('Squeeze and Unsqueeze: axes out of range or named twice, as attribute and as input', async () => {
    await expectError(
      { node: { opType: 'Squeeze', name: 'sq', inputs: ['x', 'axes'], outputs: ['y'] }, initializers: [ints('axes', [2])] },
      UnsupportedError,
      'input "axes" = [2]: axis 2 is out of range for rank 2',
    );
    await expectError(
      { node: { opType: 'Squeeze', name: 'sq', inputs: ['x'], outputs: ['y'], attributes: { axes: { ints: [-3] } } }, opset: 11 },
      UnsupportedError,
      'attribute "axes" = [-3]: axis -3 is out of range for rank 2',
    );
    await expectError(
      { node: { opType: 'Unsqueeze', name: 'un', inputs: ['x', 'axes'], outputs: ['y'] }, initializers: [ints('axes', [0, 4])] },
      UnsupportedError,
      'input "axes" = [0,4]: axis 4 is out of range for rank 4',
    );
    await expectError(
      { node: { opType: 'Unsqueeze', name: 'un', inputs: ['x'], outputs: ['y'], attributes: { axes: { ints: [0, -4] } } }, opset: 11 },
      UnsupportedError,
      'attribute "axes" = [0,-4]: an axis is named twice',
    );
  });

  it('Gather: an index out of range, an axis out of range', async () => {
    await expectError(
      { node: { opType: 'Gather', name: 'g', inputs: ['x', 'idx'], outputs: ['y'], attributes: { axis: { int: 1 } } }, initializers: [ints('idx', [0, -5])] },
      UnsupportedError,
      'input "idx" = [0,-5]: index -5 is out of range for axis 1 of size 4',
    );
    await expectError(
      { node: { opType: 'Gather', name: 'g', inputs: ['x', 'idx'], outputs: ['y'], attributes: { axis: { int: 2 } } }, initializers: [ints('idx', [0])] },
      UnsupportedError,
      'attribute "axis" = 2: axis 2 is out of range for rank 2',
    );
  });

  it('Concat: no axis, an axis out of range', async () => {
    await expectError({ node: { opType: 'Concat', name: 'c', inputs: ['x', 'x'], outputs: ['y'] } }, UnsupportedError, 'attribute "axis" = undefined: Concat needs an integer axis');
    await expectError(
      { node: { opType: 'Concat', name: 'c', inputs: ['x', 'x'], outputs: ['y'], attributes: { axis: { int: -3 } } } },
      UnsupportedError,
      'attribute "axis" = -3: axis -3 is out of range for rank 2',
    );
  });

  it('Pad: a mode it does not know, pads of the wrong length or emptying an axis, axes named twice', async () => {
    const pad = (mode: string): NodeSpec => ({ opType: 'Pad', name: 'p', inputs: ['x', 'pads'], outputs: ['y'], attributes: { mode: { string: mode } } });
    const pads = (data: number[]): TensorSpec[] => [ints('pads', data)];
    await expectError({ node: pad('wrap'), initializers: pads([0, 1, 0, 1]), opset: 19 }, UnsupportedError, 'attribute "mode" = "wrap": expected constant, reflect, edge');
    await expectError({ node: pad('symmetric'), initializers: pads([0, 1, 0, 1]) }, UnsupportedError, 'attribute "mode" = "symmetric": expected constant, reflect, edge');
    await expectError(
      { node: pad('constant'), initializers: pads([0, 1, 0]) },
      UnsupportedError,
      'input "pads" = [0,1,0]: expected 4 values: the begin of each of the 2 axes padded, then their ends',
    );
    await expectError({ node: pad('edge'), initializers: pads([0, -2, 0, -2]) }, UnsupportedError, 'input "pads" = [0,-2,0,-2]: the output [1,0] of the input [1,4] would be empty');
    await expectError(
      { node: { opType: 'Pad', name: 'p', inputs: ['x', 'pads', '', 'axes'], outputs: ['y'] }, initializers: [...pads([1, 1, 1, 1]), ints('axes', [1, -1])], opset: 18 },
      UnsupportedError,
      'input "axes" = [1,-1]: an axis is named twice',
    );
    await expectError(
      { node: { opType: 'Pad', name: 'p', inputs: ['x'], outputs: ['y'], attributes: { pads: { ints: [0, 9] } } }, opset: 10 },
      UnsupportedError,
      'attribute "pads" = [0,9]: expected 4 values: the begin of each of the 2 axes padded, then their ends',
    );
  });
});

describe('inputs that must be constants → UnsupportedError naming the computed input', () => {
  it('Gather indices, Pad pads and constant_value, Squeeze and Unsqueeze axes', async () => {
    const computed = (name: string, shape: number[]) => [{ name, shape }];
    await expectError({ node: { opType: 'Gather', name: 'g', inputs: ['x', 'i'], outputs: ['y'] }, inputs: computed('i', [2]) }, UnsupportedError, 'Gather needs constant indices; input "i" is computed');
    await expectError({ node: { opType: 'Pad', name: 'p', inputs: ['x', 'q'], outputs: ['y'] }, inputs: computed('q', [4]) }, UnsupportedError, 'Pad needs constant pads; input "q" is computed');
    await expectError(
      { node: { opType: 'Pad', name: 'p', inputs: ['x', 'pads', 'v'], outputs: ['y'] }, inputs: computed('v', []), initializers: [ints('pads', [0, 1, 0, 1])] },
      UnsupportedError,
      'Pad needs a constant constant_value; input "v" is computed',
    );
    await expectError({ node: { opType: 'Squeeze', name: 'sq', inputs: ['x', 'a'], outputs: ['y'] }, inputs: computed('a', [1]) }, UnsupportedError, 'Squeeze needs constant axes; input "a" is computed');
    await expectError({ node: { opType: 'Unsqueeze', name: 'un', inputs: ['x', 'a'], outputs: ['y'] }, inputs: computed('a', [1]) }, UnsupportedError, 'Unsqueeze needs constant axes; input "a" is computed');
  });
});

describe('shapes that do not fit → ShapeError; missing required values → OnnxFormatError', () => {
  it('Squeeze of an axis whose size is not 1, Concat of mismatched shapes', async () => {
    await expectError(
      { node: { opType: 'Squeeze', name: 'sq', inputs: ['x', 'axes'], outputs: ['y'] }, initializers: [ints('axes', [-1])] },
      ShapeError,
      'Squeeze of axis 1 of the input [1,4], whose size is 4, not 1',
    );
    await expectError(
      { node: { opType: 'Concat', name: 'c', inputs: ['x', 'z'], outputs: ['y'], attributes: { axis: { int: 0 } } }, inputs: [{ name: 'z', shape: [1, 3] }] },
      ShapeError,
      'Concat input 1 of shape [1,3] does not match input 0 [1,4] outside axis 0',
    );
    await expectError(
      { node: { opType: 'Concat', name: 'c', inputs: ['x', 'z'], outputs: ['y'], attributes: { axis: { int: 1 } } }, inputs: [{ name: 'z', shape: [4] }] },
      ShapeError,
      'Concat input 1 of shape [4] does not match input 0 [1,4] outside axis 1',
    );
  });

  it('Unsqueeze without axes, Pad without pads', async () => {
    await expectError({ node: { opType: 'Unsqueeze', name: 'un', inputs: ['x'], outputs: ['y'] } }, OnnxFormatError, 'Unsqueeze needs axes: the attribute "axes" (opset < 13) or a second input');
    await expectError({ node: { opType: 'Pad', name: 'p', inputs: ['x'], outputs: ['y'] }, opset: 10 }, OnnxFormatError, 'Pad needs pads: the attribute "pads" (opset < 11) or a second input');
  });
});
