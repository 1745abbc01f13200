/**
 * PoseidonSponge (circuits/gadgets/poseidon-sponge.circom): the linear-layer-free Poseidon sponge
 * equals circomlib's Poseidon(16) chained as circuits/hashes.ts says (circomlibjs) for
 * one block, a full block, several blocks and partial last blocks; its constraint count is the
 * cost formula exactly; every surviving wire (S-box squares, fourth and fifth powers, the
 * output) is pinned by the words (checked wire by wire for one block with constant lanes and
 * for two chained blocks: the check is slow).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poseidonSponge } from '../../core/poseidon.ts';
import { poseidonSpongeCost } from '../../circuits/gadgets/poseidon-sponge.ts';
import { Gadget, P, randomBigInt, seededRandom } from './harness.ts';

describe.each([1, 2, 15, 16, 26, 31])('PoseidonSponge(%i)', (nWords) => {
  let g: Gadget;
  const next = seededRandom(nWords);
  const randomWords = (): bigint[] => Array.from({ length: nWords }, () => randomBigInt(next, 0n, 2n ** 52n) ** 4n % P);

  beforeAll(async () => {
    g = await Gadget.compile('poseidon-sponge.circom', `PoseidonSponge(${nWords})`);
  });
  afterAll(async () => {
    await g?.dispose();
  });

  it('has the constraint count of the cost formula, all of them S-boxes but the output', () => {
    expect(g.constraintCount).toBe(poseidonSpongeCost(nWords));
    expect(g.nonLinearCount).toBe(poseidonSpongeCost(nWords) - 1);
  });

  it('hashes as circomlib’s Poseidon(16) chained (circomlibjs), for zero, extreme and random words', async () => {
    for (const words of [Array<bigint>(nWords).fill(0n), Array<bigint>(nWords).fill(P - 1n), randomWords(), randomWords()]) {
      const witness = await g.witness({ words });
      expect(witness[g.wire('main.out')]).toBe(await poseidonSponge(words));
    }
  });

  it.runIf(nWords === 1 || nWords === 16)('pins every wire: changing any one breaks a constraint', async () => {
    const witness = await g.witness({ words: randomWords() });
    await g.expectAccepted(witness);
    await g.expectPinned(witness, g.wires(/^main\.words\[/));
  });
});
