/**
 * The R1CS twin of PoseidonSponge (circuits/gadgets/poseidon-sponge.ts) against the template
 * compiled by circom2 (Gadget.twinProblems: counts, names, wires, each witness satisfying the
 * other system), and its out against circomlib's Poseidon chained (poseidonSponge): one
 * partial block, two blocks (the chained lane), a full block plus one word. Then the packed
 * hash (lowerPackedHash) against a template holding emitPackedHash's lines, for words of
 * several elements, a word that is one min-0 element (an equality --O1 removes) and offsets.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitPackedHash, lowerPackedHash } from '../../circuits/hashes.ts';
import { packedHash, poseidonSponge, type PackedTensor } from '../../core/poseidon.ts';
import { CircuitBuilder, signalLc } from '../../circuits/constraints/builder.ts';
import { poseidonSpongeTwin } from '../../circuits/gadgets/poseidon-sponge.ts';
import { Gadget, P, randomBigInt, seededRandom } from './harness.ts';

describe.each([1, 2, 16])('PoseidonSponge twin (nWords = %i)', (nWords) => {
  const next = seededRandom(100 + nWords);
  let g: Gadget;
  beforeAll(async () => {
    g = await Gadget.compile('poseidon-sponge.circom', `PoseidonSponge(${nWords})`);
  });
  afterAll(() => g?.dispose());

  it('equals the compiled template and hashes as circomlib’s Poseidon chained', async () => {
    const random = Array.from({ length: nWords }, () => randomBigInt(next, 0n, 2n ** 52n) ** 4n % P);
    for (const words of [Array<bigint>(nWords).fill(0n), Array<bigint>(nWords).fill(P - 1n), random]) {
      expect(await g.twinProblems((b) => poseidonSpongeTwin(b, b.main, words), { words })).toEqual([]);
      const b = new CircuitBuilder();
      const { output } = poseidonSpongeTwin(b, b.main, words);
      expect(b.values[output]).toBe(await poseidonSponge(words));
    }
  });
});

describe('packed hash twin', () => {
  // Word 0: a's three 3-bit elements; word 1: c[0] alone (251 bits, min 0); word 2: c[1] and d[0].
  const tensors: PackedTensor[] = [
    { min: -3n, max: 4n, size: 3 },
    { min: 0n, max: 2n ** 251n - 1n, size: 2 },
    { min: 5n, max: 6n, size: 1 },
  ];
  const names = ['a', 'c', 'd'];
  const values = [[-3n, 4n, 0n], [2n ** 251n - 1n, 12345n], [6n]];
  let dir: string;
  let g: Gadget;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'zkinfer-packed-'));
    const file = path.join(dir, 'packed.circom');
    const lines = [
      ...tensors.map((t, k) => `signal input ${names[k]}[${t.size}];`),
      'signal output h;',
      ...emitPackedHash('sponge', tensors, (t, i) => `${names[t]}[${i}]`),
      'h <== sponge.out;',
    ];
    await writeFile(file, ['pragma circom 2.1.0;', 'include "poseidon-sponge.circom";', 'template PackedHash() {', ...lines.map((l) => `  ${l}`), '}', ''].join('\n'));
    g = await Gadget.compile(file, 'PackedHash()');
  });
  afterAll(async () => {
    await g?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('equals emitPackedHash compiled, and hashes as packedHash', async () => {
    let h = 0;
    const twin = (b: CircuitBuilder) => {
      const ids = tensors.map((t, k) => b.signals(b.main, 'input', names[k]!, [t.size], (i) => values[k]![i]!));
      h = b.declare(b.main, 'output', 'h')[0]!;
      const out = lowerPackedHash(b, b.main, 'sponge', tensors, (t, i) => signalLc(ids[t]![i]!));
      b.set(h, b.values[out]!);
      b.assign(h, signalLc(out));
    };
    expect(await g.twinProblems(twin, Object.fromEntries(names.map((n, k) => [n, values[k]!])))).toEqual([]);
    const b = new CircuitBuilder();
    twin(b);
    expect(b.values[h]).toBe(await packedHash(tensors, values));
  });
});
