/**
 * Emit: integer IR → Circom: the model as a template, and the main component instantiating it. Weights are constants inside linear
 * expressions (a multiply-accumulate against a constant costs no constraint), or, with
 * --weights hashed, private signals under the model commitment; only gadgets
 * (circuits/gadgets) and products of two signals add constraints. Public outputs are
 * declared first so they lead public.json, then the content hash, the model commitment
 * and the public inputs.
 */
import { CIRCUIT_FILE, CONTENT_HASH_SIGNAL, MODEL_COMMITMENT_SIGNAL, OUTPUT_HASH_SIGNAL, TEMPLATE_FILE } from '../core/manifest.ts';
import { inRangeComponent, inRangeParams } from './gadgets/range.ts';
import { committedTensors, emitPackedHash } from './hashes.ts';
import { packedBits, packedTensor } from '../core/poseidon.ts';
import { ORIGINS, type OriginCounts } from './lowering/origins.ts';
import type { CommittedSignals } from './ir/kind.ts';
import { kindOf } from './ir/kinds.ts';
import { isCommitted, type IrModel } from './ir/types.ts';
import { TEMPLATE_FILES, type TemplateFile } from './gadgets/common.ts';
import { sizeOf } from './tensor.ts';

export const MAIN_TEMPLATE = 'Model';


/** Circom names for every IR tensor, unique and valid identifiers. */
export interface SignalNames {
  inputs: Map<string, string>;
  outputs: Map<string, string>;
  /** By committed node (its output tensor). */
  committed: Map<string, CommittedSignals>;
}

function identifier(prefix: string, name: string, taken: Set<string>): string {
  const base = `${prefix}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  let id = base;
  for (let i = 2; taken.has(id); i++) id = `${base}_${i}`;
  taken.add(id);
  return id;
}

export function signalNames(ir: IrModel): SignalNames {
  const taken = new Set<string>();
  const inputs = new Map(ir.inputs.map((t) => [t.name, identifier('in', t.name, taken)]));
  const outputs = new Map(ir.outputs.map((t) => [t.name, identifier('out', t.name, taken)]));
  const committed = new Map<string, CommittedSignals>();
  for (const n of ir.nodes) {
    if (isCommitted(n)) committed.set(n.output, { weights: identifier('weights', n.output, taken), bias: identifier('bias', n.output, taken) });
  }
  return { inputs, outputs, committed };
}

/**
 * The Circom identifier of every node's output (`t_<tensor>`; views have none: they alias
 * their input), unique among the model's signal names. The fast path
 * (circuits/lowering/lower.ts) names its components from the same map.
 */
export function nodeIdentifiers(ir: IrModel, signals: SignalNames): Map<string, string> {
  const taken = new Set<string>([...signals.inputs.values(), ...signals.outputs.values(), ...[...signals.committed.values()].flatMap((c) => [c.weights, c.bias])]);
  const ids = new Map<string, string>();
  for (const node of ir.nodes) if (kindOf(node).named) ids.set(node.output, identifier('t', node.output, taken));
  return ids;
}

export interface EmitOptions {
  /** A line for the header: which model, which hash. */
  origin: string;
  /** Constraints by origin (the lowered system's), for the comments. */
  constraints: OriginCounts;
}

/** InRange on every element of signal array `id`. */
function emitRangeCheck(id: string, size: number, min: bigint, max: bigint): string[] {
  const gadget = inRangeComponent(inRangeParams(min, max));
  return [`component ${id}_range[${size}];`, `for (var i = 0; i < ${size}; i++) {`, `  ${id}_range[i] = ${gadget};`, `  ${id}_range[i].in <== ${id}[i];`, '}'];
}

/** The content hash of `--input hashed`: the range-checked inputs packed into words (circuits/hashes.ts) and absorbed by PoseidonSponge. */
function emitInputHash(ir: IrModel, signals: SignalNames, constraints: number): string[] {
  const sponge = `${CONTENT_HASH_SIGNAL}_sponge`;
  return [
    `// Content hash: Poseidon sponge of the packed input (circuits/hashes.ts), ${constraints} constraints.`,
    ...emitPackedHash(sponge, ir.inputs.map(packedTensor), (t, i) => `${signals.inputs.get(ir.inputs[t]!.name)}[${i}]`),
    `${CONTENT_HASH_SIGNAL} <== ${sponge}.out;`,
  ];
}

