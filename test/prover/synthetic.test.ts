/**
 * The synthetic workload generator (bench/synthetic.ts, the native `synthetic` command):
 * its r1cs and witness are a valid circuit for snarkjs (the witness satisfies it, setup,
 * prove and verify work), and a changed witness value is caught.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticCircuit } from '../../bench/synthetic.ts';
import { ensureDevPtau } from '../../prover/ptau.ts';
import { readR1csHeader } from '../../core/formats/r1cs.ts';
import { readWitness } from '../../core/formats/wtns.ts';
import { releaseCurves } from '../../core/curves.ts';
import { TempDirs } from '../circuits/harness.ts';
import { buildNative } from '../support/native.ts';

const dirs = new TempDirs();
beforeAll(async () => {
  await buildNative();
});
afterAll(async () => {
  await releaseCurves();
  await dirs.cleanup();
});

describe('synthetic circuits', () => {
  it('make an r1cs and a satisfying witness that snarkjs sets up, proves and verifies', async () => {
    const dir = await dirs.make('synthetic');
    const files = await writeSyntheticCircuit(path.join(dir, 'chain'), 1000, 5n);
    expect(await readR1csHeader(files.r1cs)).toMatchObject({ constraints: 1000, wires: 1002, publicOutputs: 1, publicInputs: 0, privateInputs: 1 });
    const w = await readWitness(files.wtns, 3);
    expect(w.count).toBe(1002);
    expect(w.values[2]).toBe(5n);
    expect(await snarkjs.wtns.check(files.r1cs, files.wtns)).toBe(true);

    const ptau = await ensureDevPtau(10);
    const zkey0 = path.join(dir, 'chain_0.zkey');
    const zkey = path.join(dir, 'chain.zkey');
    await snarkjs.zKey.newZKey(files.r1cs, ptau.path, zkey0);
    await snarkjs.zKey.contribute(zkey0, zkey, 'test', 'synthetic test entropy');
    const vk = await snarkjs.zKey.exportVerificationKey(zkey);
    const { proof, publicSignals } = await snarkjs.groth16.prove(zkey, files.wtns);
    expect(publicSignals).toEqual([String(w.values[1])]);
    expect(await snarkjs.groth16.verify(vk, publicSignals, proof)).toBe(true);
  });

  it('a changed witness value no longer satisfies the constraints', async () => {
    const dir = await dirs.make('synthetic-bad');
    const files = await writeSyntheticCircuit(path.join(dir, 'chain'), 64);
    const bytes = await readFile(files.wtns);
    bytes[bytes.length - 32] ^= 1; // the last wire, t_{n−1}
    await writeFile(files.wtns, bytes);
    const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
    expect(await snarkjs.wtns.check(files.r1cs, files.wtns, quiet)).toBe(false);
  });
});
