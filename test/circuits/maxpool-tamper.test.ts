/**
 * MaxPool's soundness inside a compiled model: the ArgMax gadget has its own tamper tests
 * (test/gadgets/argmax.test.ts); these check the wiring around it. In a valid witness of
 * Conv → Relu → MaxPool, changing a window's max (which is the public output), its index,
 * a selector, a product or a difference bit makes the constraints fail (snarkjs wtns check on the model's r1cs).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../circuits/build.ts';
import { computeWitness } from '../../prover/witness.ts';
import { writeBigUIntLE } from '../../core/formats/binfile.ts';
import { BN254_SCALAR_MODULUS } from '../../core/field.ts';
import { mulberry32, nest, TempDirs, uniform, writeModel } from './harness.ts';

const dirs = new TempDirs();
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
/** Where witness value i starts in a .wtns file: file header 12, header section 12 + 40, values section header 12. */
const valueOffset = (i: number) => 76 + 32 * i;

let dir: string;
let wtns: Buffer;
let wires: Map<string, number>;

beforeAll(async () => {
  const work = await dirs.make('maxpool-tamper');
  const rng = mulberry32(4242);
  const model = await writeModel(work, {
    inputs: [{ name: 'x', shape: [1, 1, 5, 5] }],
    outputs: [{ name: 'pooled', shape: [1, 2, 2, 2] }],
    initializers: [{ name: 'w', dims: [2, 1, 2, 2], data: uniform(rng, 8) }],
    nodes: [
      { opType: 'Conv', name: 'conv', inputs: ['x', 'w'], outputs: ['acc'] },
      { opType: 'Relu', name: 'relu', inputs: ['acc'], outputs: ['act'] },
      { opType: 'MaxPool', name: 'pool', inputs: ['act'], outputs: ['pooled'], attributes: { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } } },
    ],
  });
  dir = path.join(work, 'out');
  await build(model, dir, {});
  const file = path.join(work, 'witness.wtns');
  await computeWitness(dir, nest(uniform(rng, 25, -2, 2), [1, 1, 5, 5]), 'random input', { witnessFile: file });
  wtns = await readFile(file);
  wires = new Map();
  for (const line of (await readFile(path.join(dir, 'model.sym'), 'utf8')).split('\n')) {
    const [, wire, , name] = line.split(',');
    if (name && Number(wire) >= 0) wires.set(name, Number(wire));
  }
});

afterAll(() => dirs.cleanup());

async function satisfied(changes: [string, (v: bigint) => bigint][]): Promise<boolean> {
  const bytes = Buffer.from(wtns);
  for (const [name, change] of changes) {
    const wire = wires.get(name);
    if (wire === undefined) throw new Error(`no wire named ${name}`);
    const old = bytes.readBigUInt64LE(valueOffset(wire)) + (bytes.readBigUInt64LE(valueOffset(wire) + 8) << 64n) + (bytes.readBigUInt64LE(valueOffset(wire) + 16) << 128n) + (bytes.readBigUInt64LE(valueOffset(wire) + 24) << 192n);
    writeBigUIntLE(bytes, valueOffset(wire), 32, (change(old) % BN254_SCALAR_MODULUS + BN254_SCALAR_MODULUS) % BN254_SCALAR_MODULUS);
  }
  const file = path.join(dir, 'tampered.wtns');
  await writeFile(file, bytes);
  return snarkjs.wtns.check(path.join(dir, 'model.r1cs'), file, quiet);
}

describe('MaxPool in a compiled model', () => {
  it('the honest witness satisfies the constraints', async () => {
    expect(await satisfied([])).toBe(true);
  });

  it('a changed max (the public output: circom merges the two), index, selector or difference bit does not', async () => {
    const gadget = [...wires.keys()].find((n) => /_gadget4\[0\]\.index$/.test(n))!.replace(/\.index$/, '');
    expect(wires.has(`${gadget}.max`)).toBe(false);
    for (const name of ['main.out_pooled[0]', `${gadget}.index`, `${gadget}.hot[0]`, `${gadget}.picked[1]`, `${gadget}.d[1][0]`, `${gadget}.d[3][8]`]) {
      for (const delta of [1n, -1n]) expect(await satisfied([[name, (v) => v + delta]]), `${name} ${delta > 0 ? '+' : '−'} 1`).toBe(false);
    }
  });
});
