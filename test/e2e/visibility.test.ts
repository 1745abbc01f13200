/**
 * `compile --input public|private|hashed --weights constant|hashed --output logits|argmax|hashed`
 * (circuits/visibility.ts): for each of the 18 combinations a small model (Gemm with bias)
 * compiles through circom and through the fast path into one circuit (same signals, wires,
 * counts; witnesses satisfy each other's constraints), its cost model predicts the constraint
 * count exactly, and the fast path's artifacts prove and verify; public.json holds exactly the manifest's layout ([outputs | output hash][content
 * hash][model commitment][public inputs]); outputs equal the reference evaluator's and those
 * of the plain model (argmax: the first index of its maximum); the content hash, model
 * commitment and output hash equal the off-chain Poseidon hashes (circuits/hashes.ts).
 * Private and hashed inputs are absent from the public signals and range-checked. Tamper: a
 * witness whose public class index, private input, content hash or output hash was changed no
 * longer satisfies the circuit. Committed weights in depth: test/e2e/committed-weights.test.ts.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictWith } from '../../circuits/predict.ts';
import { loadCompiled } from '../../circuits/ir/serialize.ts';
import { modelCommitment } from '../../circuits/hashes.ts';
import { packedHash, packedTensor } from '../../core/poseidon.ts';
import { INPUT_VISIBILITIES, OUTPUT_VISIBILITIES, WEIGHT_VISIBILITIES, type InputVisibility, type OutputVisibility, type WeightVisibility } from '../../core/manifest.ts';
import { contentHashHex } from '../../core/content-hash.ts';
import { build } from '../../circuits/build.ts';
import { prove } from '../../prover/prove.ts';
import { setup } from '../../prover/setup.ts';
import { releaseCurves } from '../../core/curves.ts';
import { hashInput } from '../../core/input-hash.ts';
import { verifyProof } from '../../verifier/verify.ts';
import { mulberry32, TempDirs, uniform, writeModel } from '../circuits/harness.ts';
import { zkinfer } from '../support/cli.ts';
import { fastPathCopy, fastPathProblems } from '../support/equivalence.ts';
import { buildNative } from '../support/native.ts';
import { satisfiedWith as satisfied } from '../support/tamper.ts';

const dirs = new TempDirs();

const rng = mulberry32(77);
let model: string;
let work: string;
let reference: Awaited<ReturnType<typeof loadCompiled>>;
const inputs = Array.from({ length: 3 }, () => uniform(rng, 6));

beforeAll(async () => {
  await buildNative();
  work = await dirs.make('visibility');
  model = await writeModel(work, {
    inputs: [{ name: 'x', shape: [1, 6] }],
    outputs: [{ name: 'scores', shape: [1, 5] }],
    initializers: [
      { name: 'w', dims: [5, 6], data: uniform(rng, 30) },
      { name: 'b', dims: [5], data: uniform(rng, 5) },
    ],
    nodes: [{ opType: 'Gemm', name: 'fc', inputs: ['x', 'w', 'b'], outputs: ['scores'], attributes: { transB: { int: 1 } } }],
  });
  await build(model, path.join(work, 'reference'));
  reference = await loadCompiled(path.join(work, 'reference'));
});

afterAll(async () => {
  await releaseCurves();
  await dirs.cleanup();
});

const dirOf = (input: InputVisibility, weights: WeightVisibility, output: OutputVisibility): string => path.join(work, `${input}-${weights}-${output}`);

/** Compiled through circom (`<dir>-circom`) and by the fast path (`<dir>`, set up): the two must be one circuit. */
async function compiled(input: InputVisibility, weights: WeightVisibility, output: OutputVisibility): Promise<string> {
  const dir = dirOf(input, weights, output);
  await build(model, `${dir}-circom`, { input, weights, output, via: 'circom' });
  await rename(await fastPathCopy(`${dir}-circom`), dir);
  expect(await fastPathProblems(`${dir}-circom`, dir, inputs[0], 'input 0')).toEqual([]);
  await setup(dir, { dev: true });
  return dir;
}

/** The first index of the maximum, as ONNX's ArgMax and the circuit break ties. */
const firstArgmax = (values: readonly string[]): number => values.map(BigInt).reduce((best, v, i, all) => (v > all[best]! ? i : best), 0);

