/**
 * `compile --weights hashed` on a small CNN (padded, strided Conv with bias → Relu → Flatten →
 * Gemm with bias): the weights leave the circuit and become private signals under the model
 * commitment; the circuit computes exactly what the constant-weight circuit computes, at one
 * constraint per multiply-accumulate; proving with other weights than the committed ones
 * fails (off-chain before any witness, in the constraints, in `verify`, and in the registry,
 * which checks the commitment it registered, while one verifier serves two weight sets).
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { committedTensors, modelCommitment } from '../../circuits/hashes.ts';
import { nestArray } from '../../core/input.ts';
import { IR_FILE, irFromJson, irToJson, loadCompiled } from '../../circuits/ir/serialize.ts';
import { convMacs } from '../../circuits/ir/conv.ts';
import type { ConvNode } from '../../circuits/ir/types.ts';
import { predictWith } from '../../circuits/predict.ts';
import { build } from '../../circuits/build.ts';
import { prove, type ProveResult } from '../../prover/prove.ts';
import { setup } from '../../prover/setup.ts';
import { connect, type Chain } from '../../verifier/chain.ts';
import { contentHashHex } from '../../core/content-hash.ts';
import { releaseCurves } from '../../core/curves.ts';
import { attestProof, deployRegistry, deployVerifier, registerModel, verifyThroughRegistry } from '../../verifier/onchain.ts';
import { deployModel } from '../../verifier/deploy.ts';
import { verifyProof } from '../../verifier/verify.ts';
import { mulberry32, TempDirs, uniform, writeModel } from '../circuits/harness.ts';
import { buildNative } from '../support/native.ts';
import { satisfiedWith as satisfied, wiresByName, type WireChange } from '../support/tamper.ts';

const dirs = new TempDirs();
const rng = mulberry32(2024);
const inputs = Array.from({ length: 2 }, () => nestArray(uniform(rng, 50), [1, 2, 5, 5]));

let work: string;
let constantDir: string;
let dir: string;
let otherDir: string;
let proved: ProveResult;
let otherProof: ProveResult;

beforeAll(async () => {
  await buildNative();
  work = await dirs.make('committed');
  const model = await writeModel(work, {
    inputs: [{ name: 'x', shape: [1, 2, 5, 5] }],
    outputs: [{ name: 'y', shape: [1, 4] }],
    initializers: [
      { name: 'k', dims: [3, 2, 3, 3], data: uniform(rng, 54) },
      { name: 'kb', dims: [3], data: uniform(rng, 3) },
      { name: 'w', dims: [4, 27], data: uniform(rng, 108) },
      { name: 'b', dims: [4], data: uniform(rng, 4) },
    ],
    nodes: [
      { opType: 'Conv', name: 'conv', inputs: ['x', 'k', 'kb'], outputs: ['c'], attributes: { pads: { ints: [1, 1, 1, 1] }, strides: { ints: [2, 2] } } },
      { opType: 'Relu', name: 'relu', inputs: ['c'], outputs: ['r'] },
      { opType: 'Flatten', name: 'flat', inputs: ['r'], outputs: ['f'] },
      { opType: 'Gemm', name: 'fc', inputs: ['f', 'w', 'b'], outputs: ['y'], attributes: { transB: { int: 1 } } },
    ],
  });
  constantDir = path.join(work, 'constant');
  dir = path.join(work, 'hashed');
  await build(model, constantDir);
  await build(model, dir, { weights: 'hashed' });
  await setup(dir, { dev: true });
  proved = await prove(dir, inputs[0], { source: 'input 0', out: path.join(dir, 'proof') });

  // The same circuit and keys with other weights: two conv weights swapped (same ranges, so the same gadget widths).
  otherDir = path.join(work, 'other');
  await cp(dir, otherDir, { recursive: true });
  const ir = irFromJson(await readFile(path.join(otherDir, IR_FILE), 'utf8'), IR_FILE);
  const conv = ir.nodes.find((n): n is ConvNode => n.kind === 'conv')!;
  const j = conv.weights.findIndex((w) => w !== conv.weights[0]);
  [conv.weights[0], conv.weights[j]] = [conv.weights[j]!, conv.weights[0]!];
  await writeFile(path.join(otherDir, IR_FILE), irToJson(ir));
}, 300_000);

afterAll(async () => {
  await releaseCurves();
  await dirs.cleanup();
});

/** Replaces the model commitment in `dir`'s manifest. */
async function setManifestCommitment(target: string, value: bigint): Promise<void> {
  const file = path.join(target, 'manifest.json');
  const manifest = JSON.parse(await readFile(file, 'utf8'));
  manifest.modelCommitment.value = value.toString();
  await writeFile(file, JSON.stringify(manifest));
}

