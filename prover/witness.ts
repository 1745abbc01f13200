/**
 * Input JSON → quantized integers → the witness (witness.wtns): computed by the fast path
 * (circuits/backends/r1cs.ts) for circuits it wrote, by circom's wasm for `--via circom` ones;
 * the output integers are read back from it.
 */
import { access, rm } from 'node:fs/promises';
import path from 'node:path';
import * as snarkjs from 'snarkjs';
import { InputError, ToolError } from '../core/errors.ts';
import { quantizeInputs, type QuantizedTensor } from '../core/input.ts';
import { CONTENT_HASH_SIGNAL, MODEL_COMMITMENT_SIGNAL, type Manifest } from '../core/manifest.ts';
import { committedBits, packedHash, packedTensor } from '../core/poseidon.ts';
import { ARTIFACT_FILES, missingArtifact, readManifest } from '../core/artifacts.ts';
import { contentHashOfJson } from '../core/content-hash.ts';
import { inputContentHash } from '../core/input-hash.ts';
import { BN254_SCALAR_MODULUS, toField, toSigned } from '../core/field.ts';
import { contentHashIndex, publicSignalCount } from '../core/public-signals.ts';
import { tempPathFor, writeFileAtomic, replacePath } from '../core/files.ts';
import { readWitness } from '../core/formats/wtns.ts';
import { buildSystem, evaluate, loadCompiled, modelCommitment, wtnsOf, type IrModel } from '../circuits/index.ts';

export interface WitnessOptions {
  /** Where to write the witness (default: `<dir>/witness.wtns`). */
  witnessFile?: string;
  /** An already-loaded manifest (saves reading it again). */
  manifest?: Manifest;
  /** The content hash public signal (default: the hash of the input's compact JSON). */
  contentHash?: bigint;
}

export interface WitnessTensor {
  name: string;
  shape: number[];
  /** Signed integers. */
  integers: bigint[];
}

export interface WitnessResult {
  witnessFile: string;
  /** Quantized model inputs, by ONNX input name. */
  inputs: Map<string, QuantizedTensor>;
  /** Output integers, in manifest.outputs order. */
  outputs: WitnessTensor[];
  /** The public signals as the witness holds them (wires 1…n), i.e. what public.json will say. */
  publicSignals: bigint[];
  /** The content hash the witness binds. */
  contentHash: bigint;
  /** Input values clamped to their quantized range, over all inputs. */
  clamped: number;
  seconds: number;
}

/** The witness calculator's input: signal name → decimal values (multi-dimensional signals flattened row-major). */
type CircuitInput = Record<string, string | string[]>;

/** circom's witness calculator errors, made readable: a failed `assert` is the input's fault. */
function witnessError(err: unknown, source: string): Error {
  const raw = err instanceof Error ? err.message : String(err);
  const message = raw.replace(/\s+/g, ' ').trim();
  if (/Assert Failed/i.test(message)) {
    const where = /Error in template (\S+) line: (\d+)/.exec(message);
    return new InputError(
      `the circuit rejected the input: an assert failed${where ? ` in template ${where[1]} at line ${where[2]}` : ''}`,
      {
        context: [source, message],
        hint: 'the input is outside what the compiled model accepts; if it is in range, this is a compiler bug worth reporting',
        cause: err,
      },
    );
  }
  return new ToolError(`witness calculation failed: ${message}`, { context: [source], cause: err });
}

/**
 * Refuses weights in ir.json that do not hash to the manifest's model commitment (the circuit
 * would reject them too, less readably).
 */
async function checkCommittedWeights(dir: string, commitment: NonNullable<Manifest['modelCommitment']>, ir: IrModel): Promise<void> {
  const computed = await modelCommitment(ir);
  if (computed.toString() !== commitment.value) {
    throw new InputError(`the weights in ${path.join(dir, 'ir.json')} hash to ${computed}, not to the model commitment ${commitment.value} in manifest.json`, {
      hint: 'these are not the committed weights: a proof with other weights cannot verify; compile the model again to commit to new weights',
    });
  }
}

