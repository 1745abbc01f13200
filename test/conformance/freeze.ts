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
import { quantizeWeights } from '../../circuits/ops/matmul-lowering.ts';
import type { NodeTest, TestData } from './node-tests.ts';

const { onnx } = onnxProto;

export interface FrozenModel {
  /** The model to compile: the test's own, or the frozen copy. */
  model: string;
  /** Names of the graph inputs made initializers. */
  frozen: string[];
  /**
   * The frozen copy with float weights (Gemm, MatMul, Conv) as the compiler sees them:
   * quantized to `bits` bits symmetric per tensor (alpha folded in, as Gemm's lowering does),
   * then dequantized. Running it on the quantized inputs measures the error the circuit may have.
   */
  seenModel: string;
}

/** The inputs whose float values the compiler quantizes as weights, by op. */
const WEIGHT_OPERANDS: Readonly<Record<string, number>> = { Gemm: 1, MatMul: 1, Conv: 1 };

/** The values as the compiler's weights hold them: quantize(alpha · w) · scale / alpha. */
function asCompiledWeights(data: readonly number[], alpha: number, bits: number): number[] {
  const q = quantizeWeights(Float64Array.from(data, (v) => alpha * v), bits);
  return q.values.map((v) => (Number(v) * q.scale) / alpha);
}

/** Whether every reader of `value` reads it at a position its op compiles in as a constant. */
function onlyConstantOperand(graph: OnnxTypes.IGraphProto, value: string): boolean {
  const uses = (graph.node ?? []).flatMap((n) => (n.input ?? []).flatMap((v, i) => (v === value ? [{ n, i }] : [])));
  return uses.length > 0 && uses.every(({ n, i }) => findOp(n.domain ?? '', n.opType ?? '')?.constantInputs?.includes(i) === true);
}

/** Freezes the test's constant operands into a copy of its model in `dir` (or returns the model itself). */
export async function freezeConstantOperands(test: NodeTest, data: TestData, dir: string, bits = 8): Promise<FrozenModel> {
  const model = onnx.ModelProto.decode(await readFile(test.model));
  const seen = onnx.ModelProto.decode(await readFile(test.model));
  const graph = model.graph!;
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const inputs = (graph.input ?? []).filter((v) => !initializers.has(v.name));
  const frozen: string[] = [];
  for (const [position, input] of inputs.entries()) {
    const name = input.name ?? '';
    if (!onlyConstantOperand(graph, name)) continue;
    const tensor = data.inputs.find((t) => t.name === name) ?? data.inputs[position];
    if (!tensor) continue;
    const bytes = await readFile(tensor.file);
    const proto = onnx.TensorProto.decode(bytes);
    proto.name = name;
    graph.initializer = [...(graph.initializer ?? []), proto];
    graph.input = (graph.input ?? []).filter((v) => v.name !== name);
    frozen.push(name);
    // The same in the seen copy, weights as the compiler quantizes them.
    const seenProto = onnx.TensorProto.decode(bytes);
    seenProto.name = name;
    const weightOf = (graph.node ?? []).find((n) => WEIGHT_OPERANDS[n.opType ?? ''] !== undefined && n.input?.[WEIGHT_OPERANDS[n.opType ?? '']!] === name);
    if (weightOf && proto.dataType === onnx.TensorProto.DataType.FLOAT) {
      const alpha = weightOf.opType === 'Gemm' ? (weightOf.attribute?.find((a) => a.name === 'alpha')?.f ?? 1) : 1;
      // Absent, not empty: an empty raw_data still counts as the data.
      Reflect.deleteProperty(seenProto, 'rawData');
      seenProto.floatData = asCompiledWeights(tensor.data, alpha, bits);
    }
    seen.graph!.initializer = [...(seen.graph!.initializer ?? []), seenProto];
    seen.graph!.input = (seen.graph!.input ?? []).filter((v) => v.name !== name);
  }
  if (frozen.length === 0) return { model: test.model, frozen, seenModel: test.model };
  const file = path.join(dir, 'model.frozen.onnx');
  const seenFile = path.join(dir, 'model.seen.onnx');
  await writeFile(file, onnx.ModelProto.encode(model).finish());
  await writeFile(seenFile, onnx.ModelProto.encode(seen).finish());
  return { model: file, frozen, seenModel: seenFile };
}
