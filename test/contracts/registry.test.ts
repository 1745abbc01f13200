/**
 * The contracts on Hardhat's in-process EVM with real Groth16 proofs of the verdict
 * model: the generated verifier, InferenceRegistry (register, attest, every rejection
 * with its own error, events, replay keyed on (model, content)), and the
 * FactCheckOracle example. Gas bounds are the acceptance figures.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Contract, ContractFactory, Interface, type InterfaceAbi } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Groth16Proof } from 'snarkjs';
import { encodeProof, encodeSignals } from '../../verifier/calldata.ts';
import { connect, type Chain } from '../../verifier/chain.ts';
import { contentHashHex, contentHashOf } from '../../core/content-hash.ts';
import { releaseCurves } from '../../core/curves.ts';
import { BN254_SCALAR_MODULUS, toField } from '../../core/field.ts';
import {
  attestProof,
  deployRegistry,
  deployVerifier,
  registerModel,
  revertDataOf,
  verifyThroughRegistry,
  verifyWithVerifier,
  type DeployedVerifier,
  type ProofFiles,
} from '../../verifier/onchain.ts';
import { compileSolidity, projectContracts, projectSources, type CompiledContracts } from '../../verifier/solidity.ts';
import { REPO_ROOT } from '../support/shared.ts';
import { buildVerdictModel, proveVerdict, type VerdictModel } from './verdict-model.ts';

const r = BN254_SCALAR_MODULUS;
const claimOf = (text: string) => ({ text, hash: contentHashOf(new TextEncoder().encode(text)) });
const SUPPORTED = claimOf('Water boils at 100 °C at sea level.');
const REFUTED = claimOf('The Great Wall of China is visible from the Moon with the naked eye.');
const OTHER = claimOf('Light from the Sun takes about eight minutes to reach the Earth.');

let model: VerdictModel;
let chain: Chain;
let contracts: CompiledContracts;
let verifier: DeployedVerifier;
let registry: Contract;
let registryAddress: string;
let modelId: string;
/** Proofs by name: a supported verdict, a second proof of the same statement, a refuted verdict. */
const proofs: Record<string, ProofFiles & { contentHash: bigint }> = {};

beforeAll(async () => {
  model = await buildVerdictModel();
  for (const [name, score, claim] of [
    ['supported', 0.7, SUPPORTED],
    ['supportedAgain', 0.7, SUPPORTED],
    ['refuted', -0.8, REFUTED],
    ['other', 0.9, OTHER],
  ] as const) {
    const p = await proveVerdict(model.dir, score, claim.hash, name);
    proofs[name] = { proof: p.proof, publicSignals: p.publicSignals, contentHash: claim.hash };
  }
  chain = await connect();
  contracts = await projectContracts();
  verifier = await deployVerifier(chain, model.dir);
  const deployed = await deployRegistry(chain);
  registryAddress = deployed.address;
  registry = new Contract(registryAddress, contracts.InferenceRegistry!.abi as InterfaceAbi, chain.signer);
  modelId = (await registerModel(chain, registryAddress, verifier.address, 'ipfs://verdict-model')).modelId;
}, 300_000);

afterAll(async () => {
  chain?.close();
  await releaseCurves();
  await model?.cleanup();
});

const withSignal = (files: ProofFiles, index: number, value: bigint): ProofFiles => ({
  ...files,
  publicSignals: files.publicSignals.map((s, i) => (i === index ? String(value) : s)),
});

/** A proof with A replaced by another valid curve point: well-formed, but not a proof of anything. */
function tamperedProof(files: ProofFiles): ProofFiles {
  const other = proofs.refuted!.proof;
  return { ...files, proof: { ...files.proof, pi_a: other.pi_a } as Groth16Proof };
}