/** The committed weights as circuit inputs of circom's witness generator (signal → bits, from ir.json) and the model commitment public input. */
function committedWeightInputs(commitment: NonNullable<Manifest['modelCommitment']>, ir: IrModel): CircuitInput {
  const inputs: CircuitInput = { [MODEL_COMMITMENT_SIGNAL]: commitment.value };
  for (const spec of commitment.tensors) {
    const node = ir.nodes.find((n) => n.output === spec.tensor);
    if (!node || (node.kind !== 'linear' && node.kind !== 'conv') || node[spec.role].length !== spec.length) {
      throw new ToolError(`ir.json has no ${spec.role} of ${spec.length} values for node "${spec.node}" that manifest.json commits to`, { hint: 'ir.json and manifest.json come from different compilations: compile the model again' });
    }
    const packed = packedTensor({ min: spec.min, max: spec.max, shape: [spec.length] });
    inputs[spec.signal] = node[spec.role].flatMap((v) => committedBits(packed, v).map(String));
  }
  return inputs;
}

/** The input of circom's witness generator: the content hash (unless the circuit computes it), the quantized inputs, the committed weights. */
function circomInput(manifest: Manifest, inputs: ReadonlyMap<string, QuantizedTensor>, contentHash: bigint, ir: IrModel | undefined): CircuitInput {
  const circuitInput: CircuitInput = manifest.visibility?.input === 'hashed' ? {} : { [CONTENT_HASH_SIGNAL]: String(contentHash) };
  for (const spec of manifest.inputs) circuitInput[spec.signal] = inputs.get(spec.name)!.values.map(String);
  if (manifest.modelCommitment) Object.assign(circuitInput, committedWeightInputs(manifest.modelCommitment, ir!));
  return circuitInput;
}

/** Outputs that are public signals, read from the witness. */
function publicOutputs(manifest: Manifest, publicSignals: readonly bigint[]): WitnessTensor[] {
  return manifest.outputs.map((spec): WitnessTensor => {
    const run = manifest.publicSignals.find((r) => r.kind === 'output' && r.tensor === spec.name);
    if (!run) throw new ToolError(`manifest.json: output "${spec.name}" has no public signal run`);
    return { name: spec.name, shape: spec.shape, integers: publicSignals.slice(run.offset, run.offset + run.length).map(toSigned) };
  });
}

/** Hashed outputs are private: the reference evaluator computes them, and their hash must be the witness's output hash. */
async function hashedOutputValues(manifest: Manifest, ir: IrModel, inputs: ReadonlyMap<string, QuantizedTensor>, publicSignals: readonly bigint[]): Promise<WitnessTensor[]> {
  const { outputs } = evaluate(ir, new Map([...inputs].map(([k, v]) => [k, v.values])));
  const hash = await packedHash(manifest.outputs.map(packedTensor), outputs);
  const index = manifest.publicSignals.find((r) => r.kind === 'output-hash')!.offset;
  if (publicSignals[index] !== hash) {
    throw new ToolError(`the circuit's output hash ${publicSignals[index]} differs from the Poseidon hash ${hash} of the reference evaluator's outputs`, {
      hint: 'the circuit and the reference evaluator disagree: a compiler bug',
    });
  }
  return manifest.outputs.map((spec, i) => ({ name: spec.name, shape: spec.shape, integers: outputs[i]! }));
}

/**
 * Quantizes `inputJson` (parsed input JSON, see core/input.ts) with the manifest's
 * input scales and ranges and computes the circuit's witness with snarkjs. `source` names
 * where the input came from, for error messages.
 *
 * @example
 * const { outputs, clamped } = await computeWitness('build/mnist', JSON.parse(text), 'digit.json');
 */
