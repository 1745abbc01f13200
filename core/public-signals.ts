/**
 * public.json: the circuit's public signals in snarkjs order, checked before any curve math.
 *
 * snarkjs reduces public signals mod r without complaint, so x and x + r would both
 * "verify": we accept only canonical decimals in [0, r). Public inputs are not
 * range-checked by the circuit, so the verifier checks them against the manifest.
 */
import { VerificationError, ArtifactError } from './errors.ts';
import type { Manifest } from './manifest.ts';
import { BN254_SCALAR_MODULUS, toSigned } from './field.ts';

const CANONICAL_DECIMAL = /^(0|[1-9][0-9]*)$/;

function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * One public signal → field element. Accepts a canonical decimal string ("0", "17",
 * no sign, no leading zeros, no spaces) or a non-negative safe integer number.
 */
export function parseFieldElement(value: unknown, index: number, source = 'public.json'): bigint {
  let v: bigint;
  if (typeof value === 'string' && CANONICAL_DECIMAL.test(value)) {
    v = BigInt(value);
  } else if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
    v = BigInt(value);
  } else if (typeof value === 'bigint' && value >= 0n) {
    v = value;
  } else {
    const why = typeof value === 'number' ? 'numbers must be non-negative integers below 2^53 (give larger values as decimal strings)' : 'not a canonical decimal string';
    throw new VerificationError(`public signal ${index} is ${show(value)}: ${why}`, {
      context: [source],
      hint: 'public signals are field elements written as decimal strings, e.g. "42"',
    });
  }
  if (v >= BN254_SCALAR_MODULUS) {
    throw new VerificationError(`public signal ${index} is ${v}: not below the BN254 scalar field modulus`, {
      context: [source],
      hint: `every public signal must be in [0, ${BN254_SCALAR_MODULUS}); snarkjs would silently reduce it`,
    });
  }
  return v;
}

/** The number of public signals the manifest describes, checking that its runs tile [0, n) in order. */
export function publicSignalCount(manifest: Manifest): number {
  let next = 0;
  for (const run of manifest.publicSignals) {
    if (run.offset !== next || !Number.isInteger(run.length) || run.length < 0) {
      throw new ArtifactError(
        `manifest.json: public signal run "${run.tensor}" (${run.kind}) starts at ${run.offset}, expected ${next}`,
        { hint: 'the manifest is inconsistent: compile the model again' },
      );
    }
    next += run.length;
  }
  return next;
}

/** Where the content hash sits in the public signals (right after the outputs). */
export function contentHashIndex(manifest: Manifest): number {
  const run = manifest.publicSignals.find((r) => r.kind === 'content');
  if (!run) throw new ArtifactError('manifest.json has no content-hash public signal', { hint: 'compile the model again with this zkinfer' });
  return run.offset;
}

/**
 * Validates parsed public.json against the field and the manifest; returns the field elements.
 * Throws VerificationError naming the first bad index.
 *
 * @example
 * const signals = parsePublicSignals(JSON.parse(text), manifest, 'out/public.json');
 */
export function parsePublicSignals(json: unknown, manifest: Manifest, source = 'public.json'): bigint[] {
  if (!Array.isArray(json)) {
    throw new VerificationError(`${source} must be a JSON array of decimal strings, got ${json === null ? 'null' : typeof json}`, {
      context: [source],
    });
  }
  const values = json.map((v: unknown, i) => parseFieldElement(v, i, source));
  const expected = publicSignalCount(manifest);
  if (values.length !== expected) {
    throw new VerificationError(`${source} has ${values.length} public signals, the circuit has ${expected}`, {
      context: [source],
      hint: `the manifest lists ${manifest.publicSignals.map((r) => `${r.kind} "${r.tensor}" (${r.length})`).join(', ')}`,
    });
  }
  for (const run of manifest.publicSignals) {
    if (run.kind !== 'input') continue;
    const spec = manifest.inputs.find((t) => t.name === run.tensor);
    if (!spec) throw new ArtifactError(`manifest.json: public input run "${run.tensor}" names no input tensor`);
    const min = BigInt(spec.min);
    const max = BigInt(spec.max);
    for (let k = 0; k < run.length; k++) {
      const index = run.offset + k;
      const q = toSigned(values[index]!);
      if (q < min || q > max) {
        throw new VerificationError(
          `public signal ${index} (input "${spec.name}"[${k}]) is ${q}: outside the input's range [${min}, ${max}]`,
          { context: [source], hint: 'the circuit does not range-check public inputs; no honest prover makes such a value' },
        );
      }
    }
  }
  return values;
}
