/**
 * The compiler pipeline, ONNX file → artifact directory:
 * load → normalize → calibrate → quantize (integer IR) → lower to constraints (counted) →
 * emit Circom, writing model.circom, ir.json and manifest.json.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { defaultCalibration, observeRanges, parseCalibration, type Calibration } from './calibrate.ts';
import { emitCircom, MAIN_TEMPLATE, signalNames, type EmittedCircuit, type SignalNames } from './emit.ts';
import { ArtifactError } from '../core/errors.ts';
import { readUserJsonFile, writeFileAtomic, writeJsonAtomic } from '../core/files.ts';
import { nodeNote } from './ir/index.ts';
import { lowerAndSimplify, probeInputs, type BuiltSystem } from './lowering/lower.ts';
import { constraintsByOrigin, ORIGINS, type OriginCounts } from './lowering/origins.ts';
import { IR_FILE, irToJson } from './ir/serialize.ts';
import { signedBits, type IrModel, type QTensor } from './ir/types.ts';
import {
  DEFAULT_VISIBILITY,
  type InputVisibility,
  type OutputVisibility,
  type Visibility,
  type WeightVisibility,
  CIRCUIT_FILE,
  TEMPLATE_FILE, CONTENT_HASH_SIGNAL, MANIFEST_FILE, MODEL_COMMITMENT_SIGNAL, OUTPUT_HASH_SIGNAL, MANIFEST_VERSION, ptauPowerFor, type BoundaryTensor, type LayerReport, type Manifest, type PublicSignalRun } from '../core/manifest.ts';
import { normalize } from './normalize.ts';
import { loadOnnx } from './onnx/load.ts';
import { quantize } from './quantize.ts';
import { sizeOf } from './tensor.ts';
import { committedTensors, modelCommitment } from './hashes.ts';
import { packedBits } from '../core/poseidon.ts';
import { withArgmaxOutput, withCommittedWeights } from './visibility.ts';

export interface CompileOptions {
  /** Calibration JSON file (see circuits/calibrate.ts); default: standard-normal samples. */
  calibration?: string;
  /** Activation and weight bits (default 8). */
  bits?: number;
  /** Precision of requantization multipliers (default bits + 4). */
  multiplierBits?: number;
  /** Range-check the inputs in the circuit (default false: verifiers check public inputs). */
  inputRangeCheck?: boolean;
  /** What the proof reveals of the input (default public; private and hashed inputs are range-checked in the circuit, hashed ones also hashed into the content hash). */
  input?: InputVisibility;
  /** Whether the weights are circuit constants (the default) or private signals under a public model commitment. */
  weights?: WeightVisibility;
  /** What it reveals of the output (default logits; argmax: only the class index; hashed: a Poseidon hash of the outputs). */
  output?: OutputVisibility;
  onProgress?: (message: string) => void;
}

export interface CompileResult {
  manifest: Manifest;
  ir: IrModel;
  circom: EmittedCircuit;
  /** The constraint system the counts come from (built on probe inputs; the fast path writes it). */
  built: BuiltSystem;
}

export const CREATED_BY = 'zkinfer 0.1.0';

function boundary(t: QTensor, signal: string): BoundaryTensor {
  return {
    name: t.name,
    signal,
    shape: t.shape,
    scale: t.scale,
    zeroPoint: t.zeroPoint,
    min: t.min.toString(),
    max: t.max.toString(),
    ...(t.elementType ? { elementType: t.elementType } : {}),
    ...(t.perAxis ? { perAxis: t.perAxis } : {}),
    ...(t.encoding ? { encoding: t.encoding } : {}),
  };
}

/**
 * One report per input range check, IR node, hash and the output bindings, each with the
 * constraints --O1 left of what it made (circuits/lowering/origins.ts).
 */
