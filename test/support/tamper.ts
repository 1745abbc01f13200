/**
 * Tamper checks on compiled models: a witness file with some wires changed, checked
 * against the model's r1cs by snarkjs.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as snarkjs from 'snarkjs';
import { writeBigUIntLE } from '../../core/formats/binfile.ts';
import { BN254_SCALAR_MODULUS } from '../../core/field.ts';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
/** Where witness value i starts in a .wtns file: file header 12, header section 12 + 40, values section header 12. */
const valueOffset = (i: number) => 76 + 32 * i;

/** A wire change: the wire's index, and its new value from the old one. */
export type WireChange = [wire: number, change: (v: bigint) => bigint];

/** Whether `wtns` with `changes` applied satisfies the r1cs of the model compiled in `dir`. */
export async function satisfiedWith(dir: string, wtns: Buffer, changes: readonly WireChange[]): Promise<boolean> {
  const bytes = Buffer.from(wtns);
  for (const [wire, change] of changes) {
    const at = valueOffset(wire);
    const old = [0, 1, 2, 3].reduce((v, k) => v + (bytes.readBigUInt64LE(at + 8 * k) << BigInt(64 * k)), 0n);
    writeBigUIntLE(bytes, at, 32, ((change(old) % BN254_SCALAR_MODULUS) + BN254_SCALAR_MODULUS) % BN254_SCALAR_MODULUS);
  }
  const file = path.join(dir, 'tampered.wtns');
  await writeFile(file, bytes);
  return snarkjs.wtns.check(path.join(dir, 'model.r1cs'), file, quiet);
}

/** The wire of every signal that survived --O1, by its name in `dir`/model.sym (e.g. "main.out_y[0]"). */
export async function wiresByName(dir: string): Promise<Map<string, number>> {
  const wires = new Map<string, number>();
  for (const line of (await readFile(path.join(dir, 'model.sym'), 'utf8')).split('\n')) {
    const [, wire, , name] = line.split(',');
    if (name && Number(wire) >= 0) wires.set(name, Number(wire));
  }
  return wires;
}
