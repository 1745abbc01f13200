/**
 * The on-chain client (ethers v6): deploy a model's verifier and the registry, register
 * the model, attest proofs, check proofs through the registry. Every call returns the
 * gas it used; a contract's custom error comes back as a VerificationError naming it.
 */
import { Contract, ContractFactory, Interface, isCallException, keccak256, type ContractTransactionResponse, type InterfaceAbi } from 'ethers';
import type { Groth16Proof, Groth16VerificationKey } from 'snarkjs';
import { readManifest } from '../core/artifacts.ts';
import { ToolError, VerificationError } from '../core/errors.ts';
import { writeFileAtomic, writeJsonAtomic } from '../core/files.ts';
import type { Manifest } from '../core/manifest.ts';
import { encodeProof, encodeSignals } from './calldata.ts';
import type { Chain } from './chain.ts';
import { contentHashHex } from '../core/content-hash.ts';
import { compileSolidity, projectContracts, type CompiledContract } from './solidity.ts';
import { dataContractInitCode, generateVerifier, type GeneratedVerifier } from './verifier-contract.ts';
import { readVerificationKey } from './verify.ts';

export interface Gas {
  /** What the transaction used, 21,000 base included. */
  gasUsed: bigint;
  txHash: string;
}

export interface DeployedVerifier extends Gas {
  address: string;
  /** IC chunk contracts (large keys only), with the gas each took. */
  chunks: { address: string; gasUsed: bigint }[];
  generated: GeneratedVerifier;
  /** Runtime code size of the verifier, bytes (EIP-170 caps it at 24,576). */
  codeSize: number;
}

export interface Attestation extends Gas {
  modelId: string;
  contentHash: string;
  attester: string;
  outputs: bigint[];
  blockNumber: number;
}

/** Custom errors of every contract zkinfer deploys, to decode revert data from any of them. */
let errorInterface: Interface | undefined;

async function contractErrors(extra: CompiledContract[] = []): Promise<Interface> {
  if (!errorInterface || extra.length > 0) {
    const all = [...Object.values(await projectContracts()), ...extra];
    const seen = new Set<string>();
    const fragments = all.flatMap((c) => new Interface(c.abi as InterfaceAbi).fragments.filter((f) => f.type === 'error'));
    errorInterface = new Interface(fragments.filter((f) => !seen.has(f.format()) && seen.add(f.format())));
  }
  return errorInterface;
}

/**
 * The revert data in an ethers error, if the error is a revert. ethers reports a revert as
 * CALL_EXCEPTION, except when a node's eth_sendTransaction itself reverts (Hardhat does):
 * then the data sits in the wrapped JSON-RPC error.
 */
export function revertDataOf(err: unknown): string | undefined {
  if (isCallException(err)) return err.data ?? undefined;
  const data = (err as { error?: { data?: unknown } } | undefined)?.error?.data;
  return typeof data === 'string' && /^0x([0-9a-fA-F]{2})*$/.test(data) ? data : undefined;
}

/** Runs a contract call or transaction; a revert becomes a VerificationError naming the contract's error. */
async function contractCall<T>(what: string, call: () => Promise<T>, extra: CompiledContract[] = []): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const data = revertDataOf(err);
    if (data === undefined && !isCallException(err)) throw new ToolError(`${what} failed: ${(err as Error).message}`, { cause: err });
    const decoded = data && data.length >= 10 ? (await contractErrors(extra)).parseError(data) : null;
    const reason = decoded ? `${decoded.name}(${decoded.args.map(String).join(', ')})` : data && data !== '0x' ? `unknown error data ${data}` : 'reverted without a reason';
    throw new VerificationError(`${what} reverted: ${reason}`, { context: [(err as Error).message.slice(0, 300)], cause: err });
  }
}