describe('the generated verifier', () => {
  it('accepts a valid proof within 10% of the Groth16 gas floor (206k + 6.65k per public signal)', async () => {
    const { valid, gas } = await verifyWithVerifier(chain, verifier, proofs.supported!);
    expect(valid).toBe(true);
    const floor = 206_000n + 6_650n * 4n;
    expect(gas).toBeLessThanOrEqual((floor * 110n) / 100n);
    expect(verifier.generated.layout).toEqual({ publicSignals: 4, outputs: 2, contentHashIndex: 2, modelCommitmentIndex: 0 });
    expect(verifier.chunks).toEqual([]);
  });

  it('returns false for a tampered proof or a changed public signal', async () => {
    expect((await verifyWithVerifier(chain, verifier, tamperedProof(proofs.supported!))).valid).toBe(false);
    const signals = proofs.supported!.publicSignals;
    for (let i = 0; i < signals.length; i++) {
      const changed = withSignal(proofs.supported!, i, (BigInt(signals[i]!) + 1n) % r);
      expect((await verifyWithVerifier(chain, verifier, changed)).valid, `signal ${i}`).toBe(false);
    }
  });

  it('reverts on malformed input: signal + r, a public input outside its range, wrong counts', async () => {
    const p = proofs.supported!;
    await expect(verifyWithVerifier(chain, verifier, withSignal(p, 1, BigInt(p.publicSignals[1]!) + r))).rejects.toThrow(/SignalNotInField\(1\)/);
    // The circuit does not range-check its public input (int8 here): the contract does.
    await expect(verifyWithVerifier(chain, verifier, withSignal(p, 3, 128n))).rejects.toThrow(/InputOutOfRange\(3\)/);
    await expect(verifyWithVerifier(chain, verifier, withSignal(p, 3, toField(-129n)))).rejects.toThrow(/InputOutOfRange\(3\)/);
    await expect(verifyWithVerifier(chain, verifier, { ...p, publicSignals: p.publicSignals.slice(0, 3) })).rejects.toThrow(/PublicSignalCount\(4, 3\)/);
    const c = new Contract(verifier.address, new Interface(['function verifyProof(bytes,uint256[]) view returns (bool)']), chain.signer);
    const short = encodeProof(p.proof).slice(0, -64);
    const decoded = new Interface(['error ProofLength(uint256 expected, uint256 given)']).parseError(await revertData(c.verifyProof(short, encodeSignals(p.publicSignals))));
    expect(decoded?.name).toBe('ProofLength');
    expect(decoded?.args.map(Number)).toEqual([256, 224]);
  });
});

async function revertData(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    const data = revertDataOf(err);
    if (data) return data;
    throw err;
  }
  throw new Error('the call did not revert');
}

