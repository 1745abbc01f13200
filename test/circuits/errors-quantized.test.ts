/**
 * Quantized models: what the compiler cannot take is an UnsupportedError (or OnnxFormatError)
 * naming the node and the attribute, operand or value; nothing is written.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxFormatError, UnsupportedError, ZkInferError } from '../../core/errors.ts';
import type { NodeSpec, OnnxModelSpec, TensorSpec } from '../../scripts/onnx-writer.ts';
import { compileError, TempDirs } from './harness.ts';

const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

const scale = (name: string, values: number[]): TensorSpec => ({ name, dims: values.length === 1 ? [] : [values.length], data: values });
const zero = (name: string, values: number[], elemType: 'UINT8' | 'INT8' | 'INT32' = 'UINT8'): TensorSpec => ({ name, dims: values.length === 1 ? [] : [values.length], elemType, data: values });

/** Compiles one node reading x (float [1, 4], or `xType`); returns its error, which must name the node. */
async function compileOneNode(node: NodeSpec, initializers: TensorSpec[], opts: { xType?: 'UINT8' | 'INT8'; extraInputs?: OnnxModelSpec['inputs']; opset?: number } = {}): Promise<ZkInferError> {
  const err = await compileError(await dirs.make('errors-quantized'), {
    inputs: [{ name: 'x', shape: [1, 4], ...(opts.xType ? { elemType: opts.xType } : {}) }, ...(opts.extraInputs ?? [])],
    outputs: [{ name: 'y', shape: [1, 4] }],
    initializers,
    nodes: [node],
    opset: opts.opset ?? 21,
  });
  expect(err.context).toContain(`node "${node.name}" (${node.opType})`);
  return err;
}

describe('QDQ and QOperator refusals name the node and what it cannot take', () => {
  it('QuantizeLinear: blocked quantization, output_dtype, a computed scale, a non-positive scale, a zero point out of its type', async () => {
    const q = (attributes: NodeSpec['attributes'] = {}, inputs = ['x', 's', 'z']): NodeSpec => ({ opType: 'QuantizeLinear', name: 'q', inputs, outputs: ['y'], attributes });
    const ok = [scale('s', [0.1]), zero('z', [3])];
    let err = await compileOneNode(q({ block_size: { int: 2 } }), ok);
    expect([err.constructor, err.message]).toEqual([UnsupportedError, 'attribute "block_size" = 2 (blocked quantization) is not supported']);
    err = await compileOneNode(q({ output_dtype: { int: 3 } }), ok);
    expect(err.message).toBe('attribute "output_dtype" = 3 is not supported: give the type by the zero point');
    err = await compileOneNode(q(), [zero('z', [3])], { extraInputs: [{ name: 's', shape: [] }] });
    expect([err.constructor, err.message]).toEqual([UnsupportedError, 'QuantizeLinear input 1 ("s", a scale) must be a constant: a scale computed at run time cannot be compiled into the circuit']);
    err = await compileOneNode(q(), [scale('s', [-0.5]), zero('z', [3])]);
    expect([err.constructor, err.message]).toEqual([OnnxFormatError, 'QuantizeLinear scale "s" holds -0.5: scales must be positive and finite']);
  });

  it('DequantizeLinear of a float tensor, and per-axis scales that do not fit the axis', async () => {
    const dq = (inputs = ['x', 's', 'z'], attributes: NodeSpec['attributes'] = {}): NodeSpec => ({ opType: 'DequantizeLinear', name: 'dq', inputs, outputs: ['y'], attributes });
    let err = await compileOneNode(dq(), [scale('s', [0.1]), zero('z', [3])]);
    expect([err.constructor, err.message]).toEqual([UnsupportedError, 'DequantizeLinear input x has type FLOAT but its zero point UINT8']);
    err = await compileOneNode(dq(['x', 's', 'z'], { axis: { int: 1 } }), [scale('s', [0.1, 0.2, 0.3]), zero('z', [0, 0, 0])], { xType: 'UINT8' });
    expect([err.constructor, err.message]).toEqual([OnnxFormatError, 'DequantizeLinear has 3 scales along axis 1, but the input of shape [1,4] has 4 elements there']);
  });

  it('an integer tensor into an op that would wrap, and DynamicQuantizeLinear of computed data', async () => {
    let err = await compileOneNode({ opType: 'Add', name: 'add', inputs: ['x', 'x'], outputs: ['y'] }, [], { xType: 'INT8' });
    expect(err.message).toBe('Add reads "x", an INT8 tensor: ONNX integer arithmetic (wrapping on overflow) is not supported for Add');
    err = await compileOneNode({ opType: 'DynamicQuantizeLinear', name: 'dql', inputs: ['x'], outputs: ['y', 'ys', 'yz'] }, []);
    expect(err.message).toMatch(/^DynamicQuantizeLinear of computed data chooses its scale from the data at run time/);
  });

  it('QLinearMatMul with computed weights', async () => {
    const node: NodeSpec = { opType: 'QLinearMatMul', name: 'qmm', inputs: ['x', 'as', 'az', 'w', 'ws', 'wz', 'ys', 'yz'], outputs: ['y'] };
    const params = [scale('as', [0.1]), zero('az', [0]), scale('ws', [0.1]), zero('wz', [0]), scale('ys', [0.2]), zero('yz', [0])];
    const err = await compileOneNode(node, params, { xType: 'UINT8', extraInputs: [{ name: 'w', shape: [4, 4], elemType: 'UINT8' }] });
    expect([err.constructor, err.message]).toEqual([UnsupportedError, 'QLinearMatMul input 3 ("w") must be a constant: weights, biases, scales and zero points are compiled into the circuit']);
  });
});