async function sent(tx: ContractTransactionResponse | null, what: string): Promise<Gas & { blockNumber: number; logs: readonly { topics: readonly string[]; data: string }[] }> {
  const receipt = await tx?.wait();
  if (!receipt) throw new ToolError(`${what}: no receipt`);
  return { gasUsed: receipt.gasUsed, txHash: receipt.hash, blockNumber: receipt.blockNumber, logs: receipt.logs };
}

async function deploy(chain: Chain, compiled: CompiledContract, what: string, args: unknown[] = []): Promise<Gas & { address: string }> {
  const factory = new ContractFactory(compiled.abi as InterfaceAbi, compiled.bytecode, chain.signer);
  const contract = await contractCall(`deploying ${what}`, () => factory.deploy(...args), [compiled]);
  const receipt = await contract.deploymentTransaction()?.wait();
  if (!receipt) throw new ToolError(`deploying ${what}: no receipt`);
  return { address: await contract.getAddress(), gasUsed: receipt.gasUsed, txHash: receipt.hash };
}

/** The Solidity verifier of a set-up model, generated and compiled. */
export async function compiledVerifier(dir: string): Promise<{ manifest: Manifest; vk: Groth16VerificationKey; generated: GeneratedVerifier; compiled: CompiledContract }> {
  const manifest = await readManifest(dir);
  const vk = await readVerificationKey(dir, manifest);
  const generated = generateVerifier(vk, manifest);
  const contracts = await compileSolidity({ 'ZkInferenceVerifier.sol': generated.source });
  return { manifest, vk, generated, compiled: contracts[generated.contractName]! };
}

/** Deploys the model's verifier (and its IC chunk contracts first, for large keys). */
export async function deployVerifier(chain: Chain, dir: string): Promise<DeployedVerifier> {
  const { generated, compiled } = await compiledVerifier(dir);
  const chunks: { address: string; gasUsed: bigint }[] = [];
  for (const [i, runtime] of generated.chunks.entries()) {
    const tx = await chain.signer.sendTransaction({ data: dataContractInitCode(runtime) });
    const receipt = await tx.wait();
    if (!receipt?.contractAddress) throw new ToolError(`deploying IC chunk ${i} failed`);
    chunks.push({ address: receipt.contractAddress, gasUsed: receipt.gasUsed });
  }
  const args = generated.chunks.length > 0 ? [chunks.map((c) => c.address)] : [];
  const deployed = await deploy(chain, compiled, 'the verifier', args);
  const code = await chain.provider.getCode(deployed.address);
  return { ...deployed, chunks, generated, codeSize: (code.length - 2) / 2 };
}

export async function deployRegistry(chain: Chain): Promise<Gas & { address: string }> {
  const contracts = await projectContracts();
  return deploy(chain, contracts.InferenceRegistry!, 'InferenceRegistry');
}

async function registryAt(chain: Chain, address: string): Promise<Contract> {
  const contracts = await projectContracts();
  return new Contract(address, contracts.InferenceRegistry!.abi as InterfaceAbi, chain.signer);
}

/**
 * Registers `verifier` in the registry with the model commitment its proofs must carry (0n for
 * constant weights); the model id is keccak256(owner, verifier, commitment).
 */
export async function registerModel(chain: Chain, registry: string, verifier: string, metadataURI = '', modelCommitment = 0n): Promise<Gas & { modelId: string }> {
  const contract = await registryAt(chain, registry);
  const owner = await chain.signer.getAddress();
  const commitment = contentHashHex(modelCommitment);
  const modelId = String(await contract.modelIdFor(owner, verifier, commitment));
  const tx = await contractCall('register', () => contract.register(verifier, commitment, metadataURI) as Promise<ContractTransactionResponse>);
  const { gasUsed, txHash } = await sent(tx, 'register');
  return { modelId, gasUsed, txHash };
}

export interface ProofFiles {
  proof: Groth16Proof;
  publicSignals: readonly string[];
}