function layerReports(ir: IrModel, counts: OriginCounts, total: number): LayerReport[] {
  const count = (origin: string) => counts.get(origin) ?? 0;
  const reports: LayerReport[] = [];
  if (ir.inputRangeCheck) {
    for (const t of ir.inputs) {
      reports.push({ node: `(input ${t.name})`, op: 'InRange', output: t.name, shape: t.shape, constraints: count(ORIGINS.inputRange(t.name)), bits: signedBits(t.min, t.max), note: 'input range check' });
    }
  }
  for (const node of ir.nodes) {
    const out = ir.tensors.get(node.output)!;
    reports.push({ node: node.node, op: node.op, output: node.output, shape: out.shape, constraints: count(ORIGINS.node(node.output)), bits: signedBits(out.min, out.max), note: nodeNote(node, ir, counts) });
  }
  if (ir.hashedInputs) {
    reports.push({ node: '(input hash)', op: 'PoseidonSponge', output: CONTENT_HASH_SIGNAL, shape: [1], constraints: count(ORIGINS.inputHash), bits: 254, note: 'content hash = Poseidon of the packed input' });
  }
  const committed = committedTensors(ir);
  if (committed.length > 0) {
    const elements = committed.reduce((a, t) => a + t.size, 0);
    reports.push({ node: '(model commitment)', op: 'PoseidonSponge', output: MODEL_COMMITMENT_SIGNAL, shape: [1], constraints: count(ORIGINS.modelCommitment), bits: 254, note: `model commitment = Poseidon of ${elements} weights and biases, each given as bits (its range check)` });
  }
  if (ir.hashedOutputs) {
    reports.push({ node: '(output hash)', op: 'PoseidonSponge', output: OUTPUT_HASH_SIGNAL, shape: [1], constraints: count(ORIGINS.outputHash), bits: 254, note: 'output hash = Poseidon of the packed outputs' });
  }
  const bindings = count(ORIGINS.outputs);
  if (bindings > 0) {
    reports.push({ node: '(outputs)', op: 'Output', output: ir.outputs.map((t) => t.name).join(', '), shape: [], constraints: bindings, bits: 0, note: 'public outputs bound to linear expressions' });
  }
  const reported = reports.reduce((a, l) => a + l.constraints, 0);
  if (reported !== total) throw new Error(`internal: the layer reports hold ${reported} of the circuit's ${total} constraints (one without its origin)`);
  return reports;
}

function publicSignalRuns(ir: IrModel): PublicSignalRun[] {
  const runs: PublicSignalRun[] = [];
  let offset = 0;
  const one = (kind: PublicSignalRun['kind'], tensor: string) => runs.push({ kind, tensor, offset: offset++, length: 1 });
  if (ir.hashedOutputs) one('output-hash', OUTPUT_HASH_SIGNAL);
  else {
    for (const t of ir.outputs) {
      runs.push({ kind: 'output', tensor: t.name, offset, length: sizeOf(t.shape) });
      offset += sizeOf(t.shape);
    }
  }
  one('content', CONTENT_HASH_SIGNAL);
  if (committedTensors(ir).length > 0) one('model', MODEL_COMMITMENT_SIGNAL);
  for (const t of ir.publicInputs ? ir.inputs : []) {
    runs.push({ kind: 'input', tensor: t.name, offset, length: sizeOf(t.shape) });
    offset += sizeOf(t.shape);
  }
  return runs;
}

/** The manifest's record of the model commitment: its value and the committed tensors in hashing order. */
function commitmentSpec(ir: IrModel, names: SignalNames, value: bigint): NonNullable<Manifest['modelCommitment']> {
  const tensors = committedTensors(ir).map((t) => {
    const node = ir.nodes.find((n) => n.output === t.node)!;
    return { node: node.node, tensor: t.node, role: t.role, signal: `${names.committed.get(t.node)![t.role]}_bits`, length: t.size, bits: packedBits(t), min: t.min.toString(), max: t.max.toString() };
  });
  return { value: value.toString(), tensors };
}

