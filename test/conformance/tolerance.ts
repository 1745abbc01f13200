/**
 * How close a proved output must be to the node test's expected output: exactly for
 * integer outputs; for float outputs, a bound derived from the integer semantics
 * (input quantization propagated through the op, the output's rounding, fixed-point
 * multipliers, float32). TOLERANCE_EXPLANATION states the rule and its reasons; the
 * report (docs/conformance.md) prints it.
 */
import type { BoundaryTensor } from '../../core/manifest.ts';
import type { TestTensor } from './node-tests.ts';

/** Relative slack for float32 expected values against the proof's float64 decoding. */
const FLOAT32_SLACK = 1e-6;

/** The terms of a float tolerance, summed. */
export interface ToleranceParts {
  /** max |f(x̂; ŵ) − f(x; w)|: the input and weight quantization, propagated (onnxruntime). */
  inputError: number;
  /** One step of the output's scale: its rounding and one more. */
  outputScale: number;
  /** 2^−multiplierBits times the largest magnitude of the output's interval. */
  multiplier: number;
  float32: number;
}

export interface OutputComparison {
  name: string;
  dtype: string;
  /** The proof's quantization of the output: real = scale · (q − zeroPoint). */
  scale: number;
  zeroPoint: number;
  /** True for integer outputs, compared bit for bit. */
  exact: boolean;
  /** max |proved − expected| over the elements. */
  maxError: number;
  /** 0 for exact comparisons. */
  tolerance: number;
  parts?: ToleranceParts;
  /** How many elements are off (beyond the tolerance). */
  mismatches: number;
  size: number;
  ok: boolean;
}

/** The float tolerance of one output, in parts (see TOLERANCE_EXPLANATION). */
export function floatTolerance(spec: BoundaryTensor, multiplierBits: number, inputError: number, expected: readonly number[]): ToleranceParts {
  const zero = BigInt(spec.zeroPoint);
  const steps = [BigInt(spec.min) - zero, BigInt(spec.max) - zero].map((d) => Math.abs(Number(d)));
  const magnitude = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
  return {
    inputError,
    outputScale: spec.scale,
    multiplier: 2 ** -multiplierBits * spec.scale * Math.max(...steps),
    float32: FLOAT32_SLACK * magnitude,
  };
}

/** Compares proved values with the expected tensor: exactly for integers, within `parts`' sum for floats. */
export function compareOutput(expected: TestTensor, spec: BoundaryTensor, proved: readonly number[], parts?: ToleranceParts): OutputComparison {
  const tolerance = expected.integer || !parts ? 0 : parts.inputError + parts.outputScale + parts.multiplier + parts.float32;
  let maxError = 0;
  let mismatches = 0;
  expected.data.forEach((e, i) => {
    const error = Math.abs(proved[i]! - e);
    // NaN (an expected NaN or inf − inf) counts as off.
    if (!(error <= tolerance)) mismatches++;
    maxError = Math.max(maxError, Number.isNaN(error) ? Infinity : error);
  });
  return {
    name: expected.name,
    dtype: expected.dtype,
    scale: spec.scale,
    zeroPoint: spec.zeroPoint,
    exact: expected.integer,
    maxError,
    tolerance,
    ...(expected.integer ? {} : { parts }),
    mismatches,
    size: expected.data.length,
    ok: mismatches === 0,
  };
}

export const TOLERANCE_EXPLANATION = `Integer outputs (integer or bool dtypes, e.g. ArgMax's INT64 indices) must equal the expected values exactly. A float output y, decoded from the proof as s_y·(q − z_y), passes when max |proved − expected| ≤ tolerance, with

    tolerance = inputError + s_y + 2^−multiplierBits · R_y + 10^−6 · max(1, max|y|)

- **inputError** = max |f(x̂; ŵ) − f(x; w)|: onnxruntime runs the model on the float inputs as the circuit sees them (x̂: quantized to 8 bits with the scale calibrated on the test's own inputs, then dequantized; ŵ: frozen float weights of Gemm, MatMul and Conv quantized as the compiler quantizes them, 8 bits symmetric per tensor, then dequantized) and on the original ones. This is the input and weight quantization error propagated through the op, measured exactly for whatever op it is. Integer inputs are fed unchanged, so a compiler that quantizes an integer input gets no allowance for it.
- **s_y**, one step of the output's scale (manifest.json): half a step for the output's own round-half-up requantization, half a step for one more rounding (node tests are single ops; an accumulator output is not rounded at all).
- **2^−multiplierBits · R_y**, R_y the largest magnitude the output's proven integer interval holds (s_y · max(|min − z_y|, |max − z_y|)): requantization multipliers M/2^s and Add's common-scale coefficients are fixed-point numbers with multiplierBits bits of precision (12 at the default 8 bits), so their relative error is below 2^−multiplierBits.
- **10^−6 · max(1, max|y|)**: the expected outputs and onnxruntime are float32 (relative precision 6·10^−8); the proof decodes in float64.

Weights need no term: node tests have no initializers, every operand is a graph input.`;
