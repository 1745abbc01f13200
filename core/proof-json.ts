/**
 * proof.json (snarkjs Groth16): shape and coordinate checks before any curve math.
 *
 * { "pi_a": [x, y, "1"], "pi_b": [[x0, x1], [y0, y1], ["1", "0"]], "pi_c": [x, y, "1"],
 *   "protocol": "groth16", "curve": "bn128" }
 * Coordinates are canonical decimals in [0, q), q the BN254 base field modulus.
 * Whether the points lie on the curve is left to the pairing check (a proof that
 * fails it is invalid, not malformed).
 */
import type { Groth16Proof } from 'snarkjs';
import { VerificationError } from './errors.ts';
import { BN254_BASE_MODULUS } from './field.ts';

const CANONICAL_DECIMAL = /^(0|[1-9][0-9]*)$/;

function fail(source: string, message: string): never {
  throw new VerificationError(`${source}: ${message}`, {
    context: [source],
    hint: 'give proof.json exactly as zkinfer prove (snarkjs groth16 prove) wrote it',
  });
}

function coordinate(value: unknown, where: string, source: string): string {
  if (typeof value !== 'string' || !CANONICAL_DECIMAL.test(value)) {
    const shown = JSON.stringify(value) ?? String(value);
    fail(source, `${where} is ${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}: not a canonical decimal string`);
  }
  if (BigInt(value) >= BN254_BASE_MODULUS) fail(source, `${where} is ${value}: not below the BN254 base field modulus`);
  return value;
}

function g1(value: unknown, name: string, source: string): string[] {
  if (!Array.isArray(value) || (value.length !== 2 && value.length !== 3)) {
    fail(source, `${name} must be an array of 2 or 3 coordinates (a G1 point)`);
  }
  return value.map((c, i) => coordinate(c, `${name}[${i}]`, source));
}

function g2(value: unknown, name: string, source: string): string[][] {
  if (!Array.isArray(value) || (value.length !== 2 && value.length !== 3)) {
    fail(source, `${name} must be an array of 2 or 3 coordinate pairs (a G2 point)`);
  }
  return value.map((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) fail(source, `${name}[${i}] must be a pair of coordinates`);
    return pair.map((c, j) => coordinate(c, `${name}[${i}][${j}]`, source));
  });
}

/** Checks parsed proof.json and returns it typed; throws VerificationError naming the bad field. */
export function parseProof(json: unknown, source = 'proof.json'): Groth16Proof {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    fail(source, `must be a JSON object with pi_a, pi_b, pi_c, protocol and curve`);
  }
  const p = json as Record<string, unknown>;
  for (const key of ['pi_a', 'pi_b', 'pi_c']) if (!(key in p)) fail(source, `"${key}" is missing`);
  if (p.protocol !== 'groth16') fail(source, `protocol is ${JSON.stringify(p.protocol)}, expected "groth16"`);
  if (p.curve !== 'bn128') fail(source, `curve is ${JSON.stringify(p.curve)}, expected "bn128"`);
  return {
    pi_a: g1(p.pi_a, 'pi_a', source),
    pi_b: g2(p.pi_b, 'pi_b', source),
    pi_c: g1(p.pi_c, 'pi_c', source),
    protocol: 'groth16',
    curve: 'bn128',
  };
}
