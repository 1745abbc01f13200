/**
 * `compile --input public|private|hashed --output logits|argmax` (circuits/visibility.ts):
 * for each combination a small model compiles, proves and verifies; public.json holds
 * exactly the manifest's layout ([outputs][content hash][public inputs]); argmax outputs
 * equal the first index of the maximum of the default model's outputs (and logits equal
 * them); private and hashed inputs are absent from the public signals and range-checked
 * in the circuit; a hashed input's content hash is the off-chain Poseidon hash
 * (verifier/input-hash.ts) and changes with any input element. Tamper: a witness whose
 * public class index, private input or content hash was changed (a valid witness of
 * another input carrying this input's hash) no longer satisfies the circuit.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCompiled, predictWith } from '../../circuits/predict.ts';
import type { InputVisibility, OutputVisibility } from '../../circuits/visibility.ts';
import { build } from '../../prover/build.ts';
import { writeBigUIntLE } from '../../prover/formats/binfile.ts';
import { prove } from '../../prover/prove.ts';
import { setup } from '../../prover/setup.ts';
import { releaseCurves } from '../../verifier/curves.ts';
import { BN254_SCALAR_MODULUS } from '../../verifier/field.ts';
import { hashInput } from '../../verifier/input-hash.ts';
import { verifyProof } from '../../verifier/verify.ts';
import { mulberry32, TempDirs, uniform, writeModel } from '../circuits/harness.ts';
import { zkinfer } from '../support/cli.ts';
import { buildNative } from '../support/native.ts';

const dirs = new TempDirs();
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
/** Where witness value i starts in a .wtns file: file header 12, header section 12 + 40, values section header 12. */
const valueOffset = (i: number) => 76 + 32 * i;

const rng = mulberry32(77);
let model: string;
let work: string;
let reference: Awaited<ReturnType<typeof loadCompiled>>;
const inputs = Array.from({ length: 4 }, () => uniform(rng, 6));

beforeAll(async () => {
  await buildNative();
  work = await dirs.make('visibility');
  model = await writeModel(work, {
    inputs: [{ name: 'x', shape: [1, 6] }],
    outputs: [{ name: 'scores', shape: [1, 5] }],
    initializers: [{ name: 'w', dims: [5, 6], data: uniform(rng, 30) }],
    nodes: [{ opType: 'Gemm', name: 'fc', inputs: ['x', 'w'], outputs: ['scores'], attributes: { transB: { int: 1 } } }],
  });
  await build(model, path.join(work, 'reference'));
  reference = await loadCompiled(path.join(work, 'reference'));
});

afterAll(async () => {
  await releaseCurves();
  await dirs.cleanup();
});

async function compiled(input: InputVisibility, output: OutputVisibility): Promise<string> {
  const dir = path.join(work, `${input}-${output}`);
  await build(model, dir, { input, output });
  await setup(dir, { dev: true });
  return dir;
}

/** The first index of the maximum, as ONNX's ArgMax and the circuit break ties. */
const firstArgmax = (values: readonly string[]): number => values.map(BigInt).reduce((best, v, i, all) => (v > all[best]! ? i : best), 0);

describe.each([
  ['public', 'logits'],
  ['private', 'logits'],
  ['public', 'argmax'],
  ['private', 'argmax'],
  ['hashed', 'logits'],
  ['hashed', 'argmax'],
] as [InputVisibility, OutputVisibility][])('--input %s --output %s', (input, output) => {
  it('proves and verifies; public.json is the manifest layout; outputs agree with the logits model', async () => {
    const dir = await compiled(input, output);
    const { manifest, ir } = await loadCompiled(dir);
    expect(manifest.visibility).toEqual({ input, output });
    expect(manifest.inputs[0]!.rangeCheckedInCircuit).toBe(input !== 'public');
    const circom = await readFile(path.join(dir, 'model.circom'), 'utf8');
    const mains = { public: `public [content_hash, ${manifest.inputs[0]!.signal}]`, private: 'public [content_hash]', hashed: 'component main = Model();' };
    expect(circom).toContain(mains[input]);
    expect(manifest.circuit.constraints).toBe(manifest.layers.reduce((a, l) => a + l.constraints, 0));

    const outputLength = output === 'argmax' ? 1 : 5;
    expect(manifest.publicSignals.map((r) => [r.kind, r.length])).toEqual([
      ['output', outputLength],
      ['content', 1],
      ...(input === 'public' ? [['input', 6]] : []),
    ]);
    for (const [i, x] of inputs.entries()) {
      const proved = await prove(dir, x, { source: `input ${i}`, out: path.join(dir, `proof-${i}`) });
      expect(proved.publicSignals).toHaveLength(manifest.publicSignals.reduce((a, r) => a + r.length, 0));
      const verdict = await verifyProof(dir, { proof: proved.files.proof, public: proved.files.public });
      expect(verdict.valid).toBe(true);
      if (input === 'hashed') expect(proved.output.contentHash).toBe((await hashInput(dir, x, `input ${i}`)).contentHash);
      const predicted = predictWith(manifest, ir, x, `input ${i}`).outputs[0]!.integers;
      expect(proved.output.outputs[0]!.integers.map(String)).toEqual(predicted);
      const scores = predictWith(reference.manifest, reference.ir, x, `input ${i}`).outputs[0]!.integers;
      expect(predicted).toEqual(output === 'argmax' ? [String(firstArgmax(scores))] : scores);
    }
  });
});