export async function computeWitness(dir: string, inputJson: unknown, source: string, options: WitnessOptions = {}): Promise<WitnessResult> {
  const started = performance.now();
  const manifest = options.manifest ?? (await readManifest(dir));
  const fastPath = manifest.circuit.via === 'zkinfer';
  const wasm = path.join(dir, ARTIFACT_FILES.wasm);
  if (!fastPath) {
    await access(wasm).catch(() => {
      throw missingArtifact(wasm, 'compile');
    });
  }

  const inputs = quantizeInputs(inputJson, manifest.inputs, source);
  const hashed = manifest.visibility?.input === 'hashed';
  if (hashed && options.contentHash !== undefined) {
    throw new InputError('this model hashes its input into the content hash inside the circuit (compiled with --input hashed): a content hash cannot be given', {
      context: [dir],
      hint: 'leave out --content and --content-hash; `zkinfer hash-input` prints the hash the proof will carry',
    });
  }
  // A hashed input's content hash comes out of the circuit; computed here too, it is checked against the witness below.
  const contentHash = hashed ? await inputContentHash(manifest, inputs) : (options.contentHash ?? contentHashOfJson(inputJson));
  if (contentHash < 0n || contentHash >= BN254_SCALAR_MODULUS) throw new InputError(`content hash ${contentHash} is not below the BN254 scalar modulus`);
  const clamped = manifest.inputs.reduce((n, spec) => n + inputs.get(spec.name)!.clamped, 0);
  const hashedOutputs = manifest.publicSignals.some((r) => r.kind === 'output-hash');
  // The fast path, committed weights and hashed outputs need the IR: the weights are private inputs, the outputs private signals.
  const ir = fastPath || manifest.modelCommitment || hashedOutputs ? (await loadCompiled(dir)).ir : undefined;
  if (manifest.modelCommitment) await checkCommittedWeights(dir, manifest.modelCommitment, ir!);

  const witnessFile = options.witnessFile ?? path.join(dir, ARTIFACT_FILES.witness);
  if (fastPath) {
    const commitment = manifest.modelCommitment ? { modelCommitment: BigInt(manifest.modelCommitment.value) } : {};
    const { builder, system } = buildSystem(ir!, { inputs: new Map([...inputs].map(([name, q]) => [name, q.values])), contentHash, ...commitment });
    // The system is rebuilt from ir.json: it must be the one compile wrote, or the witness fits another circuit.
    if (system.wires.length !== manifest.circuit.wires || system.constraints.length !== manifest.circuit.constraints) {
      throw new ToolError(
        `ir.json gives a circuit of ${system.constraints.length} constraints and ${system.wires.length} wires, manifest.json records ${manifest.circuit.constraints} and ${manifest.circuit.wires}`,
        { context: [dir], hint: 'ir.json and the compiled circuit come from different compilations: compile the model again' },
      );
    }
    await writeFileAtomic(witnessFile, wtnsOf(builder, system));
  } else {
    const tmp = tempPathFor(witnessFile, 'wtns');
    try {
      await snarkjs.wtns.calculate(circomInput(manifest, inputs, contentHash, ir), wasm, tmp).catch((err: unknown) => {
        throw witnessError(err, source);
      });
      await replacePath(tmp, witnessFile);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  const nPublic = publicSignalCount(manifest);
  const { values } = await readWitness(witnessFile, 1 + nPublic);
  if (values[0] !== 1n) throw new ToolError(`${witnessFile}: wire 0 is ${values[0]}, expected the constant 1`);
  const publicSignals = values.slice(1);

  const outputs = hashedOutputs ? await hashedOutputValues(manifest, ir!, inputs, publicSignals) : publicOutputs(manifest, publicSignals);
  // Public inputs must come back as given: otherwise the manifest's signal order is not the circuit's.
  const contentIndex = contentHashIndex(manifest);
  if (publicSignals[contentIndex] !== contentHash) {
    throw new ToolError(
      hashed
        ? `the circuit's content hash ${publicSignals[contentIndex]} differs from the input's Poseidon hash ${contentHash} computed off-chain`
        : `the witness does not hold the content hash at the manifest's position ${contentIndex}`,
      { hint: hashed ? 'circuits/hashes.ts and the emitted circuit disagree: a compiler bug' : "manifest.json's publicSignals order does not match the circuit: a compiler bug" },
    );
  }
  for (const run of manifest.publicSignals.filter((r) => r.kind === 'input')) {
    const given = inputs.get(run.tensor)?.values ?? [];
    for (let k = 0; k < run.length; k++) {
      if (publicSignals[run.offset + k] !== toField(given[k] ?? 0n)) {
        throw new ToolError(
          `public signal ${run.offset + k} should be input "${run.tensor}"[${k}] = ${given[k]}, the witness has ${toSigned(publicSignals[run.offset + k]!)}`,
          { hint: "manifest.json's publicSignals order does not match the circuit: a compiler bug" },
        );
      }
    }
  }
  return { witnessFile, inputs, outputs, publicSignals, contentHash, clamped, seconds: (performance.now() - started) / 1000 };
}