/**
 * The committed weights of `--weights hashed`, before the nodes that use them: each tensor's
 * elements are private boolean signals `<name>_bits` (little-endian, committedBits wide), and
 * the var `<name>` holds each element as min + Σ bit·2^j, a linear expression, so the range
 * check costs the booleans alone and every multiply-accumulate stays one constraint. Then the
 * model commitment: the elements packed and hashed; the public input must equal the hash.
 */
function emitModelCommitment(ir: IrModel, signals: SignalNames, constraints: number): string[] {
  const tensors = committedTensors(ir);
  const name = (t: number): string => signals.committed.get(tensors[t]!.node)![tensors[t]!.role];
  const sponge = `${MODEL_COMMITMENT_SIGNAL}_sponge`;
  return [
    `// Model commitment: every committed weight and bias as booleans, packed and hashed (circuits/hashes.ts), ${constraints} constraints.`,
    ...tensors.flatMap((t, k) => {
      const bits = packedBits(t);
      return [
        `signal input ${name(k)}_bits[${t.size}][${bits}];`,
        `var ${name(k)}[${t.size}];`,
        `for (var i = 0; i < ${t.size}; i++) {`,
        `  ${name(k)}[i] = ${t.min};`,
        `  for (var j = 0; j < ${bits}; j++) {`,
        `    ${name(k)}_bits[i][j] * (${name(k)}_bits[i][j] - 1) === 0;`,
        `    ${name(k)}[i] += ${name(k)}_bits[i][j] * 2 ** j;`,
        '  }',
        '}',
      ];
    }),
    ...emitPackedHash(sponge, tensors, (t, i) => `${name(t)}[${i}]`),
    `${MODEL_COMMITMENT_SIGNAL} === ${sponge}.out;`,
  ];
}

/** The output hash of `--output hashed`: the outputs packed over their proven intervals and hashed. */
function emitOutputHash(ir: IrModel, names: ReadonlyMap<string, string>, constraints: number): string[] {
  const sponge = `${OUTPUT_HASH_SIGNAL}_sponge`;
  return [
    `// Output hash: Poseidon sponge of the packed outputs (circuits/hashes.ts), ${constraints} constraints.`,
    ...emitPackedHash(sponge, ir.outputs.map(packedTensor), (t, i) => `${names.get(ir.outputs[t]!.name)}[${i}]`),
    `${OUTPUT_HASH_SIGNAL} <== ${sponge}.out;`,
  ];
}

/** The emitted Circom: the model's template (TEMPLATE_FILE) and the main component instantiating it (CIRCUIT_FILE). */
export interface EmittedCircuit {
  template: string;
  main: string;
}

