/**
 * The PoseidonSponge gadget (poseidon-sponge.circom): parameters, the BigInt reference that computes exactly what the circuit
 * computes (and throws where the circuit has no witness), the bit widths it needs, the exact
 * constraint count under circom --O1 (pinned by test/gadgets), the Circom instantiation, and
 * the R1CS twin for the fast path: the template's signals in the same order, its constraints
 * and hints, built into a CircuitBuilder. The algebra is in the template's header comment.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { toField } from '../../core/field.ts';
import { SPONGE_RATE, spongeBlocks } from '../../core/poseidon.ts';
import { CircuitBuilder, addTo, combine, constant, signalLc, type Component, type Lc } from '../constraints/builder.ts';
import { GadgetParamsError } from './common.ts';

/** S-box constraints of one permutation after its first round: 7 full rounds of 17 lanes and 68 partial rounds, 3 each (x², x⁴, x⁵). */
const POSEIDON_LATER_ROUNDS = 3 * (7 * 17 + 68);

function checkSpongeWords(nWords: number): void {
  if (!Number.isInteger(nWords) || nWords < 1) throw new GadgetParamsError(`PoseidonSponge needs at least one word, got ${nWords}`);
}

/** Blocks of `PoseidonSponge(nWords)`, nWords ≥ 1 (core/poseidon.ts spongeBlocks, checked). */
export function spongeBlocksChecked(nWords: number): number {
  checkSpongeWords(nWords);
  return spongeBlocks(nWords);
}

/**
 * Exact constraint count of PoseidonSponge under --O1 (its word inputs are substituted away):
 * per block the rounds after the first, 3 per first-round lane that is not a constant (its
 * words, and the chaining value after block 0), and one linear constraint for out.
 * @example poseidonSpongeCost(26) // (561 + 3·15) + (561 + 3·12) + 1 = 1204
 */
export function poseidonSpongeCost(nWords: number): number {
  let cost = 1;
  for (let k = 0; k < spongeBlocksChecked(nWords); k++) cost += POSEIDON_LATER_ROUNDS + 3 * ((k === 0 ? 0 : 1) + Math.min(SPONGE_RATE, nWords - SPONGE_RATE * k));
  return cost;
}

// ------------------------------------------------------------------ R1CS twin

const T = SPONGE_RATE + 2;
const ROUNDS_F = 8;
const ROUNDS_P = 68;
const HALF = ROUNDS_F / 2;

/** POSEIDON_C(17), POSEIDON_S(17), POSEIDON_M(17) and POSEIDON_P(17) of circomlib's poseidon_constants.circom. */
interface PoseidonConstants {
  C: bigint[];
  S: bigint[];
  M: bigint[][];
  P: bigint[][];
}

let constants: PoseidonConstants | undefined;

/**
 * circomlibjs's optimized-Poseidon constants (per width t, at index t − 2), the ones
 * poseidon_constants.circom holds (generated together; compared entry by entry when this was
 * written). circomlibjs exports no subpath, so the file is found beside its entry point.
 */
function poseidonConstants(): PoseidonConstants {
  if (constants) return constants;
  const entry = createRequire(import.meta.url).resolve('circomlibjs');
  const file = path.join(path.dirname(entry), '..', 'src', 'poseidon_constants_opt.json');
  const all = JSON.parse(readFileSync(file, 'utf8')) as { C: string[][]; S: string[][]; M: string[][][]; P: string[][][] };
  const matrix = (m: string[][]): bigint[][] => m.map((row) => row.map(BigInt));
  constants = { C: all.C[T - 2]!.map(BigInt), S: all.S[T - 2]!.map(BigInt), M: matrix(all.M[T - 2]!), P: matrix(all.P[T - 2]!) };
  return constants;
}

/**
 * PoseidonSponge(nWords) in `comp` on the field elements `words`; returns its input signals
 * (the caller wires them) and its output out.
 */
