/**
 * What a proof reveals (`compile --input public|private|hashed --output logits|argmax`):
 *
 * - input `public` (the default): the quantized input is a public signal; verifiers check
 *   its range, or the circuit does with --input-range-check.
 * - input `private`: the input is a private signal, range-checked in the circuit (no
 *   verifier can see it to check it); the proof then says "some valid input gives this
 *   output", bound to the content only through the content hash the prover supplies.
 * - input `hashed`: private and range-checked, and the circuit computes the content hash
 *   itself, a Poseidon hash of the quantized input (circuits/input-hash.ts), in place of
 *   the prover-supplied one: the proof binds this very input to its output.
 * - output `logits` (the default): every output element is public.
 * - output `argmax`: the circuit appends an ArgMax over the single output's last axis
 *   (ties: the first index, as ONNX's ArgMax) and only the class indices are public: one
 *   signal for a classifier, the cheapest on-chain verdict.
 *
 * The public signal layout stays [outputs…][content hash][public inputs…].
 */
import { InputError, UnsupportedError } from './errors.ts';
import type { Graph } from './graph.ts';

export const INPUT_VISIBILITIES = ['public', 'private', 'hashed'] as const;
export const OUTPUT_VISIBILITIES = ['logits', 'argmax'] as const;
export type InputVisibility = (typeof INPUT_VISIBILITIES)[number];
export type OutputVisibility = (typeof OUTPUT_VISIBILITIES)[number];

export interface Visibility {
  input: InputVisibility;
  output: OutputVisibility;
}

export const DEFAULT_VISIBILITY: Visibility = { input: 'public', output: 'logits' };

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
