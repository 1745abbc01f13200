/**
 * The on-chain commands as library calls: deploy a model (verifier + registry, or into
 * an existing registry), attest a proof, verify a proof on-chain. On a JSON-RPC chain,
 * deploy records what it made in <dir>/deployment.json for the later commands; on the
 * in-process chain (gone when the process exits) attest and verify deploy first.
 */
import path from 'node:path';
import { getAddress } from 'ethers';
import { ARTIFACT_FILES, readJsonArtifact, readManifest, readUserJson } from '../core/artifacts.ts';
import { ArtifactError, InputError } from '../core/errors.ts';
import { writeJsonAtomic } from '../core/files.ts';
import type { Chain } from './chain.ts';
import { contentHashHex } from '../core/content-hash.ts';
import {
  attestProof,
  deployRegistry,
  deployVerifier,
  registerModel,
  verifyThroughRegistry,
  verifyWithVerifier,
  type Attestation,
  type ProofFiles,
} from './onchain.ts';
import { parseProof } from '../core/proof-json.ts';
import { contentHashIndex, parsePublicSignals } from '../core/public-signals.ts';

/** deployment.json: where a model lives on one chain. */
export interface Deployment {
  format: 'zkinfer-deployment';
  version: 1;
  chainId: string;
  rpc: string;
  registry: string;
  verifier: string;
  icChunks: string[];
  modelId: string;
  verificationKeyHash: string;
  /** The model commitment the model was registered with (bytes32 hex), for committed weights. */
  modelCommitment?: string;
  owner: string;
  metadataURI: string;
  deployedAt: string;
}

export interface DeployOptions {
  /** Register in this existing registry instead of deploying one. */
  registry?: string;
  metadataURI?: string;
  onProgress?: (message: string) => void;
}

export interface DeployResult {
  deployment: Deployment;
  /** Gas by transaction: verifier (and IC chunks), registry (when deployed), register. */
  gas: { verifier: bigint; icChunks: bigint[]; registry?: bigint; register: bigint };
  verifierCodeSize: number;
  /** deployment.json, when written (not for the in-process chain). */
  file?: string;
}

function address(value: string, flag: string): string {
  try {
    return getAddress(value);
  } catch (err) {
    throw new InputError(`${flag} ${JSON.stringify(value)} is not an Ethereum address`, { cause: err });
  }
}

/**
 * Deploys the model's verifier and (unless `options.registry`) a registry, and registers
 * the model. On a JSON-RPC chain it writes <dir>/deployment.json.
 */
export async function deployModel(chain: Chain, dir: string, options: DeployOptions = {}): Promise<DeployResult> {
  const say = (m: string) => options.onProgress?.(m);
  const manifest = await readManifest(dir);
  say('deploying the verifier');
  const verifier = await deployVerifier(chain, dir);
  let registry: string;
  let registryGas: bigint | undefined;
  if (options.registry) {
    registry = address(options.registry, '--registry');
    if ((await chain.provider.getCode(registry)) === '0x') throw new InputError(`--registry ${registry} has no code on ${chain.name}`);
  } else {
    say('deploying InferenceRegistry');
    const deployed = await deployRegistry(chain);
    registry = deployed.address;
    registryGas = deployed.gasUsed;
  }
  say('registering the model');
  const metadataURI = options.metadataURI ?? `zkinfer:${manifest.model.file}#sha256=${manifest.model.sha256}`;
  const commitment = BigInt(manifest.modelCommitment?.value ?? 0);
  const registered = await registerModel(chain, registry, verifier.address, metadataURI, commitment);
  const deployment: Deployment = {
    format: 'zkinfer-deployment',
    version: 1,
    chainId: chain.chainId.toString(),
    rpc: chain.name,
    registry,
    verifier: verifier.address,
    icChunks: verifier.chunks.map((c) => c.address),
    modelId: registered.modelId,
    verificationKeyHash: verifier.generated.verificationKeyHash,
    ...(manifest.modelCommitment ? { modelCommitment: contentHashHex(commitment) } : {}),
    owner: await chain.signer.getAddress(),
    metadataURI,
    deployedAt: new Date().toISOString(),
  };
  const result: DeployResult = {
    deployment,
    gas: { verifier: verifier.gasUsed, icChunks: verifier.chunks.map((c) => c.gasUsed), registry: registryGas, register: registered.gasUsed },
    verifierCodeSize: verifier.codeSize,
  };
  if (!chain.ephemeral) {
    result.file = path.join(dir, ARTIFACT_FILES.deployment);
    await writeJsonAtomic(result.file, deployment);
  }
  return result;
}