export function emitCircom(ir: IrModel, options: EmitOptions): EmittedCircuit {
  const signals = signalNames(ir);
  const ids = nodeIdentifiers(ir, signals);
  const names = new Map<string, string>(signals.inputs);
  const count = (origin: string) => options.constraints.get(origin) ?? 0;
  const functions: string[] = [];
  const body: string[] = [];

  const committed = signals.committed.size > 0;
  body.push('// Public outputs first: they lead public.json.');
  if (ir.hashedOutputs) body.push(`signal output ${OUTPUT_HASH_SIGNAL};`);
  else for (const t of ir.outputs) body.push(`signal output ${signals.outputs.get(t.name)}[${sizeOf(t.shape)}];`);
  if (ir.hashedInputs) {
    // The last public output, so public.json keeps the layout [outputs][content hash].
    body.push(`signal output ${CONTENT_HASH_SIGNAL};`);
  } else {
    // No constraint uses the content hash: Groth16 setup binds every public input to the proof
    // (snarkjs adds a constraint row per public signal), which is all a commitment to it needs.
    body.push(`signal input ${CONTENT_HASH_SIGNAL};`);
  }
  // Public inputs follow in declaration order: the model commitment right after the content hash.
  if (committed) body.push(`signal input ${MODEL_COMMITMENT_SIGNAL};`);
  for (const t of ir.inputs) {
    body.push(`signal input ${signals.inputs.get(t.name)}[${sizeOf(t.shape)}];`);
  }
  if (ir.inputRangeCheck) {
    for (const t of ir.inputs) {
      body.push('', `// Range check of input "${t.name}": each element in [${t.min}, ${t.max}].`, ...emitRangeCheck(signals.inputs.get(t.name)!, sizeOf(t.shape), t.min, t.max));
    }
  }
  if (ir.hashedInputs) body.push('', ...emitInputHash(ir, signals, count(ORIGINS.inputHash)));
  if (committed) body.push('', ...emitModelCommitment(ir, signals, count(ORIGINS.modelCommitment)));
  for (const node of ir.nodes) {
    const out = ir.tensors.get(node.output)!;
    body.push('', `// node "${node.node}" (${node.op}) → "${node.output}" [${out.shape}]: ${node.note ? `${node.kind} (${node.note})` : node.kind}, ${count(ORIGINS.node(node.output))} constraints`);
    const id = ids.get(node.output) ?? '';
    const emitted = kindOf(node).emit(node, { ir, names, id, committed: signals.committed });
    names.set(node.output, emitted.name ?? id);
    functions.push(...emitted.functions);
    body.push(...emitted.body);
  }
  body.push('');
  if (ir.hashedOutputs) body.push(...emitOutputHash(ir, names, count(ORIGINS.outputHash)));
  else {
    for (const t of ir.outputs) {
      const id = signals.outputs.get(t.name)!;
      body.push(`for (var i = 0; i < ${sizeOf(t.shape)}; i++) {`, `  ${id}[i] <== ${names.get(t.name)}[i];`, '}');
    }
  }

  const used = new Set<TemplateFile>(ir.nodes.flatMap((n) => kindOf(n).includes));
  if (ir.inputRangeCheck) used.add('range.circom');
  if (ir.hashedInputs || committed || ir.hashedOutputs) used.add('poseidon-sponge.circom');
  const includes = TEMPLATE_FILES.filter((f) => used.has(f));
  const publicInputs = [...(ir.hashedInputs ? [] : [CONTENT_HASH_SIGNAL]), ...(committed ? [MODEL_COMMITMENT_SIGNAL] : []), ...(ir.publicInputs ? signals.inputs.values() : [])];
  const declared = (kind: 'input' | 'output') => body.filter((l) => l.startsWith(`signal ${kind} `)).map((l) => l.slice(`signal ${kind} `.length, -1));
  const template = [
    'pragma circom 2.1.0;',
    `// Generated by zkinfer from ${options.origin}.`,
    '// Recompile the model rather than editing this file: manifest.json describes its signals.',
    `// The model as a template: ${CIRCUIT_FILE} instantiates it as the main component; another circuit`,
    `// can include this file and instantiate ${MAIN_TEMPLATE}() itself (compile with -l for zkinfer's`,
    '// circuits/gadgets and for node_modules, where circomlib is; docs/architecture.md).',
    `//   inputs:  ${declared('input').join(', ')}`,
    `//   outputs: ${declared('output').join(', ')}`,
    ...includes.map((f) => `include "${f}";`),
    '',
    ...functions.flatMap((f) => [f, '']),
    `template ${MAIN_TEMPLATE}() {`,
    ...body.map((l) => (l ? `  ${l}` : '')),
    '}',
    '',
  ].join('\n');
  const main = [
    'pragma circom 2.1.0;',
    `// Generated by zkinfer from ${options.origin}: the model's circuit, ${MAIN_TEMPLATE}() of ${TEMPLATE_FILE}, with its public signals.`,
    `include "${TEMPLATE_FILE}";`,
    '',
    publicInputs.length ? `component main {public [${publicInputs.join(', ')}]} = ${MAIN_TEMPLATE}();` : `component main = ${MAIN_TEMPLATE}();`,
    '',
  ].join('\n');
  return { template, main };
}
