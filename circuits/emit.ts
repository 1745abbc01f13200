/**
 * Emit: integer IR → one Circom file. Weights are constants inside linear
 * expressions (a multiply-accumulate against a constant costs no constraint);
 * only gadgets (circuits/templates) add constraints. Public outputs are declared
 * first so they lead public.json, then the content hash, then the public inputs.
 */
import { CONTENT_HASH_SIGNAL } from './manifest.ts';
import { inRangeComponent, inRangeParams } from './gadgets.ts';
import { hashedTensor, inputHashCost, wordTerms, type WordTerm } from './input-hash.ts';
import { emitAffine } from './ir/affine.ts';
import { emitArgMax } from './ir/argmax.ts';
import { emitConv } from './ir/conv.ts';
import { emitLeakyRelu } from './ir/leakyrelu.ts';
import { emitLookup } from './ir/lookup.ts';
import { emitMaxPool } from './ir/maxpool.ts';
import { nodeCost } from './ir/index.ts';
import { emitLinear } from './ir/linear.ts';
import { emitRequantize } from './ir/requantize.ts';
import { emitSoftmax } from './ir/softmax.ts';
import type { IrModel, IrNode, ViewNode } from './ir/types.ts';
import { sizeOf } from './tensor.ts';

export const MAIN_TEMPLATE = 'Model';

/** Circom names for every IR tensor, unique and valid identifiers. */
export interface SignalNames {
  inputs: Map<string, string>;
  outputs: Map<string, string>;
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
  return {
    inputs: new Map(ir.inputs.map((t) => [t.name, identifier('in', t.name, taken)])),
    outputs: new Map(ir.outputs.map((t) => [t.name, identifier('out', t.name, taken)])),
  };
}

export interface EmitOptions {
  /** A line for the header: which model, which hash. */
  origin: string;
}

/** One node's Circom: helper functions (constant tables) and the lines of the main template. */
function emitNode(node: Exclude<IrNode, ViewNode>, ir: IrModel, names: ReadonlyMap<string, string>, id: string): { functions: string[]; body: string[] } {
  if (node.kind === 'affine') return { functions: [], body: emitAffine(node, names, id) };
  const input = ir.tensors.get(node.input)!;
  const inputName = names.get(node.input)!;
  switch (node.kind) {
    case 'linear':
      return emitLinear(node, inputName, id);
    case 'conv':
      return emitConv(node, inputName, id);
    case 'maxpool':
      return emitMaxPool(node, input, inputName, id);
    case 'lookup':
      return emitLookup(node, input, inputName, id);
    case 'softmax':
      return emitSoftmax(node, inputName, id);
    case 'argmax':
      return { functions: [], body: emitArgMax(node, input, inputName, id) };
    case 'requantize':
      return { functions: [], body: emitRequantize(node, input, inputName, id) };
    case 'leakyrelu':
      return { functions: [], body: emitLeakyRelu(node, input, inputName, id) };
  }
}

/** The content hash of `--input hashed`: the range-checked inputs packed into words (circuits/input-hash.ts) and absorbed by PoseidonSponge. */
function emitInputHash(ir: IrModel, signals: SignalNames): string[] {
  const tensors = ir.inputs.map(hashedTensor);
  const words = wordTerms(tensors);
  const term = ({ tensor, index, shift }: WordTerm): string => {
    const t = tensors[tensor]!;
    const element = `${signals.inputs.get(ir.inputs[tensor]!.name)}[${index}]`;
    const offset = t.min === 0n ? element : `(${element} ${t.min < 0n ? '+' : '-'} ${t.min < 0n ? -t.min : t.min})`;
    return shift === 0 ? offset : `${offset} * ${1n << BigInt(shift)}`;
  };
  return [
    `// Content hash: Poseidon sponge of the input packed into ${words.length} words (circuits/input-hash.ts), ${inputHashCost(tensors)} constraints.`,
    `component ${CONTENT_HASH_SIGNAL}_sponge = PoseidonSponge(${words.length});`,
    ...words.map((terms, w) => `${CONTENT_HASH_SIGNAL}_sponge.words[${w}] <== ${terms.map(term).join(' + ')};`),
    `${CONTENT_HASH_SIGNAL} <== ${CONTENT_HASH_SIGNAL}_sponge.out;`,
  ];
}