/** Records an attestation for `contentHash`; the proof's content-hash signal must equal it. */
export async function attestProof(chain: Chain, registry: string, modelId: string, contentHash: bigint, files: ProofFiles): Promise<Attestation> {
  const contract = await registryAt(chain, registry);
  const args = [modelId, contentHashHex(contentHash), encodeSignals(files.publicSignals), encodeProof(files.proof)] as const;
  const tx = await contractCall('attest', () => contract.attest(...args) as Promise<ContractTransactionResponse>);
  const receipt = await sent(tx, 'attest');
  const event = receipt.logs.map((l) => contract.interface.parseLog(l)).find((e) => e?.name === 'Attested');
  if (!event) throw new ToolError('attest: the transaction emitted no Attested event');
  return {
    gasUsed: receipt.gasUsed,
    txHash: receipt.txHash,
    blockNumber: receipt.blockNumber,
    modelId: String(event.args.modelId),
    contentHash: String(event.args.contentHash),
    attester: String(event.args.attester),
    outputs: (event.args.outputs as bigint[]).map(BigInt),
  };
}

/** IZkInferenceVerifier.verifyInference through the registry (a view call), with its gas estimate. */
export async function verifyThroughRegistry(chain: Chain, registry: string, modelId: string, files: ProofFiles): Promise<{ valid: boolean; gas: bigint }> {
  const contract = await registryAt(chain, registry);
  const args = [modelId, encodeSignals(files.publicSignals), encodeProof(files.proof)] as const;
  const valid = Boolean(await contractCall('verifyInference', () => contract.verifyInference(...args) as Promise<boolean>));
  const gas = await contractCall('verifyInference', () => contract.verifyInference.estimateGas(...args));
  return { valid, gas };
}

/** The verifier's verifyProof (a view call), with its gas estimate; malformed input reverts with the verifier's error. */
export async function verifyWithVerifier(chain: Chain, verifier: DeployedVerifier, files: ProofFiles): Promise<{ valid: boolean; gas: bigint }> {
  const compiled = (await compileSolidity({ 'ZkInferenceVerifier.sol': verifier.generated.source }))[verifier.generated.contractName]!;
  const contract = new Contract(verifier.address, compiled.abi as InterfaceAbi, chain.signer);
  const args = [encodeProof(files.proof), encodeSignals(files.publicSignals)] as const;
  const valid = Boolean(await contractCall('verifyProof', () => contract.verifyProof(...args) as Promise<boolean>, [compiled]));
  const gas = await contractCall('verifyProof', () => contract.verifyProof.estimateGas(...args), [compiled]);
  return { valid, gas };
}


export interface ExportedVerifier {
  file: string;
  /** The IC chunk contracts' code (large keys), written beside the .sol, deployed before the verifier. */
  chunksFile?: string;
  contractName: string;
  layout: GeneratedVerifier['layout'];
  verificationKeyHash: string;
  /** Runtime code size in bytes, as compiled here (solc-js, optimizer 200 runs). */
  codeSize: number;
}

/**
 * Writes the model's Solidity verifier to `file` (compiled first, so a written file is
 * known to compile), and for large keys `<file>.ic-chunks.json` with each chunk contract's
 * creation code: deploy those, then the verifier with their addresses.
 */
export async function exportVerifier(dir: string, file: string): Promise<ExportedVerifier> {
  const { generated, compiled } = await compiledVerifier(dir);
  const result: ExportedVerifier = {
    file,
    contractName: generated.contractName,
    layout: generated.layout,
    verificationKeyHash: generated.verificationKeyHash,
    codeSize: (compiled.deployedBytecode.length - 2) / 2,
  };
  if (generated.chunks.length > 0) {
    result.chunksFile = file.replace(/\.sol$/, '') + '.ic-chunks.json';
    const chunks = generated.chunks.map((runtime) => ({ codehash: keccak256(runtime), initCode: dataContractInitCode(runtime) }));
    await writeJsonAtomic(result.chunksFile, { constructorArgument: 'address[] icChunks, in this order', chunks });
  }
  await writeFileAtomic(file, generated.source);
  return result;
}