const combinations = INPUT_VISIBILITIES.flatMap((input) => WEIGHT_VISIBILITIES.flatMap((weights) => OUTPUT_VISIBILITIES.map((output) => [input, weights, output] as const)));

describe.each(combinations)('--input %s --weights %s --output %s', (input, weights, output) => {
  it('is one circuit through circom and the fast path, as predicted; proves and verifies; public.json is the manifest layout; outputs and hashes agree with the evaluator', async () => {
    const dir = await compiled(input, weights, output);
    const { manifest, ir } = await loadCompiled(dir);
    expect(manifest.visibility).toEqual({ input, weights, output });
    expect(manifest.inputs[0]!.rangeCheckedInCircuit).toBe(input !== 'public');
    const circom = await readFile(path.join(dir, 'model.circom'), 'utf8');
    const publicList = [...(input === 'hashed' ? [] : ['content_hash']), ...(weights === 'hashed' ? ['model_commitment'] : []), ...(input === 'public' ? [manifest.inputs[0]!.signal] : [])];
    expect(circom).toContain(publicList.length ? `component main {public [${publicList.join(', ')}]} = Model();` : 'component main = Model();');
    // circuit.constraints is the written circuit's count (circom's, as the equivalence check showed): the cost model must have predicted it exactly.
    expect(manifest.circuit.compiled).toBe(true);
    expect(manifest.circuit.constraints).toBe(manifest.layers.reduce((a, l) => a + l.constraints, 0));
    const template = await readFile(path.join(dir, 'model-template.circom'), 'utf8');
    expect(template.includes('_weights()')).toBe(weights === 'constant');

    expect(manifest.publicSignals.map((r) => [r.kind, r.length])).toEqual([
      output === 'hashed' ? ['output-hash', 1] : ['output', output === 'argmax' ? 1 : 5],
      ['content', 1],
      ...(weights === 'hashed' ? [['model', 1]] : []),
      ...(input === 'public' ? [['input', 6]] : []),
    ]);
    if (weights === 'hashed') expect(manifest.modelCommitment!.value).toBe(String(await modelCommitment(ir)));
    else expect(manifest.modelCommitment).toBeUndefined();
    for (const [i, x] of inputs.entries()) {
      const proved = await prove(dir, x, { source: `input ${i}`, out: path.join(dir, `proof-${i}`) });
      expect(proved.publicSignals).toHaveLength(manifest.publicSignals.reduce((a, r) => a + r.length, 0));
      const verdict = await verifyProof(dir, { proof: proved.files.proof, public: proved.files.public });
      expect(verdict.valid).toBe(true);
      if (input === 'hashed') expect(proved.output.contentHash).toBe((await hashInput(dir, x, `input ${i}`)).contentHash);
      expect(proved.output.modelCommitment).toBe(weights === 'hashed' ? contentHashHex(BigInt(manifest.modelCommitment!.value)) : undefined);
      const predicted = predictWith(manifest, ir, x, `input ${i}`).outputs[0]!.integers;
      expect(proved.output.outputs[0]!.integers.map(String)).toEqual(predicted);
      expect(verdict.outputs[0]!.integers).toEqual(predicted);
      if (output === 'hashed') {
        const hash = contentHashHex(await packedHash(manifest.outputs.map(packedTensor), [predicted.map(BigInt)]));
        expect(proved.output.outputHash).toBe(hash);
        expect(verdict.outputHash).toBe(hash);
      }
      const scores = predictWith(reference.manifest, reference.ir, x, `input ${i}`).outputs[0]!.integers;
      expect(predicted).toEqual(output === 'argmax' ? [String(firstArgmax(scores))] : scores);
    }
  });
});

/** Whether `wtns` with one wire changed satisfies the circuit of `dir`. */
const satisfiedWith = (dir: string, wtns: Buffer, wire: number, change: (v: bigint) => bigint): Promise<boolean> => satisfied(dir, wtns, [[wire, change]]);

