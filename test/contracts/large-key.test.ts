/**
 * A verification key too large for one contract (EIP-170: 24,576 bytes of code; 64 bytes
 * per public signal): the generated verifier keeps its IC points in chunk contracts whose
 * code hashes it checks at construction. A 300-input model has 303 public signals.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ContractFactory, type InterfaceAbi } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OnnxModelSpec } from '../../scripts/onnx-writer.ts';
import { mulberry32 } from '../../circuits/random.ts';
import { build } from '../../circuits/build.ts';
import { prove } from '../../prover/prove.ts';
import { setup } from '../../prover/setup.ts';
import { connect, type Chain } from '../../verifier/chain.ts';
import { releaseCurves } from '../../core/curves.ts';
import { compiledVerifier, deployVerifier, exportVerifier, verifyWithVerifier, type ProofFiles } from '../../verifier/onchain.ts';
import { dataContractInitCode } from '../../verifier/verifier-contract.ts';
import { TempDirs, uniform, writeModel } from '../circuits/harness.ts';

const INPUTS = 300;
const dirs = new TempDirs();
let dir: string;
let chain: Chain;
let files: ProofFiles;

beforeAll(async () => {
  const rng = mulberry32(7);
  const spec: OnnxModelSpec = {
    inputs: [{ name: 'x', shape: [1, INPUTS] }],
    outputs: [{ name: 'y', shape: [1, 2] }],
    initializers: [{ name: 'w', dims: [2, INPUTS], data: uniform(rng, 2 * INPUTS) }],
    nodes: [{ opType: 'Gemm', name: 'fc', inputs: ['x', 'w'], outputs: ['y'], attributes: { transB: { int: 1 } } }],
  };
  const root = await dirs.make('large-key');
  dir = path.join(root, 'build');
  await build(await writeModel(root, spec), dir, {});
  await setup(dir, {});
  const p = await prove(dir, { x: [uniform(rng, INPUTS)] }, { source: 'random input' });
  files = { proof: p.proof, publicSignals: p.publicSignals };
  chain = await connect();
}, 300_000);

afterAll(async () => {
  chain?.close();
  await releaseCurves();
  await dirs.cleanup();
});

describe('a verifier whose key lives in IC chunk contracts', () => {
  it('deploys under the contract size limit and verifies, with gas near the floor', async () => {
    const verifier = await deployVerifier(chain, dir);
    expect(verifier.generated.layout.publicSignals).toBe(INPUTS + 3);
    expect(verifier.chunks).toHaveLength(1);
    expect(verifier.codeSize).toBeLessThanOrEqual(24_576);
    const { valid, gas } = await verifyWithVerifier(chain, verifier, files);
    expect(valid).toBe(true);
    expect(gas).toBeLessThanOrEqual(((206_000n + 6_650n * BigInt(INPUTS + 3)) * 110n) / 100n);
    const changed = { ...files, publicSignals: files.publicSignals.map((s, i) => (i === 150 ? String(BigInt(s) === 0n ? 1n : 0n) : s)) };
    expect((await verifyWithVerifier(chain, verifier, changed)).valid).toBe(false);
  });

  it('refuses a chunk whose code is not the key it was generated for', async () => {
    const { generated, compiled } = await compiledVerifier(dir);
    const forged = generated.chunks[0]!.slice(0, -2) + (generated.chunks[0]!.endsWith('00') ? '01' : '00');
    const tx = await chain.signer.sendTransaction({ data: dataContractInitCode(forged) });
    const address = (await tx.wait())!.contractAddress!;
    const factory = new ContractFactory(compiled.abi as InterfaceAbi, compiled.bytecode, chain.signer);
    await expect(factory.deploy([address])).rejects.toThrow();
    const data = await factory.getDeployTransaction([address]);
    const revert = await chain.provider.call({ data: data.data }).catch((err: { data?: string }) => err.data);
    expect(factory.interface.parseError(revert!)?.name).toBe('ICChunkMismatch');
  });

  it('export-verifier writes the chunks beside the .sol', async () => {
    const out = path.join(dir, 'Verifier.sol');
    const r = await exportVerifier(dir, out);
    expect(r.chunksFile).toBe(path.join(dir, 'Verifier.ic-chunks.json'));
    const chunks = JSON.parse(await readFile(r.chunksFile!, 'utf8')) as { chunks: { codehash: string; initCode: string }[] };
    expect(chunks.chunks).toHaveLength(1);
    expect(await readFile(out, 'utf8')).toContain(`IC_CHUNK_0_HASH = ${chunks.chunks[0]!.codehash}`);
  });
});