/** deployment.json, checked against the chain it is used with. */
export async function readDeployment(dir: string, chain: Chain): Promise<Deployment> {
  const file = path.join(dir, ARTIFACT_FILES.deployment);
  const d = (await readJsonArtifact(file, 'deploy --rpc URL')) as Partial<Deployment> | null;
  if (d === null || typeof d !== 'object' || d.format !== 'zkinfer-deployment' || typeof d.registry !== 'string' || typeof d.modelId !== 'string') {
    throw new ArtifactError(`${file} is not a zkinfer deployment record`, { hint: 'run zkinfer deploy again' });
  }
  if (d.chainId !== chain.chainId.toString()) {
    throw new ArtifactError(`${file} is for chain ${d.chainId}, ${chain.name} is chain ${chain.chainId}`, {
      hint: 'give the --rpc of the chain the model was deployed to, or deploy it to this one',
    });
  }
  if ((await chain.provider.getCode(d.registry)) === '0x') {
    throw new ArtifactError(`${file}: the registry ${d.registry} has no code on ${chain.name}`, {
      hint: 'the chain was reset (a restarted dev node?): run zkinfer deploy again',
    });
  }
  return d as Deployment;
}

/** proof.json + public.json, checked (canonical, < r, public inputs in range) before anything is sent. */
export async function readProofFiles(dir: string, options: { proof?: string; public?: string } = {}): Promise<ProofFiles> {
  const manifest = await readManifest(dir);
  const proofFile = options.proof ?? path.join(dir, ARTIFACT_FILES.proof);
  const publicFile = options.public ?? path.join(dir, ARTIFACT_FILES.public);
  const publicSignals = parsePublicSignals(await readUserJson(publicFile, 'prove'), manifest, publicFile).map(String);
  return { proof: parseProof(await readUserJson(proofFile, 'prove'), proofFile), publicSignals };
}

/** The proof's content-hash signal. */
async function contentHashSignal(dir: string, files: ProofFiles): Promise<bigint> {
  return BigInt(files.publicSignals[contentHashIndex(await readManifest(dir))]!);
}

export interface AttestOptions {
  proof?: string;
  public?: string;
  /** The content hash the caller expects the proof to be about (e.g. of --content FILE). */
  contentHash?: bigint;
  onProgress?: (message: string) => void;
}

export interface AttestResult {
  attestation: Attestation;
  /** Present when the in-process chain needed a deployment first. */
  deployed?: DeployResult;
  registry: string;
}

/** Attests a proof in the model's registry (deploying first on the in-process chain). */
export async function attestFromDir(chain: Chain, dir: string, options: AttestOptions = {}): Promise<AttestResult> {
  const files = await readProofFiles(dir, options);
  const inProof = await contentHashSignal(dir, files);
  if (options.contentHash !== undefined && options.contentHash !== inProof) {
    throw new InputError(`the proof is about content ${contentHashHex(inProof)}, the given content hashes to ${contentHashHex(options.contentHash)}`, {
      hint: 'prove again with --content naming the same file',
    });
  }
  let deployed: DeployResult | undefined;
  let registry: string;
  let modelId: string;
  if (chain.ephemeral) {
    deployed = await deployModel(chain, dir, { onProgress: options.onProgress });
    ({ registry, modelId } = deployed.deployment);
  } else {
    ({ registry, modelId } = await readDeployment(dir, chain));
  }
  options.onProgress?.('attesting');
  const attestation = await attestProof(chain, registry, modelId, inProof, files);
  return { attestation, deployed, registry };
}

export interface OnchainVerifyResult {
  valid: boolean;
  /** Gas the check costs as a transaction (an estimate of the view call). */
  gas: bigint;
  /** "verifier" (deployed in-process for the check) or "registry" (deployment.json's). */
  via: 'verifier' | 'registry';
  address: string;
}

/** Checks a proof with the EVM: through the registry's verifyInference, or a fresh verifier in-process. */
export async function verifyOnchain(chain: Chain, dir: string, options: { proof?: string; public?: string; onProgress?: (m: string) => void } = {}): Promise<OnchainVerifyResult> {
  const files = await readProofFiles(dir, options);
  if (chain.ephemeral) {
    options.onProgress?.('deploying the verifier in-process');
    const verifier = await deployVerifier(chain, dir);
    return { ...(await verifyWithVerifier(chain, verifier, files)), via: 'verifier', address: verifier.address };
  }
  const d = await readDeployment(dir, chain);
  return { ...(await verifyThroughRegistry(chain, d.registry, d.modelId, files)), via: 'registry', address: d.registry };
}