describe('tampering (--input private --weights constant --output argmax)', () => {
  let dir: string;
  let wtns: Buffer;

  beforeAll(async () => {
    dir = dirOf('private', 'constant', 'argmax');
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
    const dir = dirOf('hashed', 'constant', 'argmax');
    const { manifest } = await loadCompiled(dir);
    const base = (await hashInput(dir, inputs[0], 'input 0')).contentHash;
    for (let k = 0; k < 6; k++) {
      const changed = [...inputs[0]!];
      changed[k] = changed[k]! + 2 * manifest.inputs[0]!.scale;
      expect((await hashInput(dir, changed, `input 0, element ${k} changed`)).contentHash).not.toBe(base);
    }
    await expect(prove(dir, inputs[0], { source: 'input 0', contentHash: 5n })).rejects.toThrow(/hashes its input into the content hash inside the circuit/);
    await expect(hashInput(dirOf('private', 'constant', 'argmax'), inputs[0], 'input 0')).rejects.toThrow(/compiled with --input private: its content hash is not a hash of the input/);
  });

  it('tamper: a valid witness of another input carrying this input’s content hash fails', async () => {
    const dir = dirOf('hashed', 'constant', 'argmax');
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
    const hashedDir = dirOf('hashed', 'constant', 'argmax');
    const hashed = await zkinfer(['hash-input', hashedDir, '--input', path.join(work, 'input0.json')]);
    expect(hashed.stdout.trim()).toBe((await hashInput(hashedDir, inputs[0], 'input 0')).contentHash);
    const refused = await zkinfer(['compile', model, '-o', dir, '--output', 'scores']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("option '--output <visibility>' argument 'scores' is invalid. Allowed choices are logits, argmax, hashed.");
    const privateWeights = await zkinfer(['compile', model, '-o', dir, '--weights', 'private']);
    expect(privateWeights.code).not.toBe(0);
    expect(privateWeights.stderr).toContain('private weights without a commitment would let a prover use any weights');
  });

  it('inspect, prove and verify of a model with hashed weights and outputs print the commitment and the output hash', async () => {
    const dir = dirOf('hashed', 'hashed', 'hashed');
    const { manifest } = await loadCompiled(dir);
    const commitment = contentHashHex(BigInt(manifest.modelCommitment!.value));
    const inspected = await zkinfer(['inspect', dir]);
    expect(inspected.stdout).toMatch(/reveals {4}a Poseidon hash of the outputs \([\d.]+ constraints per output element\), the content hash, the model commitment \(the weights stay private: [\d.]+ constraints per weight to commit, plus one per multiply-accumulate\) and not the input/);
    expect(inspected.stdout).toContain(`commitment ${commitment}`);
    const out = path.join(work, 'cli-proof');
    const proved = await zkinfer(['prove', dir, '--input', path.join(work, 'input0.json'), '--out', out]);
    expect(proved.code).toBe(0);
    expect(proved.stdout).toContain(`model commitment ${commitment}`);
    const verified = await zkinfer(['verify', dir, '--proof', path.join(out, 'proof.json'), '--public', path.join(out, 'public.json')]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/output hash 0x[0-9a-f]{64} \(the outputs above hash to it\)/);
  });
});

describe('--output hashed', () => {
  it('claimed outputs are checked against the hash; a witness with another output hash fails', async () => {
    const dir = dirOf('public', 'constant', 'hashed');
    const proofDir = path.join(dir, 'proof-0');
    const claimed = JSON.parse(await readFile(path.join(proofDir, 'output.json'), 'utf8'));
    claimed.outputs[0].integers[2] = String(BigInt(claimed.outputs[0].integers[2]) + 1n);
    const forged = path.join(work, 'forged-output.json');
    await writeFile(forged, JSON.stringify(claimed));
    await expect(verifyProof(dir, { proof: path.join(proofDir, 'proof.json'), public: path.join(proofDir, 'public.json'), outputs: forged })).rejects.toThrow(/the outputs hash to 0x[0-9a-f]{64}, the proof's output hash is/);
    const wtns = await readFile(path.join(proofDir, 'witness.wtns'));
    expect(await satisfiedWith(dir, wtns, 1, (v) => v)).toBe(true);
    expect(await satisfiedWith(dir, wtns, 1, (v) => v + 1n)).toBe(false);
  });
});

describe('errors', () => {
  it('--output argmax needs one output whose last axis holds the classes; --weights hashed needs weights', async () => {
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
    await expect(build(single, path.join(work, 'single'), { weights: 'hashed' })).rejects.toThrow(/--weights hashed: one-score\.onnx has no weights to commit to \(no Gemm, MatMul, Conv/);
  });
});