/** Whether `wtns` with one wire changed satisfies the circuit of `dir`. */
async function satisfiedWith(dir: string, wtns: Buffer, wire: number, change: (v: bigint) => bigint): Promise<boolean> {
  const bytes = Buffer.from(wtns);
  const at = valueOffset(wire);
  const old = [0, 1, 2, 3].reduce((v, k) => v + (bytes.readBigUInt64LE(at + 8 * k) << BigInt(64 * k)), 0n);
  writeBigUIntLE(bytes, at, 32, ((change(old) % BN254_SCALAR_MODULUS) + BN254_SCALAR_MODULUS) % BN254_SCALAR_MODULUS);
  const file = path.join(dir, 'tampered.wtns');
  await writeFile(file, bytes);
  return snarkjs.wtns.check(path.join(dir, 'model.r1cs'), file, quiet);
}

describe('tampering (--input private --output argmax)', () => {
  let dir: string;
  let wtns: Buffer;

  beforeAll(async () => {
    dir = path.join(work, 'private-argmax');
    const proved = await prove(dir, inputs[0], { source: 'input 0', out: path.join(dir, 'tamper') });
    wtns = await readFile(proved.files.witness);
  });

  it('the untouched witness satisfies the circuit', async () => {
    expect(await satisfiedWith(dir, wtns, 1, (v) => v)).toBe(true);
  });

  it('another class index (wire 1, the public output) does not', async () => {
    for (const delta of [1n, -1n, 2n]) expect(await satisfiedWith(dir, wtns, 1, (v) => v + delta)).toBe(false);
  });

  it('a private input pushed outside its quantized range does not', async () => {
    // Wires: 0 the constant, 1 the class index, 2 the content hash, then the private input.
    const { manifest } = await loadCompiled(dir);
    expect(await satisfiedWith(dir, wtns, 3, () => BigInt(manifest.inputs[0]!.max) + 1n)).toBe(false);
  });
});

describe('--input hashed', () => {
  it('any changed input element changes the content hash; the hash cannot be given; hash-input refuses other models', async () => {
    const dir = path.join(work, 'hashed-argmax');
    const { manifest } = await loadCompiled(dir);
    const base = (await hashInput(dir, inputs[0], 'input 0')).contentHash;
    for (let k = 0; k < 6; k++) {
      const changed = [...inputs[0]!];
      changed[k] = changed[k]! + 2 * manifest.inputs[0]!.scale;
      expect((await hashInput(dir, changed, `input 0, element ${k} changed`)).contentHash).not.toBe(base);
    }
    await expect(prove(dir, inputs[0], { source: 'input 0', contentHash: 5n })).rejects.toThrow(/hashes its input into the content hash inside the circuit/);
    await expect(hashInput(path.join(work, 'private-argmax'), inputs[0], 'input 0')).rejects.toThrow(/compiled with --input private: its content hash is not a hash of the input/);
  });

  it('tamper: a valid witness of another input carrying this input’s content hash fails', async () => {
    const dir = path.join(work, 'hashed-argmax');
    const { manifest } = await loadCompiled(dir);
    const wire = 1 + manifest.publicSignals.find((r) => r.kind === 'content')!.offset;
    const ours = BigInt((await hashInput(dir, inputs[0], 'input 0')).contentHash);
    const other = await prove(dir, inputs[1], { source: 'input 1', out: path.join(dir, 'other') });
    const wtns = await readFile(other.files.witness);
    expect(await satisfiedWith(dir, wtns, wire, (v) => v)).toBe(true);
    expect(await satisfiedWith(dir, wtns, wire, () => ours)).toBe(false);
  });
});

describe('the CLI', () => {
  it('compile --input private --output argmax; inspect says what a proof reveals; unknown choices are refused', async () => {
    const dir = path.join(work, 'cli');
    await writeFile(path.join(work, 'input0.json'), JSON.stringify(inputs[0]));
    const compiled = await zkinfer(['compile', model, '-o', dir, '--input', 'private', '--output', 'argmax']);
    expect(compiled.code).toBe(0);
    const inspected = await zkinfer(['inspect', dir]);
    expect(inspected.stdout).toContain('reveals    the class index only (--output argmax), the content hash and not the input (private, range-checked in the circuit): 2 public signals');
    const hashedDir = path.join(work, 'hashed-argmax');
    const hashed = await zkinfer(['hash-input', hashedDir, '--input', path.join(work, 'input0.json')]);
    expect(hashed.stdout.trim()).toBe((await hashInput(hashedDir, inputs[0], 'input 0')).contentHash);
    const refused = await zkinfer(['compile', model, '-o', dir, '--output', 'hashed']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("option '--output <visibility>' argument 'hashed' is invalid. Allowed choices are logits, argmax.");
  });
});

describe('errors', () => {
  it('--output argmax needs one output whose last axis holds the classes', async () => {
    const two = await writeModel(work, {
      inputs: [{ name: 'x', shape: [1, 2] }],
      outputs: [
        { name: 'a', shape: [1, 2] },
        { name: 'b', shape: [1, 2] },
      ],
      nodes: [
        { opType: 'Relu', name: 'r1', inputs: ['x'], outputs: ['a'] },
        { opType: 'Relu', name: 'r2', inputs: ['x'], outputs: ['b'] },
      ],
    }, 'two-outputs.onnx');
    await expect(build(two, path.join(work, 'two'), { output: 'argmax' })).rejects.toThrow(/--output argmax needs a model with one output, but .* has 2 \("a", "b"\)/);
    const single = await writeModel(work, {
      inputs: [{ name: 'x', shape: [1, 1] }],
      outputs: [{ name: 'y', shape: [1, 1] }],
      nodes: [{ opType: 'Relu', name: 'r', inputs: ['x'], outputs: ['y'] }],
    }, 'one-score.onnx');
    await expect(build(single, path.join(work, 'single'), { output: 'argmax' })).rejects.toThrow(/output "y" has shape \[1,1\], so its last axis holds no choice of class/);
  });
});
