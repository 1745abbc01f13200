/**
 * Node tests pass every operand as a graph input, weights, scales and zero points included;
 * the compiler compiles those into the circuit (each op's `constantInputs`). So a graph input
 * read only at such positions is frozen: moved to an initializer holding the test's own value,
 * in a copy of the model. The test then checks the same computation on the same data, the way
 * a real model (whose weights are initializers) reaches the compiler; the report names every
 * frozen operand.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { findOp } from '../../circuits/ops/index.ts';
import type { NodeTest, TestData } from './node-tests.ts';

const { onnx } = onnxProto;

export interface FrozenModel {
  /** The model to compile: the test's own, or the frozen copy. */
  model: string;
  /** Names of the graph inputs made initializers. */
  frozen: string[];
}

/** Whether every reader of `value` reads it at a position its op compiles in as a constant. */
function onlyConstantOperand(graph: OnnxTypes.IGraphProto, value: string): boolean {
  const uses = (graph.node ?? []).flatMap((n) => (n.input ?? []).flatMap((v, i) => (v === value ? [{ n, i }] : [])));
  return uses.length > 0 && uses.every(({ n, i }) => findOp(n.domain ?? '', n.opType ?? '')?.constantInputs?.includes(i) === true);
}

/** Freezes the test's constant operands into a copy of its model in `dir` (or returns the model itself). */
export async function freezeConstantOperands(test: NodeTest, data: TestData, dir: string): Promise<FrozenModel> {
  const model = onnx.ModelProto.decode(await readFile(test.model));
  const graph = model.graph!;
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const inputs = (graph.input ?? []).filter((v) => !initializers.has(v.name));
  const frozen: string[] = [];
  for (const [position, input] of inputs.entries()) {
    const name = input.name ?? '';
    if (!onlyConstantOperand(graph, name)) continue;
    const tensor = data.inputs.find((t) => t.name === name) ?? data.inputs[position];
    if (!tensor) continue;
    const proto = onnx.TensorProto.decode(await readFile(tensor.file));
    proto.name = name;
    graph.initializer = [...(graph.initializer ?? []), proto];
    graph.input = (graph.input ?? []).filter((v) => v.name !== name);
    frozen.push(name);
  }
  if (frozen.length === 0) return { model: test.model, frozen };
  const file = path.join(dir, 'model.frozen.onnx');
  await writeFile(file, onnx.ModelProto.encode(model).finish());
  return { model: file, frozen };
}