describe('InferenceRegistry', () => {
  it('registered the model with the verifier layout and key hash, and an event', async () => {
    const m = await registry.model(modelId);
    expect(m.verifier).toBe(verifier.address);
    expect(m.owner).toBe(await chain.signer.getAddress());
    expect(m.active).toBe(true);
    expect([m.publicSignalCount, m.outputCount, m.contentHashIndex, m.modelCommitmentIndex].map(Number)).toEqual([4, 2, 2, 0]);
    expect(m.verificationKeyHash).toBe(verifier.generated.verificationKeyHash);
    expect(BigInt(m.modelCommitment)).toBe(0n);
    expect(m.metadataURI).toBe('ipfs://verdict-model');
    const events = await registry.queryFilter(registry.filters.ModelRegistered!(modelId));
    expect(events).toHaveLength(1);
    const args = (events[0] as unknown as { args: Record<string, unknown> }).args;
    expect([args.owner, args.verifier, args.verificationKeyHash, args.metadataURI]).toEqual([
      await chain.signer.getAddress(),
      verifier.address,
      verifier.generated.verificationKeyHash,
      'ipfs://verdict-model',
    ]);
    await expect(registerModel(chain, registryAddress, verifier.address)).rejects.toThrow(new RegExp(`ModelExists\\(${modelId}\\)`));
    await expect(registerModel(chain, registryAddress, await chain.signer.getAddress())).rejects.toThrow(/NotAVerifier/);
    // Constant weights: a model commitment would never be checked, so the registry refuses one.
    await expect(registerModel(chain, registryAddress, verifier.address, '', 5n)).rejects.toThrow(/NoModelCommitment/);
  });

  it('verifyInference: true for a valid proof, false (never a revert) for anything else', async () => {
    const p = proofs.supported!;
    expect((await verifyThroughRegistry(chain, registryAddress, modelId, p)).valid).toBe(true);
    expect((await verifyThroughRegistry(chain, registryAddress, modelId, tamperedProof(p))).valid).toBe(false);
    expect((await verifyThroughRegistry(chain, registryAddress, modelId, withSignal(p, 0, BigInt(p.publicSignals[0]!) + r))).valid).toBe(false);
    expect((await verifyThroughRegistry(chain, registryAddress, modelId, withSignal(p, 3, 128n))).valid).toBe(false);
    expect((await verifyThroughRegistry(chain, registryAddress, contentHashHex(1n), p)).valid).toBe(false);
  });

  it('rejects each bad attestation with its own error, before recording anything', async () => {
    const p = proofs.supported!;
    const attest = (files: ProofFiles, id = modelId, content = p.contentHash) => attestProof(chain, registryAddress, id, content, files);
    await expect(attest(tamperedProof(p))).rejects.toThrow(new RegExp(`InvalidProof\\(${modelId}\\)`));
    await expect(attest(withSignal(p, 0, BigInt(p.publicSignals[0]!) + 1n))).rejects.toThrow(/InvalidProof/);
    await expect(attest(withSignal(p, 1, BigInt(p.publicSignals[1]!) + r))).rejects.toThrow(/SignalNotInField\(1\)/);
    await expect(attest(withSignal(p, 3, 200n))).rejects.toThrow(/InputOutOfRange\(3\)/);
    await expect(attest(p, contentHashHex(7n))).rejects.toThrow(/UnknownModel\(0x0+7\)/);
    await expect(attest(p, modelId, OTHER.hash)).rejects.toThrow(new RegExp(`ContentHashMismatch\\(${contentHashHex(OTHER.hash)}, ${p.contentHash}\\)`));
    await expect(attest({ ...p, publicSignals: p.publicSignals.slice(0, 3) })).rejects.toThrow(/PublicSignalCount\(4, 3\)/);
    expect((await registry.attestation(modelId, contentHashHex(p.contentHash))).attester).toBe('0x0000000000000000000000000000000000000000');
  });

  it('attests a valid proof (≤ 300k gas), records it with an event, and refuses a replay even with a fresh proof', async () => {
    const p = proofs.supported!;
    const a = await attestProof(chain, registryAddress, modelId, p.contentHash, p);
    expect(a.gasUsed).toBeLessThanOrEqual(300_000n);
    expect(a.modelId).toBe(modelId);
    expect(a.contentHash).toBe(contentHashHex(p.contentHash));
    expect(a.attester).toBe(await chain.signer.getAddress());
    expect(a.outputs).toEqual(p.publicSignals.slice(0, 2).map(BigInt));
    const stored = await registry.attestation(modelId, contentHashHex(p.contentHash));
    expect([stored.attester, Number(stored.blockNumber)]).toEqual([a.attester, a.blockNumber]);
    expect(await registry.isAttested(modelId, contentHashHex(p.contentHash), a.outputs)).toBe(true);
    expect(await registry.isAttested(modelId, contentHashHex(p.contentHash), [a.outputs[1]!, a.outputs[0]!])).toBe(false);

    // Groth16 proofs are malleable and re-randomizable: replay is keyed on (model, content).
    const again = proofs.supportedAgain!;
    expect(again.proof).not.toEqual(p.proof);
    await expect(attestProof(chain, registryAddress, modelId, again.contentHash, again)).rejects.toThrow(
      new RegExp(`AlreadyAttested\\(${modelId}, ${contentHashHex(p.contentHash)}\\)`),
    );
  });
});