/** Compiles an ONNX model into `outDir` (created if needed). */
export async function compileModel(modelPath: string, outDir: string, options: CompileOptions = {}): Promise<CompileResult> {
  const progress = options.onProgress ?? (() => {});
  const bits = options.bits ?? 8;
  let bytes: Buffer;
  try {
    bytes = await readFile(modelPath);
  } catch (err) {
    throw new ArtifactError(`cannot read the model ${modelPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  progress(`loading ${path.basename(modelPath)}`);
  const visibility: Required<Visibility> = {
    input: options.input ?? DEFAULT_VISIBILITY.input,
    weights: options.weights ?? DEFAULT_VISIBILITY.weights,
    output: options.output ?? DEFAULT_VISIBILITY.output,
  };
  const loaded = loadOnnx(bytes, modelPath);
  const graph = visibility.output === 'argmax' ? withArgmaxOutput(loaded) : loaded;
  const ng = normalize(graph);

  progress('calibrating');
  const calibration: Calibration = options.calibration
    ? parseCalibration(await readUserJsonFile(options.calibration, 'calibration file'), graph.inputs, options.calibration)
    : defaultCalibration(graph.inputs);
  const ranges = observeRanges(ng, calibration);

  progress('quantizing');
  const multiplierBits = options.multiplierBits ?? bits + 4;
  const quantized = quantize(ng, ranges, { bits, multiplierBits, inputRangeCheck: options.inputRangeCheck ?? false, publicInputs: visibility.input === 'public', hashedInputs: visibility.input === 'hashed' });
  const withWeights = visibility.weights === 'hashed' ? withCommittedWeights(quantized, path.basename(modelPath)) : quantized;
  const ir: IrModel = visibility.output === 'hashed' ? { ...withWeights, hashedOutputs: true } : withWeights;

  progress('lowering to constraints');
  const commitment = visibility.weights === 'hashed' ? await modelCommitment(ir) : undefined;
  const built = lowerAndSimplify(ir, probeInputs(ir, commitment));
  const counts = constraintsByOrigin(built.system);
  const constraints = built.system.constraints.length;
  const layers = layerReports(ir, counts, constraints);

  const sha256 = createHash('sha256').update(bytes).digest('hex');
  progress('emitting Circom');
  const circom = emitCircom(ir, { origin: `${path.basename(modelPath)} (sha256 ${sha256})`, constraints: counts });
  const names = signalNames(ir);
  const publicSignals = publicSignalRuns(ir);
  const nPublic = publicSignals.reduce((a, r) => a + r.length, 0);
  const manifest: Manifest = {
    format: 'zkinfer-manifest',
    version: MANIFEST_VERSION,
    createdBy: CREATED_BY,
    model: { file: path.basename(modelPath), sha256, opset: graph.opset, producer: graph.producer },
    circuit: { file: CIRCUIT_FILE, template: MAIN_TEMPLATE, templateFile: TEMPLATE_FILE, constraints, compiled: false, ptauPower: ptauPowerFor(constraints, nPublic) },
    quantization: { bits, multiplierBits, calibration: { source: calibration.source, samples: calibration.samples.length, used: ir.calibrated !== false } },
    inputs: ir.inputs.map((t) => ({ ...boundary(t, names.inputs.get(t.name)!), rangeCheckedInCircuit: ir.inputRangeCheck })),
    outputs: ir.outputs.map((t) => boundary(t, names.outputs.get(t.name)!)),
    visibility,
    publicSignals,
    ...(commitment === undefined ? {} : { modelCommitment: commitmentSpec(ir, names, commitment) }),
    layers,
  };
  await mkdir(outDir, { recursive: true });
  await writeFileAtomic(path.join(outDir, TEMPLATE_FILE), circom.template);
  await writeFileAtomic(path.join(outDir, CIRCUIT_FILE), circom.main);
  await writeFileAtomic(path.join(outDir, IR_FILE), irToJson(ir));
  await writeJsonAtomic(path.join(outDir, MANIFEST_FILE), manifest);
  return { manifest, ir, circom, built };
}
