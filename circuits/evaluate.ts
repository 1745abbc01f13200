/**
 * The reference integer evaluator: executes the integer IR exactly. It defines
 * the semantics; the circuit must reproduce it bit for bit.
 */
import { InputError } from '../core/errors.ts';
import { evaluateNode } from './ir/index.ts';
import type { IrModel } from './ir/types.ts';
import { sizeOf } from './tensor.ts';

export interface Evaluation {
  /** Every tensor's integers, by name. */
  values: Map<string, bigint[]>;
  /** The graph outputs' integers, in output order. */
  outputs: bigint[][];
}

/** Runs the integer IR on quantized inputs (each flattened row-major). */
export function evaluate(ir: IrModel, inputs: ReadonlyMap<string, readonly bigint[]>): Evaluation {
  const values = new Map<string, bigint[]>();
  for (const t of ir.inputs) {
    const v = inputs.get(t.name);
    if (!v) throw new InputError(`input "${t.name}" is missing`);
    if (v.length !== sizeOf(t.shape)) throw new InputError(`input "${t.name}" has ${v.length} values, the model expects ${sizeOf(t.shape)} ([${t.shape}])`);
    const bad = v.findIndex((x) => x < t.min || x > t.max);
    if (bad >= 0) throw new InputError(`input "${t.name}"[${bad}] = ${v[bad]} is outside its quantized range [${t.min}, ${t.max}]`);
    values.set(t.name, v.slice());
  }
  for (const node of ir.nodes) values.set(node.output, evaluateNode(node, values, ir.tensors));
  return { values, outputs: ir.outputs.map((t) => values.get(t.name)!) };
}