export function emitCircom(ir: IrModel, options: EmitOptions): string {
  const signals = signalNames(ir);
  const taken = new Set<string>([...signals.inputs.values(), ...signals.outputs.values()]);
  const names = new Map<string, string>(signals.inputs);
  const functions: string[] = [];
  const body: string[] = [];
  const needsRequantize = ir.nodes.some((n) => n.kind === 'requantize' || n.kind === 'leakyrelu');

  body.push('// Public outputs first: they lead public.json.');
  for (const t of ir.outputs) body.push(`signal output ${signals.outputs.get(t.name)}[${sizeOf(t.shape)}];`);
  if (ir.hashedInputs) {
    // The last public output, so public.json keeps the layout [outputs][content hash].
    body.push(`signal output ${CONTENT_HASH_SIGNAL};`);
  } else {
    // No constraint uses the content hash: Groth16 setup binds every public input to the proof
    // (snarkjs adds a constraint row per public signal), which is all a commitment to it needs.
    body.push(`signal input ${CONTENT_HASH_SIGNAL};`);
  }
  for (const t of ir.inputs) {
    body.push(`signal input ${signals.inputs.get(t.name)}[${sizeOf(t.shape)}];`);
  }
  if (ir.inputRangeCheck) {
    for (const t of ir.inputs) {
      const id = signals.inputs.get(t.name)!;
      const gadget = inRangeComponent(inRangeParams(t.min, t.max));
      body.push('', `// Range check of input "${t.name}": each element in [${t.min}, ${t.max}].`);
      body.push(`component ${id}_range[${sizeOf(t.shape)}];`);
      body.push(`for (var i = 0; i < ${sizeOf(t.shape)}; i++) {`, `  ${id}_range[i] = ${gadget};`, `  ${id}_range[i].in <== ${id}[i];`, '}');
    }
  }
  if (ir.hashedInputs) body.push('', ...emitInputHash(ir, signals));
  for (const node of ir.nodes) {
    const out = ir.tensors.get(node.output)!;
    body.push('', `// node "${node.node}" (${node.op}) → "${node.output}" [${out.shape}]: ${node.note ? `${node.kind} (${node.note})` : node.kind}, ${nodeCost(node, ir)} constraints`);
    if (node.kind === 'view') {
      names.set(node.output, names.get(node.input)!);
      continue;
    }
    const id = identifier('t', node.output, taken);
    names.set(node.output, id);
    const emitted = emitNode(node, ir, names, id);
    functions.push(...emitted.functions);
    body.push(...emitted.body);
  }
  body.push('');
  for (const t of ir.outputs) {
    const id = signals.outputs.get(t.name)!;
    body.push(`for (var i = 0; i < ${sizeOf(t.shape)}; i++) {`, `  ${id}[i] <== ${names.get(t.name)}[i];`, '}');
  }

  const includes = [
    needsRequantize ? 'requantize.circom' : undefined,
    ir.nodes.some((n) => n.kind === 'argmax' || n.kind === 'maxpool') ? 'argmax.circom' : undefined,
    ir.inputRangeCheck ? 'range.circom' : undefined,
    ir.nodes.some((n) => n.kind === 'lookup' || n.kind === 'softmax') ? 'activation.circom' : undefined,
    ir.hashedInputs ? 'content-hash.circom' : undefined,
  ].filter(Boolean);
  const publicInputs = ir.hashedInputs ? [] : [CONTENT_HASH_SIGNAL, ...(ir.publicInputs ? signals.inputs.values() : [])];
  return [
    'pragma circom 2.1.0;',
    `// Generated by zkinfer from ${options.origin}.`,
    '// Recompile the model rather than editing this file: manifest.json describes its signals.',
    ...includes.map((f) => `include "${f}";`),
    '',
    ...functions.flatMap((f) => [f, '']),
    `template ${MAIN_TEMPLATE}() {`,
    ...body.map((l) => (l ? `  ${l}` : '')),
    '}',
    '',
    publicInputs.length ? `component main {public [${publicInputs.join(', ')}]} = ${MAIN_TEMPLATE}();` : `component main = ${MAIN_TEMPLATE}();`,
    '',
  ].join('\n');
}
