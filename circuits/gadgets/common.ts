/**
 * What every gadget shares: where the Circom templates are, the errors for parameters a
 * template refuses and values outside its width, and small integer helpers. Each gadget's
 * own file (circuits/gadgets/<name>.ts, beside its .circom template) holds its parameters,
 * BigInt reference, bit widths, exact cost under --O1, Circom instantiation and R1CS twin.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZkInferError } from '../../core/errors.ts';

/** The folder holding the gadget templates: an include path for circom. */
export const TEMPLATES_DIR = fileURLToPath(new URL('./', import.meta.url));

/** The gadget template files, relative to TEMPLATES_DIR, in the order a model template includes them. */
export const TEMPLATE_FILES = ['requantize.circom', 'argmax.circom', 'range.circom', 'activation.circom', 'poseidon-sponge.circom'] as const;

/** A gadget template file. */
export type TemplateFile = (typeof TEMPLATE_FILES)[number];

/**
 * Include paths a circuit using the gadgets needs: TEMPLATES_DIR and the folder that
 * holds `circomlib` (the templates include "circomlib/circuits/...").
 */
export function gadgetIncludePaths(): string[] {
  const require = createRequire(import.meta.url);
  const circomlibDir = path.dirname(require.resolve('circomlib/package.json'));
  return [TEMPLATES_DIR, path.dirname(circomlibDir)];
}

/** Gadget parameters that break a template's compile-time asserts. */
export class GadgetParamsError extends ZkInferError {}

/** A value outside the bit width a gadget was instantiated for: the circuit would have no witness. */
export class GadgetRangeError extends ZkInferError {}

/** Largest bit decomposition the gadgets use: 2^252 < p, so decompositions are unique. */
export const MAX_DECOMPOSITION_BITS = 252;

/** Position of the lowest 0 bit of x ≥ 0. */
export function lowestZeroBit(x: bigint): number {
  let j = 0;
  while ((x >> BigInt(j)) & 1n) j++;
  return j;
}

/** floor(a / b) for b > 0 (BigInt division truncates toward zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return q * b > a ? q - 1n : q;
}
