/**
 * What a proof reveals (`compile --input public|private|hashed --weights constant|hashed
 * --output logits|argmax|hashed`):
 *
 * - input `public` (the default): the quantized input is a public signal; verifiers check
 *   its range, or the circuit does with --input-range-check.
 * - input `private`: the input is a private signal, range-checked in the circuit (no
 *   verifier can see it to check it); the proof then says "some valid input gives this
 *   output", bound to the content only through the content hash the prover supplies.
 * - input `hashed`: private and range-checked, and the circuit computes the content hash
 *   itself, a Poseidon hash of the quantized input (circuits/hashes.ts), in place of
 *   the prover-supplied one: the proof binds this very input to its output.
 * - weights `constant` (the default): weights are constants of the circuit, and a
 *   multiply-accumulate against a constant costs no constraint.
 * - weights `hashed`: the weights and biases of the weight-bearing ops (WEIGHT_OPS) are
 *   private, given as bits (their range check), and hashed into the model commitment, a
 *   public input the circuit checks (circuits/hashes.ts): it no longer holds the weights, every
 *   multiply-accumulate costs one constraint, and a proof with other weights fails. Other
 *   constants (per-channel Mul/Add, tables, quantization multipliers) stay in the circuit, and
 *   gadget widths still come from the committed weights' value ranges. There is no `private`:
 *   weights without a commitment would let a prover pick any weights, and a proof would say
 *   nothing about which model answered.
 * - output `logits` (the default): every output element is public.
 * - output `argmax`: the circuit appends an ArgMax over the single output's last axis
 *   (ties: the first index, as ONNX's ArgMax) and only the class indices are public: one
 *   signal for a classifier, the cheapest on-chain verdict.
 * - output `hashed`: one public signal, the Poseidon hash of the output tensors; whoever
 *   knows the outputs (output.json) checks them against it.
 *
 * The public signal layout is [outputs… | output hash][content hash][model commitment][public inputs…].
 */
import { InputError, UnsupportedError } from '../core/errors.ts';
import type { Graph } from './graph.ts';
import { isCommitted, isWeighted, type IrModel } from './ir/types.ts';

/** ONNX ops whose constant operands are the model's weights: what `--weights hashed` commits to. */
export const WEIGHT_OPS: ReadonlySet<string> = new Set(['Gemm', 'MatMul', 'Conv', 'QLinearMatMul', 'QLinearConv', 'MatMulInteger', 'ConvInteger']);

/**
 * The IR with the weights and biases of its weight-bearing linear and conv nodes marked
 * committed (private signals under the model commitment). Refuses a model with none.
 */
export function withCommittedWeights(ir: IrModel, model: string): IrModel {
  const nodes = ir.nodes.map((n) => (isWeighted(n) && WEIGHT_OPS.has(n.op) ? { ...n, committed: true } : n));
  if (!nodes.some(isCommitted)) {
    throw new UnsupportedError(`--weights hashed: ${model} has no weights to commit to (no ${[...WEIGHT_OPS].join(', ')} node with constant weights)`, {
      hint: 'use --weights constant',
    });
  }
  return { ...ir, nodes };
}

/** The node `--output argmax` appends (its output is the model's new output). */
export const ARGMAX_OUTPUT_NODE = 'zkinfer_output_argmax';

/**
 * The graph with an ArgMax over its one output's last axis (keepdims 0) as the new output:
 * a [1, 10] classifier becomes a [1] class index. Refuses models with several outputs
 * (which one is the verdict?) and outputs whose last axis has one element (already an
 * index or a score: nothing to choose between).
 */
export function withArgmaxOutput(graph: Graph): Graph {
  if (graph.outputs.length !== 1) {
    throw new InputError(`--output argmax needs a model with one output, but ${graph.name || 'the model'} has ${graph.outputs.length} (${graph.outputs.map((o) => `"${o.name}"`).join(', ')})`, {
      hint: 'use --output logits, or export the model with the verdict as its only output',
    });
  }
  const output = graph.outputs[0]!;
  const classes = output.shape[output.shape.length - 1];
  if (output.shape.length === 0 || classes === undefined || classes < 2) {
    throw new UnsupportedError(`--output argmax: output "${output.name}" has shape [${output.shape}], so its last axis holds no choice of class`, {
      hint: 'argmax needs the class scores along the last axis (e.g. [1, 10]); a model that already returns an index needs --output logits',
    });
  }
  const name = `${output.name}_argmax`;
  return {
    ...graph,
    nodes: [
      ...graph.nodes,
      { name: ARGMAX_OUTPUT_NODE, opType: 'ArgMax', domain: '', inputs: [output.name], outputs: [name], attributes: { axis: -1, keepdims: 0 }, opset: graph.opset },
    ],
    outputs: [{ name, shape: output.shape.slice(0, -1), elementType: 'INT64' }],
  };
}