/** Whether `wtns` with the named wires changed satisfies the circuit (names from model.sym). */
async function satisfiedWith(wtns: Buffer, changes: [string, (v: bigint) => bigint][]): Promise<boolean> {
  const wires = await wiresByName(dir);
  return satisfied(dir, wtns, changes.map(([name, change]): WireChange => {
    const wire = wires.get(name);
    if (wire === undefined) throw new Error(`no wire ${name}`);
    return [wire, change];
  }));
}

describe('--weights hashed', () => {
  it('computes what the constant-weight circuit computes, at one constraint per multiply-accumulate, with no weight in the circuit', async () => {
    const { manifest, ir } = await loadCompiled(dir);
    const constant = await loadCompiled(constantDir);
    const circom = await readFile(path.join(dir, 'model-template.circom'), 'utf8');
    expect(circom).toContain('signal input weights_c_bits[54][');
    expect(circom).not.toMatch(/_weights\(\)|_bias\(\)/);
    expect(manifest.circuit.constraints).toBe(manifest.layers.reduce((a, l) => a + l.constraints, 0));
    const conv = ir.nodes.find((n): n is ConvNode => n.kind === 'conv')!;
    // 3 output channels × 2 input channels × (4 corner positions · 4 + 4 edge · 6 + 1 centre · 9 taps inside the input).
    expect(convMacs(conv)).toBe(3 * 2 * (4 * 4 + 4 * 6 + 9));
    expect(manifest.layers.find((l) => l.node === 'conv')!.constraints).toBe(convMacs(conv));
    expect(manifest.layers.find((l) => l.node === 'fc')!.constraints).toBe(27 * 4);
    expect(manifest.modelCommitment!.tensors.map((t) => [t.node, t.role, t.length])).toEqual([
      ['conv', 'weights', 54],
      ['conv', 'bias', 3],
      ['fc', 'weights', 108],
      ['fc', 'bias', 4],
    ]);
    expect(manifest.modelCommitment!.value).toBe(String(await modelCommitment(ir)));
    expect(committedTensors(ir).map((t) => t.values)).toEqual(committedTensors({ nodes: constant.ir.nodes.map((n) => (n.kind === 'conv' || n.kind === 'linear' ? { ...n, committed: true } : n)) }).map((t) => t.values));

    for (const [i, x] of inputs.entries()) {
      const result = i === 0 ? proved : await prove(dir, x, { source: `input ${i}`, out: path.join(dir, `proof-${i}`) });
      expect((await verifyProof(dir, { proof: result.files.proof, public: result.files.public })).valid).toBe(true);
      expect(result.output.outputs[0]!.integers).toEqual(predictWith(constant.manifest, constant.ir, x, `input ${i}`).outputs[0]!.integers);
      expect(result.output.modelCommitment).toBe(contentHashHex(BigInt(manifest.modelCommitment!.value)));
    }
  });

  it('other weights are refused before any witness is computed', async () => {
    await expect(prove(otherDir, inputs[0], { source: 'input 0' })).rejects.toThrow(/ir\.json hash to \d+, not to the model commitment \d+ in manifest\.json/);
  });

  it('tamper: a changed weight or bias bit, a non-boolean bit, or other weights carrying the committed commitment, fail the constraints', async () => {
    const wtns = await readFile(proved.files.witness);
    expect(await satisfiedWith(wtns, [])).toBe(true);
    expect(await satisfiedWith(wtns, [['main.weights_c_bits[0][0]', (v) => 1n - v]])).toBe(false);
    expect(await satisfiedWith(wtns, [['main.bias_y_bits[3][2]', (v) => 1n - v]])).toBe(false);
    expect(await satisfiedWith(wtns, [['main.weights_c_bits[5][1]', (v) => v + 2n]])).toBe(false);
    expect(await satisfiedWith(wtns, [['main.model_commitment', (v) => v + 1n]])).toBe(false);

    const committed = BigInt((await loadCompiled(dir)).manifest.modelCommitment!.value);
    await setManifestCommitment(otherDir, await modelCommitment((await loadCompiled(otherDir)).ir));
    otherProof = await prove(otherDir, inputs[0], { source: 'input 0', out: path.join(otherDir, 'proof') });
    const other = await readFile(otherProof.files.witness);
    expect(await satisfiedWith(other, [])).toBe(true);
    expect(await satisfiedWith(other, [['main.model_commitment', () => committed]])).toBe(false);
  });

  it('verify: a valid proof of the same circuit with other weights is not a proof of this model', async () => {
    expect((await verifyProof(otherDir, { proof: otherProof.files.proof, public: otherProof.files.public })).valid).toBe(true);
    const verdict = await verifyProof(dir, { proof: otherProof.files.proof, public: otherProof.files.public });
    expect(verdict.valid).toBe(false);
    expect(verdict.reason).toMatch(/model commitment 0x[0-9a-f]{64} is not this model's .* made with other weights/);
  });
});

describe('the registry checks the model commitment', () => {
  let chain: Chain;
  afterAll(() => chain?.close());

  it('attests proofs of the registered weights only; one verifier serves two committed weight sets', async () => {
    chain = await connect();
    const verifier = await deployVerifier(chain, dir);
    expect(verifier.generated.layout).toEqual({ publicSignals: 4 + 1 + 1 + 50, outputs: 4, contentHashIndex: 4, modelCommitmentIndex: 5 });
    const registry = (await deployRegistry(chain)).address;
    const commitment = BigInt((await loadCompiled(dir)).manifest.modelCommitment!.value);
    await expect(registerModel(chain, registry, verifier.address)).rejects.toThrow(/ModelCommitmentRequired/);
    const { modelId } = await registerModel(chain, registry, verifier.address, 'ipfs://cnn', commitment);

    const ours = { proof: proved.proof, publicSignals: proved.publicSignals };
    const theirs = { proof: otherProof.proof, publicSignals: otherProof.publicSignals };
    expect((await verifyThroughRegistry(chain, registry, modelId, ours)).valid).toBe(true);
    expect((await verifyThroughRegistry(chain, registry, modelId, theirs)).valid).toBe(false);
    await expect(attestProof(chain, registry, modelId, BigInt(otherProof.output.contentHash), theirs)).rejects.toThrow(/ModelCommitmentMismatch/);
    const attested = await attestProof(chain, registry, modelId, BigInt(proved.output.contentHash), ours);
    expect(attested.outputs.map(String)).toEqual(proved.publicSignals.slice(0, 4));

    const otherCommitment = BigInt(otherProof.output.modelCommitment!);
    const second = await registerModel(chain, registry, verifier.address, 'ipfs://cnn-v2', otherCommitment);
    expect(second.modelId).not.toBe(modelId);
    expect((await attestProof(chain, registry, second.modelId, BigInt(otherProof.output.contentHash), theirs)).modelId).toBe(second.modelId);

    // `zkinfer deploy` registers the manifest's commitment and records it.
    const deployed = await deployModel(chain, dir);
    expect(deployed.deployment.modelCommitment).toBe(contentHashHex(commitment));
    expect((await verifyThroughRegistry(chain, deployed.deployment.registry, deployed.deployment.modelId, ours)).valid).toBe(true);
    expect((await verifyThroughRegistry(chain, deployed.deployment.registry, deployed.deployment.modelId, theirs)).valid).toBe(false);
  });
});
