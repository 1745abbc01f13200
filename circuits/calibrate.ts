/**
 * Calibration: runs the float graph on sample inputs and records the range every
 * value takes; the quantizer picks activation scales from those ranges.
 *
 * Calibration files (JSON) take any of these forms:
 * - `{"<input name>": [sample, sample, …]}`, each sample shaped like the input
 *   (a single sample is accepted too);
 * - `[{"<input name>": sample}, …]`, a list of input objects as `prove` takes them;
 * - EZKL's input.json: `{"input_data": [[flattened input 0], …]}`.
 */
import { InputError } from '../core/errors.ts';
import { flattenInput, parseInputs, sizeOf, type InputSpec } from '../core/input.ts';
import type { NormalizedGraph } from './normalize.ts';
import { INTEGER_RANGES, isIntegerType } from './ir/types.ts';
import { findOp } from './ops/index.ts';
import { mulberry32 } from './random.ts';
import type { FloatTensor } from './tensor.ts';

export type Sample = Map<string, number[]>;

export interface Calibration {
  samples: Sample[];
  /** Where the samples came from, for the manifest. */
  source: string;
}

export interface ValueRange {
  min: number;
  max: number;
}

/** Runs the float graph on one sample; returns every computed value. */
export function runFloat(ng: NormalizedGraph, sample: Sample): Map<string, FloatTensor> {
  const values = new Map<string, FloatTensor>();
  for (const input of ng.graph.inputs) values.set(input.name, { shape: input.shape, data: Float64Array.from(sample.get(input.name)!), elementType: input.elementType });
  const get = (v: string): FloatTensor | undefined => {
    if (v === '') return undefined;
    const c = ng.constants.get(v);
    return c ? { shape: c.shape, data: c.data, ...(c.elementType !== undefined ? { elementType: c.elementType } : {}) } : values.get(v);
  };
  for (const node of ng.nodes) {
    const outs = findOp(node.domain, node.opType)!.evaluateFloat(node, node.inputs.map(get));
    node.outputs.forEach((v, i) => values.set(v, outs[i]!));
  }
  return values;
}

/** The range of every computed value over all samples. */
export function observeRanges(ng: NormalizedGraph, calibration: Calibration): Map<string, ValueRange> {
  const ranges = new Map<string, ValueRange>();
  for (const sample of calibration.samples) {
    for (const [name, t] of runFloat(ng, sample)) {
      const r = ranges.get(name) ?? { min: Infinity, max: -Infinity };
      for (const v of t.data) {
        if (v < r.min) r.min = v;
        if (v > r.max) r.max = v;
      }
      ranges.set(name, r);
    }
  }
  return ranges;
}

/** Deterministic standard-normal samples (mulberry32 + Box–Muller). */
export function defaultCalibration(specs: readonly (InputSpec & { elementType?: string })[], count = 256, seed = 0x5eed): Calibration {
  const uniform = mulberry32(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  // Integer inputs take integers of their type (their quantization is fixed; only later ops calibrate).
  const sampler = (s: { elementType?: string }): (() => number) => {
    if (!isIntegerType(s.elementType)) return normal;
    const [lo, hi] = INTEGER_RANGES[s.elementType].map(Number) as [number, number];
    return () => lo + Math.floor(uniform() * (hi - lo + 1));
  };
  const samples = Array.from({ length: count }, () => new Map(specs.map((s) => [s.name, Array.from({ length: sizeOf(s.shape) }, sampler(s))])));
  return { samples, source: `default: ${count} standard-normal samples (pass --calibration with real inputs for accuracy)` };
}

/** A value that is either one sample or a list of samples of `spec`'s shape. */
function samplesOf(value: unknown, spec: InputSpec, source: string): number[][] {
  try {
    return [flattenInput(value, spec, source)];
  } catch (single) {
    if (!Array.isArray(value)) throw single;
    return value.map((v, i) => flattenInput(v, spec, `${source}, sample ${i}`));
  }
}

/** Parses a calibration file's JSON (see the module comment for the forms). */
export function parseCalibration(json: unknown, specs: readonly InputSpec[], source: string): Calibration {
  let samples: Sample[];
  if (Array.isArray(json)) {
    samples = json.map((entry, i) => parseInputs(entry, specs, `${source}, sample ${i}`));
  } else if (json !== null && typeof json === 'object' && 'input_data' in json) {
    const data = (json as { input_data: unknown }).input_data;
    if (!Array.isArray(data) || data.length !== specs.length) {
      throw new InputError(`"input_data" must list one flattened array per model input (${specs.length})`, { context: [source] });
    }
    samples = [new Map(specs.map((s, i) => [s.name, flattenInput(data[i], { name: s.name, shape: [sizeOf(s.shape)] }, source)]))];
  } else if (json !== null && typeof json === 'object') {
    const record = json as Record<string, unknown>;
    const perInput = specs.map((s) => {
      if (!(s.name in record)) throw new InputError(`calibration has no samples for input "${s.name}"`, { context: [source] });
      return samplesOf(record[s.name], s, source);
    });
    const count = perInput[0]!.length;
    if (perInput.some((p) => p.length !== count)) throw new InputError('calibration has a different number of samples per input', { context: [source] });
    samples = Array.from({ length: count }, (_, i) => new Map(specs.map((s, j) => [s.name, perInput[j]![i]!])));
  } else {
    throw new InputError('calibration must be a JSON object or array', { context: [source] });
  }
  if (samples.length === 0) throw new InputError('calibration holds no samples', { context: [source] });
  return { samples, source: `${source} (${samples.length} samples)` };
}
