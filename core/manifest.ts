/**
 * manifest.json: everything a later step (setup, prove, verify, decode, a contract
 * author) needs to know about a compiled model without the ONNX file.
 * Every layer reads it; the compiler writes it.
 */

import { ceilLog2 } from './files.ts';

/** What a proof reveals (circuits/visibility.ts says what each setting compiles to). */
export const INPUT_VISIBILITIES = ['public', 'private', 'hashed'] as const;
export const WEIGHT_VISIBILITIES = ['constant', 'hashed'] as const;
export const OUTPUT_VISIBILITIES = ['logits', 'argmax', 'hashed'] as const;
export type InputVisibility = (typeof INPUT_VISIBILITIES)[number];
export type WeightVisibility = (typeof WEIGHT_VISIBILITIES)[number];
export type OutputVisibility = (typeof OUTPUT_VISIBILITIES)[number];

export interface Visibility {
  input: InputVisibility;
  /** Absent in manifests from before --weights: constant. */
  weights?: WeightVisibility;
  output: OutputVisibility;
}

export const DEFAULT_VISIBILITY: Required<Visibility> = { input: 'public', weights: 'constant', output: 'logits' };

export const MANIFEST_FILE = 'manifest.json';
export const CIRCUIT_NAME = 'model';
export const CIRCUIT_FILE = `${CIRCUIT_NAME}.circom`;
/** The model as a Circom template, which CIRCUIT_FILE instantiates and other circuits can include. */
export const TEMPLATE_FILE = `${CIRCUIT_NAME}-template.circom`;
export const MANIFEST_VERSION = 2;

/**
 * The circuit's content-hash public input: the hash of the content the model judged
 * (see core/content-hash.ts), bound to the proof as a public signal right after the
 * outputs; with `--input hashed` the circuit computes it (core/input-hash.ts) at the
 * same position, so contracts keep their layout.
 */
export const CONTENT_HASH_SIGNAL = 'content_hash';
/** The model commitment public input of `--weights hashed` (circuits/hashes.ts), right after the content hash. */
export const MODEL_COMMITMENT_SIGNAL = 'model_commitment';
/** The output hash public output of `--output hashed`, in place of the outputs. */
export const OUTPUT_HASH_SIGNAL = 'output_hash';

/** A quantized integer tensor at the model's boundary: real ≈ scale · (q − zeroPoint). */
export interface BoundaryTensor {
  /** The ONNX value name. */
  name: string;
  /** The Circom signal holding the tensor, flattened row-major. */
  signal: string;
  shape: number[];
  scale: number;
  zeroPoint: number;
  /** Smallest and largest integer the tensor can hold (decimal strings: accumulators can exceed 2^53). */
  min: string;
  max: string;
  /** An ONNX integer tensor (INT8, UINT8, …): its values are the integers themselves (scale 1, zero point 0). */
  elementType?: string;
  /** Per-axis scales and zero points (element i in channel floor(i / Π shape[axis+1:]) % scales.length), replacing scale and zeroPoint. */
  perAxis?: { axis: number; scales: number[]; zeroPoints: number[] };
  /** Inputs only: quantized as the model's QuantizeLinear does (x / scale in float32, ties to even, saturating) instead of half up. */
  encoding?: 'quantize-linear';
}

/**
 * A contiguous run of public signals (in snarkjs public.json order). The layout is always
 * [outputs… | output hash][content hash][model commitment, with --weights hashed][public inputs…].
 */
export interface PublicSignalRun {
  kind: 'output' | 'output-hash' | 'content' | 'model' | 'input';
  /** The ONNX tensor name (the signal's name for the one-signal runs: output hash, content, model). */
  tensor: string;
  /** Index of the run's first element in public.json. */
  offset: number;
  length: number;
}

/** A tensor under the model commitment (`--weights hashed`): the weights or bias of one IR node, a private input signal. */
export interface CommittedTensorSpec {
  /** The ONNX node. */
  node: string;
  /** The IR node's output tensor, which names it in ir.json. */
  tensor: string;
  role: 'weights' | 'bias';
  /** The private input holding the values as bits: signal[i][j] = bit j of (value i − min). */
  signal: string;
  length: number;
  bits: number;
  min: string;
  max: string;
}

/** One compiled layer: an IR node and what it costs. */
export interface LayerReport {
  node: string;
  op: string;
  output: string;
  shape: number[];
  /** Constraints the compiler's cost model assigns to the layer (exact for the gadgets used). */
  constraints: number;
  /** Bits the compiler proved sufficient for the layer's values (interval analysis). */
  bits: number;
  note?: string;
}

/** Smallest powers-of-tau power Groth16 setup accepts: 2^power ≥ constraints + public signals + 1 (as snarkjs requires). */
export function ptauPowerFor(constraints: number, publicSignals: number): number {
  return ceilLog2(constraints + publicSignals + 1);
}

export interface Manifest {
  format: 'zkinfer-manifest';
  version: typeof MANIFEST_VERSION;
  createdBy: string;
  model: {
    /** File name of the ONNX model as given to compile. */
    file: string;
    sha256: string;
    opset: number;
    producer: string;
  };
  circuit: {
    file: string;
    /** The template the circuit instantiates, and the file that holds it (absent in manifests from before: in `file`). */
    template: string;
    templateFile?: string;
    /** Non-linear constraints the cost model predicts; `compiled` replaces it with circom's count. */
    constraints: number;
    /** Whether circom has compiled the circuit and `constraints` is circom's count. */
    compiled: boolean;
    wires?: number;
    /**
     * Who wrote model.r1cs: `zkinfer` (the fast path, straight from the IR; witnesses computed
     * by zkinfer) or `circom` (`--via circom`; witnesses by circom's wasm). Absent in manifests
     * from before: circom.
     */
    via?: 'zkinfer' | 'circom';
    /** Smallest powers-of-tau power that fits the circuit: 2^power ≥ constraints + public inputs + 1. */
    ptauPower: number;
  };
  quantization: {
    bits: number;
    /** Bits of precision of the fixed-point requantization multipliers. */
    multiplierBits: number;
    /** `used: false` when no scale came from calibration (a QDQ or QOperator model quantized throughout). */
    calibration: { source: string; samples: number; used?: boolean };
  };
  inputs: (BoundaryTensor & { rangeCheckedInCircuit: boolean })[];
  outputs: BoundaryTensor[];
  /** What the proof reveals (compile --input / --weights / --output; circuits/visibility.ts). Absent in manifests from before: public, logits. */
  visibility?: Visibility;
  publicSignals: PublicSignalRun[];
  /** `--weights hashed`: the model commitment (decimal) and the tensors it commits to, in hashing order; the values are in ir.json. */
  modelCommitment?: { value: string; tensors: CommittedTensorSpec[] };
  layers: LayerReport[];
  setup?: {
    /** "ptau": snarkjs setup from a powers-of-tau file + a phase-2 contribution; "dev": the native engine's development setup. */
    method: 'ptau' | 'dev';
    ptau: string;
    /** True when the powers of tau were made locally: fine for development, worthless for trust. */
    development: boolean;
    ptauPower: number;
    createdAt: string;
  };
}
