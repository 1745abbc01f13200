/**
 * Synthetic Groth16 workloads of any size without circom: an .r1cs and a matching
 * .wtns written directly, for prover benchmarks and tests up to 2^18 constraints
 * (circom2 would need minutes to compile them).
 *
 * The circuit is a chain over a private input x, public output y:
 *   t1 = x·x,  t_i = t_{i−1}·x + i (i = 2 … n−1),  y = t_{n−1}·x
 * one constraint each, so n constraints and n + 2 wires (1, y, x, t1 … t_{n−1});
 * the witness values are full-size field elements, as in real circuits.
 */
import { writeFile } from 'node:fs/promises';
import { binFileBytes, writeBigUIntLE } from '../prover/formats/binfile.ts';
import { BN254_SCALAR_MODULUS } from '../verifier/field.ts';

const r = BN254_SCALAR_MODULUS;
const N8 = 32;

interface Term {
  wire: number;
  coef: bigint;
}

function constraintBytes(a: Term[], b: Term[], c: Term[]): Buffer {
  const size = [a, b, c].reduce((s, lc) => s + 4 + lc.length * (4 + N8), 0);
  const out = Buffer.alloc(size);
  let at = 0;
  for (const lc of [a, b, c]) {
    out.writeUInt32LE(lc.length, at);
    at += 4;
    for (const t of lc) {
      out.writeUInt32LE(t.wire, at);
      writeBigUIntLE(out, at + 4, N8, t.coef);
      at += 4 + N8;
    }
  }
  return out;
}

/** Writes `<base>.r1cs` and `<base>.wtns` for a chain of `constraints` (≥ 2) constraints. */
export async function writeSyntheticCircuit(base: string, constraints: number, x = 7n): Promise<{ r1cs: string; wtns: string; wires: number }> {
  if (!Number.isInteger(constraints) || constraints < 2) throw new RangeError('a synthetic circuit needs at least 2 constraints');
  const n = constraints;
  const wires = n + 2;
  const Y = 1;
  const X = 2;
  const T = (i: number) => 2 + i; // t_i for i = 1 … n−1

  const witness: bigint[] = new Array<bigint>(wires);
  witness[0] = 1n;
  witness[X] = x;
  witness[T(1)] = (x * x) % r;
  const rows: Buffer[] = [constraintBytes([{ wire: X, coef: 1n }], [{ wire: X, coef: 1n }], [{ wire: T(1), coef: 1n }])];
  for (let i = 2; i <= n - 1; i++) {
    witness[T(i)] = (witness[T(i - 1)]! * x + BigInt(i)) % r;
    rows.push(constraintBytes([{ wire: T(i - 1), coef: 1n }], [{ wire: X, coef: 1n }], [{ wire: T(i), coef: 1n }, { wire: 0, coef: r - BigInt(i) }]));
  }
  witness[Y] = (witness[T(n - 1)]! * x) % r;
  rows.push(constraintBytes([{ wire: T(n - 1), coef: 1n }], [{ wire: X, coef: 1n }], [{ wire: Y, coef: 1n }]));

  const header = Buffer.alloc(4 + N8 + 4 * 4 + 8 + 4);
  header.writeUInt32LE(N8, 0);
  writeBigUIntLE(header, 4, N8, r);
  header.writeUInt32LE(wires, 4 + N8);
  header.writeUInt32LE(1, 8 + N8); // public outputs: y
  header.writeUInt32LE(0, 12 + N8); // public inputs
  header.writeUInt32LE(1, 16 + N8); // private inputs: x
  header.writeBigUInt64LE(BigInt(wires), 20 + N8); // labels
  header.writeUInt32LE(n, 28 + N8);
  const labels = Buffer.alloc(8 * wires);
  for (let i = 0; i < wires; i++) labels.writeBigUInt64LE(BigInt(i), 8 * i);

  const wtnsHeader = Buffer.alloc(4 + N8 + 4);
  wtnsHeader.writeUInt32LE(N8, 0);
  writeBigUIntLE(wtnsHeader, 4, N8, r);
  wtnsHeader.writeUInt32LE(wires, 4 + N8);
  const values = Buffer.alloc(N8 * wires);
  witness.forEach((v, i) => writeBigUIntLE(values, N8 * i, N8, v));

  const files = { r1cs: `${base}.r1cs`, wtns: `${base}.wtns`, wires };
  await writeFile(files.r1cs, binFileBytes('r1cs', 1, [[1, header], [2, Buffer.concat(rows)], [3, labels]]));
  await writeFile(files.wtns, binFileBytes('wtns', 2, [[1, wtnsHeader], [2, values]]));
  return files;
}