export function poseidonSpongeTwin(b: CircuitBuilder, comp: Component, words: readonly bigint[]): { inputs: number[]; output: number } {
  const { C, S, M, P } = poseidonConstants();
  const nWords = words.length;
  const blocks = spongeBlocksChecked(nWords);
  const inputs = b.signals(comp, 'input', 'words', [nWords], (k) => words[k]!);
  const output = b.declare(comp, 'output', 'out')[0]!;
  let live = 0;
  for (let k = 0; k < blocks; k++) live += (k === 0 ? 0 : 1) + Math.min(SPONGE_RATE, nWords - SPONGE_RATE * k);
  const first = [b.declare(comp, 'intermediate', 'first2', [live]), b.declare(comp, 'intermediate', 'first4', [live]), b.declare(comp, 'intermediate', 'first5', [live])] as const;
  const full = [2, 4, 5].map((e) => b.declare(comp, 'intermediate', `full${e}`, [blocks, ROUNDS_F - 1, T]));
  const part = [2, 4, 5].map((e) => b.declare(comp, 'intermediate', `part${e}`, [blocks, ROUNDS_P]));

  /** x⁵ through the three signals at `at` of `powers` (x², x⁴, x⁵): three constraints. */
  const sbox = (x: Lc, powers: readonly (readonly number[])[], at: number): Lc => {
    const [x2, x4, x5] = powers.map((ids) => ids[at]!) as [number, number, number];
    const v = b.evaluate(x);
    const v2 = toField(v * v);
    const v4 = toField(v2 * v2);
    b.set(x2, v2);
    b.constrain(x, x, signalLc(x2));
    b.set(x4, v4);
    b.constrain(signalLc(x2), signalLc(x2), signalLc(x4));
    b.set(x5, v4 * v);
    b.constrain(signalLc(x4), x, signalLc(x5));
    return signalLc(x5);
  };

  let chain: Lc = new Map();
  let lane = 0;
  for (let k = 0; k < blocks; k++) {
    const word = (j: number): number | undefined => (SPONGE_RATE * k + j - 2 < nWords ? inputs[SPONGE_RATE * k + j - 2] : undefined);
    let state: Lc[] = Array.from({ length: T }, (_, j) => {
      if (j === 0) return constant(C[0]!);
      if (j === 1) return combine([chain, 1n], [constant(C[1]!), 1n]);
      const w = word(j);
      return w === undefined ? constant(C[j]!) : combine([signalLc(w), 1n], [constant(C[j]!), 1n]);
    });
    for (let r = 0; r < ROUNDS_F; r++) {
      if (r === HALF) {
        for (let p = 0; p < ROUNDS_P; p++) {
          const s0 = combine([sbox(state[0]!, part, k * ROUNDS_P + p), 1n], [constant(C[(HALF + 1) * T + p]!), 1n]);
          const row = (2 * T - 1) * p;
          state[0] = combine([s0, S[row]!], ...state.slice(1).map((x, i) => [x, S[row + 1 + i]!] as const));
          for (let i = 1; i < T; i++) addTo(state[i]!, s0, S[row + T + i - 1]!);
        }
      }
      const boxed = state.map((x, j) => {
        if (r === 0 && (j === 0 || (j === 1 && k === 0) || (j > 1 && word(j) === undefined))) return constant(toField(b.evaluate(x) ** 5n));
        if (r === 0) return sbox(x, first, lane++);
        return sbox(x, full, (k * (ROUNDS_F - 1) + r - 1) * T + j);
      });
      const roundConstant = (j: number): bigint =>
        r === ROUNDS_F - 1 ? 0n : r < HALF ? C[(r + 1) * T + j]! : C[(HALF + 1) * T + ROUNDS_P + (r - HALF) * T + j]!;
      const shifted = boxed.map((x, j) => combine([x, 1n], [constant(roundConstant(j)), 1n]));
      const m = r === HALF - 1 ? P : M;
      state = Array.from({ length: T }, (_, i) => combine(...shifted.map((x, j) => [x, m[j]![i]!] as const)));
    }
    chain = state[0]!;
  }
  b.set(output, b.evaluate(chain));
  b.assign(output, chain);
  return { inputs, output };
}
