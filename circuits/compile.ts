/**
 * The compiler pipeline, ONNX file → artifact directory:
 * load → normalize → calibrate → quantize (integer IR) → emit Circom,
 * writing model.circom, ir.json and manifest.json.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { defaultCalibration, observeRanges, parseCalibration, type Calibration } from './calibrate.ts';
import { emitCircom, MAIN_TEMPLATE, signalNames } from './emit.ts';
import { ArtifactError } from './errors.ts';
import { readUserJsonFile, writeFileAtomic, writeJsonAtomic } from './files.ts';
import { nodeCost, nodeNote, outputConstraints } from './ir/index.ts';
import { IR_FILE, irToJson } from './ir/serialize.ts';
import { signedBits, type IrModel, type QTensor } from './ir/types.ts';
import { inRangeCost, inRangeParams } from './gadgets.ts';
import { CIRCUIT_FILE, CONTENT_HASH_SIGNAL, MANIFEST_FILE, MANIFEST_VERSION, ptauPowerFor, type BoundaryTensor, type LayerReport, type Manifest, type PublicSignalRun } from './manifest.ts';
import { normalize } from './normalize.ts';
import { loadOnnx } from './onnx/load.ts';
import { quantize } from './quantize.ts';
import { sizeOf } from './tensor.ts';
import { hashedTensor, inputHashCost } from './input-hash.ts';
import { DEFAULT_VISIBILITY, withArgmaxOutput, type InputVisibility, type OutputVisibility, type Visibility } from './visibility.ts';

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
  /** What it reveals of the output (default logits; argmax: only the class index). */
  output?: OutputVisibility;
  onProgress?: (message: string) => void;
}

export interface CompileResult {
  manifest: Manifest;
  ir: IrModel;
  circom: string;
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

function layerReports(ir: IrModel): LayerReport[] {
  const reports: LayerReport[] = [];
  if (ir.inputRangeCheck) {
    for (const t of ir.inputs) {
      reports.push({ node: `(input ${t.name})`, op: 'InRange', output: t.name, shape: t.shape, constraints: sizeOf(t.shape) * inRangeCost(inRangeParams(t.min, t.max)), bits: signedBits(t.min, t.max), note: 'input range check' });
    }
  }
  for (const node of ir.nodes) {
    const out = ir.tensors.get(node.output)!;
    reports.push({ node: node.node, op: node.op, output: node.output, shape: out.shape, constraints: nodeCost(node, ir), bits: signedBits(out.min, out.max), note: nodeNote(node, ir) });
  }
  if (ir.hashedInputs) {
    reports.push({ node: '(input hash)', op: 'PoseidonSponge', output: CONTENT_HASH_SIGNAL, shape: [1], constraints: inputHashCost(ir.inputs.map(hashedTensor)), bits: 254, note: 'content hash = Poseidon of the packed input' });
  }
  const bindings = outputConstraints(ir);
  if (bindings > 0) {
    reports.push({ node: '(outputs)', op: 'Output', output: ir.outputs.map((t) => t.name).join(', '), shape: [], constraints: bindings, bits: 0, note: 'public outputs bound to linear expressions' });
  }
  return reports;
}

function publicSignalRuns(ir: IrModel): PublicSignalRun[] {
  const runs: PublicSignalRun[] = [];
  let offset = 0;
  for (const t of ir.outputs) {
    runs.push({ kind: 'output', tensor: t.name, offset, length: sizeOf(t.shape) });
    offset += sizeOf(t.shape);
  }
  runs.push({ kind: 'content', tensor: CONTENT_HASH_SIGNAL, offset, length: 1 });
  offset += 1;
  for (const t of ir.publicInputs ? ir.inputs : []) {
    runs.push({ kind: 'input', tensor: t.name, offset, length: sizeOf(t.shape) });
    offset += sizeOf(t.shape);
  }
  return runs;
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
  const visibility: Visibility = { input: options.input ?? DEFAULT_VISIBILITY.input, output: options.output ?? DEFAULT_VISIBILITY.output };
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
  const ir = quantize(ng, ranges, { bits, multiplierBits, inputRangeCheck: options.inputRangeCheck ?? false, publicInputs: visibility.input === 'public', hashedInputs: visibility.input === 'hashed' });

  const sha256 = createHash('sha256').update(bytes).digest('hex');
  progress('emitting Circom');
  const circom = emitCircom(ir, { origin: `${path.basename(modelPath)} (sha256 ${sha256})` });
  const names = signalNames(ir);
  const layers = layerReports(ir);
  const constraints = layers.reduce((a, l) => a + l.constraints, 0);
  const publicSignals = publicSignalRuns(ir);
  const nPublic = publicSignals.reduce((a, r) => a + r.length, 0);
  const manifest: Manifest = {
    format: 'zkinfer-manifest',
    version: MANIFEST_VERSION,
    createdBy: CREATED_BY,
    model: { file: path.basename(modelPath), sha256, opset: graph.opset, producer: graph.producer },
    circuit: { file: CIRCUIT_FILE, template: MAIN_TEMPLATE, constraints, compiled: false, ptauPower: ptauPowerFor(constraints, nPublic) },
    quantization: { bits, multiplierBits, calibration: { source: calibration.source, samples: calibration.samples.length, used: ir.calibrated !== false } },
    inputs: ir.inputs.map((t) => ({ ...boundary(t, names.inputs.get(t.name)!), rangeCheckedInCircuit: ir.inputRangeCheck })),
    outputs: ir.outputs.map((t) => boundary(t, names.outputs.get(t.name)!)),
    visibility,
    publicSignals,
    layers,
  };
  await mkdir(outDir, { recursive: true });
  await writeFileAtomic(path.join(outDir, CIRCUIT_FILE), circom);
  await writeFileAtomic(path.join(outDir, IR_FILE), irToJson(ir));
  await writeJsonAtomic(path.join(outDir, MANIFEST_FILE), manifest);
  return { manifest, ir, circom };
}