describe('FactCheckOracle (a contract embedding the check)', () => {
  let oracle: Contract;

  beforeAll(async () => {
    const c = contracts.FactCheckOracle!;
    const deployed = await new ContractFactory(c.abi as InterfaceAbi, c.bytecode, chain.signer).deploy(registryAddress, modelId, 1);
    oracle = deployed as Contract;
  });

  it('accepts an attested claim whose verdict is "supported", with an event', async () => {
    const outputs = encodeSignals(proofs.supported!.publicSignals.slice(0, 2));
    const tx = await oracle.acceptClaim(SUPPORTED.text, outputs);
    const receipt = await tx.wait();
    const event = receipt.logs.map((l: { topics: string[]; data: string }) => oracle.interface.parseLog(l)).find((e: { name: string } | null) => e?.name === 'ClaimAccepted');
    expect([event.args.contentHash, event.args.claim, Number(event.args.verdict)]).toEqual([contentHashHex(SUPPORTED.hash), SUPPORTED.text, 1]);
    expect(await oracle.accepted(contentHashHex(SUPPORTED.hash))).toBe(true);
    expect(oracle.interface.parseError(await revertData(oracle.acceptClaim(SUPPORTED.text, outputs)))?.name).toBe('AlreadyAccepted');
  });

  it('refuses a claim that was never attested', async () => {
    const outputs = encodeSignals(proofs.refuted!.publicSignals.slice(0, 2));
    const errors = oracle.interface;
    expect(errors.parseError(await revertData(oracle.acceptClaim(REFUTED.text, outputs)))?.name).toBe('NotAttested');
  });

  it('checks a proof in one call and refuses a "refuted" verdict or a claim the proof is not about', async () => {
    const refuted = proofs.refuted!;
    const args = (p: ProofFiles) => [encodeSignals(p.publicSignals), encodeProof(p.proof)] as const;
    const e1 = oracle.interface.parseError(await revertData(oracle.acceptClaimWithProof(REFUTED.text, ...args(refuted))));
    expect([e1?.name, Number(e1?.args[0])]).toEqual(['VerdictNotSupported', 0]);
    const other = proofs.other!;
    const e2 = oracle.interface.parseError(await revertData(oracle.acceptClaimWithProof(SUPPORTED.text, ...args(other))));
    expect(e2?.name).toBe('ContentHashMismatch');
    const e3 = oracle.interface.parseError(await revertData(oracle.acceptClaimWithProof(OTHER.text, ...args(tamperedProof(other)))));
    expect(e3?.name).toBe('InvalidInference');
    await (await oracle.acceptClaimWithProof(OTHER.text, ...args(other))).wait();
    expect(await oracle.accepted(contentHashHex(OTHER.hash))).toBe(true);
  });
});

describe("the README's embedding example", () => {
  it('compiles against contracts/ and publishes only a proven, supported claim about the right content', async () => {
    const readme = await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const example = /<!-- embed-example -->\s*```solidity\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example, 'README.md has the embed-example block').toBeDefined();
    const sources = Object.fromEntries(Object.entries(await projectSources()).map(([file, text]) => [`zkinfer/contracts/${file}`, text]));
    const compiled = (await compileSolidity({ ...sources, 'ClaimBoard.sol': example! })).ClaimBoard!;
    const board = (await new ContractFactory(compiled.abi as InterfaceAbi, compiled.bytecode, chain.signer).deploy(registryAddress, modelId)) as Contract;
    const args = (p: ProofFiles) => [encodeSignals(p.publicSignals), encodeProof(p.proof)] as const;

    await expect(board.publish(REFUTED.text, ...args(proofs.refuted!))).rejects.toThrow(/not supported/);
    await expect(board.publish(SUPPORTED.text, ...args(proofs.other!))).rejects.toThrow(/the proof is about other content/);
    await expect(board.publish(OTHER.text, ...args(tamperedProof(proofs.other!)))).rejects.toThrow(/no valid proof/);
    await (await board.publish(SUPPORTED.text, ...args(proofs.supported!))).wait();
    expect(await board.published(contentHashHex(SUPPORTED.hash))).toBe(true);
  });
});

describe('deactivation', () => {
  it('only the owner deactivates, once, for good: attest then fails with ModelInactive and verifyInference is false', async () => {
    const [, stranger] = await (chain.provider as unknown as { listAccounts(): Promise<{ getAddress(): Promise<string> }[]> }).listAccounts();
    const asStranger = registry.connect(stranger as never) as Contract;
    expect(registry.interface.parseError(await revertData(asStranger.deactivate(modelId)))?.name).toBe('NotModelOwner');
    const tx = await registry.deactivate(modelId);
    const receipt = await tx.wait();
    const events = receipt.logs.map((l: { topics: string[]; data: string }) => registry.interface.parseLog(l));
    expect(events.map((e: { name: string; args: { modelId: string } }) => [e.name, e.args.modelId])).toEqual([['ModelDeactivated', modelId]]);
    const p = proofs.other!;
    await expect(attestProof(chain, registryAddress, modelId, p.contentHash, p)).rejects.toThrow(new RegExp(`ModelInactive\\(${modelId}\\)`));
    expect((await verifyThroughRegistry(chain, registryAddress, modelId, p)).valid).toBe(false);
    expect(registry.interface.parseError(await revertData(registry.deactivate(modelId)))?.name).toBe('ModelInactive');
  });
});
