/**
 * On-chain gas of zkinfer's contracts, on Hardhat's in-process EVM: for models with more
 * and more public signals n, the generated verifier's verifyProof against the Groth16
 * floor, its deployment, and the registry's register / attest / verifyInference; the
 * FactCheckOracle example on the verdict model; the registry's deployment. Figures move by
 * a few dozen gas between runs, no more: each run makes a fresh key and proofs, and
 * calldata and embedded key bytes cost more when non-zero.
 *
 *   npx tsx bench/gas.ts        (also part of `npm run bench`; alone: npm run bench -- --gas-only)
 *
 * Writes bench/results/gas.json and bench/results/gas.md and prints the table on stdout;
 * progress goes to stderr. The models are built in a temp folder removed at the end.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Contract, ContractFactory, type ContractTransactionResponse, type InterfaceAbi } from 'ethers';
import * as snarkjs from 'snarkjs';
import { toJson, writeFileAtomic } from '../core/files.ts';
import { writeOnnxModel, type OnnxModelSpec } from '../scripts/onnx-writer.ts';
import { mulberry32 } from '../circuits/random.ts';
import { build } from '../circuits/build.ts';
import { prove } from '../prover/prove.ts';
import { setup } from '../prover/setup.ts';
import { VERDICT_MODEL } from '../test/contracts/verdict-model.ts';
import { encodeProof, encodeSignals, g1Words, g2Words } from '../verifier/calldata.ts';
import { connect, type Chain } from '../verifier/chain.ts';
import { contentHashOf } from '../core/content-hash.ts';
import { releaseCurves } from '../core/curves.ts';
import {
  attestProof,
  deployRegistry,
  deployVerifier,
  registerModel,
  verifyThroughRegistry,
  verifyWithVerifier,
  type ProofFiles,
} from '../verifier/onchain.ts';
import { compileSolidity, projectContracts, SOLIDITY_SETTINGS } from '../verifier/solidity.ts';

const RESULTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The Groth16 verification floor as a transaction: 206,000 + 6,650 per public signal. */
const FLOOR_BASE = 206_000;
const FLOOR_PER_SIGNAL = 6_650;
const VERIFIER_TARGET_RATIO = 1.1;
const ATTEST_TARGET_GAS = 300_000;
const ATTEST_TARGET_MAX_SIGNALS = 4;

/** The oracle accepts verdict 1 ("supported"); the verdict model says so for both claims. */
const SUPPORTED_VERDICT = 1;
const ATTESTED_CLAIM = 'Water boils at 100 °C at sea level.';
const PROVEN_CLAIM = 'Light from the Sun takes about eight minutes to reach the Earth.';

export interface ModelGas {
  model: string;
  /** Public signals: outputs, the content hash, public inputs. */
  publicSignals: number;
  outputs: number;
  constraints: number;
  verifier: {
    /** eth_estimateGas of the view call: a transaction's gas, 21,000 base and calldata included. */
    verifyProofGas: number;
    floorGas: number;
    /** verifyProofGas / floorGas. */
    ratio: number;
    deployGas: number;
    /** Each IC chunk contract's deploy gas (keys over the 16 KB embed limit); not in deployGas. */
    chunkDeployGas: number[];
    /** Runtime code size of the verifier, bytes. */
    codeSize: number;
  };
  /** snarkjs's own Solidity verifier on the same key and proof (null: it does not deploy, e.g. over EIP-170's size limit). */
  snarkjsVerifier: { verifyProofGas: number; codeSize: number } | { verifyProofGas: null; reason: string };
  registry: {
    registerGas: number;
    attestGas: number;
    /** eth_estimateGas of the view call, like verifyProofGas. */
    verifyInferenceGas: number;
  };
}

export interface GasResults {
  benchmark: 'zkinfer-gas';
  date: string;
  environment: { chain: string; solc: string; evmVersion: string; optimizerRuns: number };
  floor: { base: number; perSignal: number };
  registryDeployGas: number;
  models: ModelGas[];
  factCheckOracle: {
    model: string;
    deployGas: number;
    /** On an attestation already in the registry. */
    acceptClaimGas: number;
    /** Checks the proof through the registry's verifyInference in the same call. */
    acceptClaimWithProofGas: number;
    claimBytes: { acceptClaim: number; acceptClaimWithProof: number };
  };
  targets: {
    verifierWithinTenPercent: { holds: boolean; failing: string[] };
    attestAtMost300kForFourSignals: { holds: boolean; failing: string[] };
  };
}

interface BenchModel {
  name: string;
  spec: OnnxModelSpec;
  input: unknown;
}

/** x (1×k) → Gemm → y (1×m), weights seeded: k inputs, m outputs, so k + m + 1 public signals. */
function gemmModel(inputs: number, outputs: number): BenchModel {
  const rng = mulberry32(inputs * 1_000 + outputs);
  const uniform = (n: number, scale: number) => Array.from({ length: n }, () => (2 * rng() - 1) * scale);
  return {
    name: `gemm-${inputs}x${outputs}`,
    spec: {
      inputs: [{ name: 'x', shape: [1, inputs] }],
      outputs: [{ name: 'y', shape: [1, outputs] }],
      initializers: [
        { name: 'w', dims: [outputs, inputs], data: uniform(outputs * inputs, 1 / Math.sqrt(inputs)) },
        { name: 'b', dims: [outputs], data: uniform(outputs, 0.1) },
      ],
      nodes: [{ opType: 'Gemm', name: 'fc', inputs: ['x', 'w', 'b'], outputs: ['y'], attributes: { transB: { int: 1 } } }],
    },
    input: { x: [uniform(inputs, 1)] },
  };
}

const MODELS: readonly BenchModel[] = [
  { name: 'verdict', spec: VERDICT_MODEL, input: { score: [[0.7]] } },
  gemmModel(8, 2),
  gemmModel(32, 4),
  // n = 303: the key's 304 IC points (19 KB) exceed the 16 KB embed limit, so the verifier reads them from chunk contracts.
  gemmModel(300, 2),
];

const say = (message: string) => process.stderr.write(`[gas] ${message}\n`);
const fmtInt = (n: number) => n.toLocaleString('en-US');
const contentHashOfText = (text: string) => contentHashOf(new TextEncoder().encode(text));
const byteLength = (text: string) => new TextEncoder().encode(text).length;

interface Proved {
  /** The build folder. */
  dir: string;
  constraints: number;
  proof: ProofFiles;
}

async function buildAndProve(root: string, model: BenchModel, claim: string): Promise<Proved> {
  const dir = path.join(root, model.name);
  await mkdir(dir, { recursive: true });
  const onnx = path.join(dir, 'model.onnx');
  await writeFile(onnx, writeOnnxModel(model.spec));
  const buildDir = path.join(dir, 'build');
  const built = await build(onnx, buildDir, {});
  await setup(buildDir, {});
  const proof = await prove(buildDir, model.input, { source: model.name, contentHash: contentHashOfText(claim), out: path.join(dir, 'proof') });
  return { dir: buildDir, constraints: built.manifest.circuit.constraints, proof };
}

async function benchModel(chain: Chain, registry: string, name: string, built: Proved, claim: string): Promise<{ gas: ModelGas; modelId: string }> {
  const verifier = await deployVerifier(chain, built.dir);
  const registered = await registerModel(chain, registry, verifier.address);
  const direct = await verifyWithVerifier(chain, verifier, built.proof);
  const throughRegistry = await verifyThroughRegistry(chain, registry, registered.modelId, built.proof);
  if (!direct.valid || !throughRegistry.valid) throw new Error(`${name}: the proof does not verify on-chain`);
  const attested = await attestProof(chain, registry, registered.modelId, contentHashOfText(claim), built.proof);
  const n = verifier.generated.layout.publicSignals;
  const floorGas = FLOOR_BASE + FLOOR_PER_SIGNAL * n;
  const gas: ModelGas = {
    model: name,
    publicSignals: n,
    outputs: verifier.generated.layout.outputs,
    constraints: built.constraints,
    verifier: {
      verifyProofGas: Number(direct.gas),
      floorGas,
      ratio: Number((Number(direct.gas) / floorGas).toFixed(4)),
      deployGas: Number(verifier.gasUsed),
      chunkDeployGas: verifier.chunks.map((c) => Number(c.gasUsed)),
      codeSize: verifier.codeSize,
    },
    snarkjsVerifier: await snarkjsVerifierGas(chain, built.dir, built.proof),
    registry: { registerGas: Number(registered.gasUsed), attestGas: Number(attested.gasUsed), verifyInferenceGas: Number(throughRegistry.gas) },
  };
  return { gas, modelId: registered.modelId };
}

/** The same proof through snarkjs's template verifier, for comparison. */
async function snarkjsVerifierGas(chain: Chain, dir: string, files: ProofFiles): Promise<ModelGas['snarkjsVerifier']> {
  const template = await readFile(path.join(ROOT, 'node_modules/snarkjs/templates/verifier_groth16.sol.ejs'), 'utf8');
  const source = await snarkjs.zKey.exportSolidityVerifier(path.join(dir, 'model.zkey'), { groth16: template });
  const compiled = (await compileSolidity({ 'SnarkjsVerifier.sol': source })).Groth16Verifier!;
  let address: string;
  try {
    const deployed = await new ContractFactory(compiled.abi as InterfaceAbi, compiled.bytecode, chain.signer).deploy();
    address = await deployed.getAddress();
  } catch (err) {
    return { verifyProofGas: null, reason: `does not deploy (${(compiled.deployedBytecode.length - 2) / 2} bytes of code; EIP-170 allows 24,576): ${(err as Error).message.slice(0, 80)}` };
  }
  const verifier = new Contract(address, compiled.abi as InterfaceAbi, chain.signer);
  const b = g2Words(files.proof.pi_b);
  const args = [g1Words(files.proof.pi_a), [b.slice(0, 2), b.slice(2, 4)], g1Words(files.proof.pi_c), encodeSignals(files.publicSignals)] as const;
  if (!(await verifier.verifyProof(...args))) throw new Error(`snarkjs's verifier rejects the proof in ${dir}`);
  return { verifyProofGas: Number(await verifier.verifyProof.estimateGas(...args)), codeSize: (compiled.deployedBytecode.length - 2) / 2 };
}

async function gasUsedOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error('no receipt');
  return Number(receipt.gasUsed);
}

/** Builds, sets up and proves each model, then measures everything on one fresh in-process chain. */
export async function gasBench(): Promise<GasResults> {
  const date = new Date().toISOString();
  const root = await mkdtemp(path.join(os.tmpdir(), 'zkinfer-gas-'));
  let chain: Chain | undefined;
  try {
    const built: Proved[] = [];
    for (const model of MODELS) {
      say(`${model.name}: build, setup, prove`);
      built.push(await buildAndProve(root, model, ATTESTED_CLAIM));
    }
    const verdict = MODELS[0]!;
    const verdictBuilt = built[0]!;
    const provenClaim = await prove(verdictBuilt.dir, verdict.input, { source: verdict.name, contentHash: contentHashOfText(PROVEN_CLAIM), out: path.join(root, 'proven-claim') });

    chain = await connect();
    const registry = await deployRegistry(chain);
    const runs: { gas: ModelGas; modelId: string }[] = [];
    for (const [i, model] of MODELS.entries()) {
      say(`${model.name}: on-chain`);
      runs.push(await benchModel(chain, registry.address, model.name, built[i]!, ATTESTED_CLAIM));
    }
    const models = runs.map((r) => r.gas);

    say('FactCheckOracle');
    const contracts = await projectContracts();
    const oracleContract = contracts.FactCheckOracle!;
    const factory = new ContractFactory(oracleContract.abi as InterfaceAbi, oracleContract.bytecode, chain.signer);
    const deployed = await factory.deploy(registry.address, runs[0]!.modelId, SUPPORTED_VERDICT);
    const deployReceipt = await deployed.deploymentTransaction()?.wait();
    if (!deployReceipt) throw new Error('deploying FactCheckOracle: no receipt');
    const oracle = new Contract(await deployed.getAddress(), oracleContract.abi as InterfaceAbi, chain.signer);
    const outputs = encodeSignals(verdictBuilt.proof.publicSignals.slice(0, models[0]!.outputs));
    const acceptClaimGas = await gasUsedOf(oracle.acceptClaim(ATTESTED_CLAIM, outputs));
    const acceptClaimWithProofGas = await gasUsedOf(oracle.acceptClaimWithProof(PROVEN_CLAIM, encodeSignals(provenClaim.publicSignals), encodeProof(provenClaim.proof)));

    const failing = (bad: (m: ModelGas) => boolean) => models.filter(bad).map((m) => m.model);
    const verifierFailing = failing((m) => m.verifier.ratio > VERIFIER_TARGET_RATIO);
    const attestFailing = failing((m) => m.publicSignals <= ATTEST_TARGET_MAX_SIGNALS && m.registry.attestGas > ATTEST_TARGET_GAS);
    return {
      benchmark: 'zkinfer-gas',
      date,
      environment: {
        chain: chain.name,
        solc: (createRequire(import.meta.url)('solc') as { version(): string }).version(),
        evmVersion: SOLIDITY_SETTINGS.evmVersion,
        optimizerRuns: SOLIDITY_SETTINGS.optimizer.runs,
      },
      floor: { base: FLOOR_BASE, perSignal: FLOOR_PER_SIGNAL },
      registryDeployGas: Number(registry.gasUsed),
      models,
      factCheckOracle: {
        model: verdict.name,
        deployGas: Number(deployReceipt.gasUsed),
        acceptClaimGas,
        acceptClaimWithProofGas,
        claimBytes: { acceptClaim: byteLength(ATTESTED_CLAIM), acceptClaimWithProof: byteLength(PROVEN_CLAIM) },
      },
      targets: {
        verifierWithinTenPercent: { holds: verifierFailing.length === 0, failing: verifierFailing },
        attestAtMost300kForFourSignals: { holds: attestFailing.length === 0, failing: attestFailing },
      },
    };
  } finally {
    chain?.close();
    await releaseCurves();
    await rm(root, { recursive: true, force: true });
  }
}

export function formatGasTable(results: GasResults): string {
  const { environment: env, floor, targets: t } = results;
  const lines = [
    '# zkinfer on-chain gas',
    '',
    `${results.date} · ${env.chain} · solc ${env.solc}, optimizer ${env.optimizerRuns} runs, EVM ${env.evmVersion} · ` +
      `floor = ${fmtInt(floor.base)} + ${fmtInt(floor.perSignal)}·n`,
    '',
    '| model | n | constraints | verifyProof gas | floor | ratio | snarkjs verifier | attest | verifyInference | register | deploy (verifier + chunks) | code size B | IC chunks |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const m of results.models) {
    const v = m.verifier;
    const chunkGas = v.chunkDeployGas.reduce((a, b) => a + b, 0);
    lines.push(
      `| ${m.model} | ${m.publicSignals} | ${fmtInt(m.constraints)} | ${fmtInt(v.verifyProofGas)} | ${fmtInt(v.floorGas)} | ${v.ratio.toFixed(3)} | ` +
        `${m.snarkjsVerifier.verifyProofGas === null ? 'does not deploy' : fmtInt(m.snarkjsVerifier.verifyProofGas)} | ` +
        `${fmtInt(m.registry.attestGas)} | ${fmtInt(m.registry.verifyInferenceGas)} | ${fmtInt(m.registry.registerGas)} | ` +
        `${fmtInt(v.deployGas + chunkGas)}${chunkGas > 0 ? ` (${fmtInt(v.deployGas)} + ${fmtInt(chunkGas)})` : ''} | ${fmtInt(v.codeSize)} | ${v.chunkDeployGas.length} |`,
    );
  }
  const o = results.factCheckOracle;
  const holds = (x: { holds: boolean; failing: string[] }) => (x.holds ? 'holds' : `fails (${x.failing.join(', ')})`);
  const maxRatio = Math.max(...results.models.map((m) => m.verifier.ratio));
  lines.push(
    '',
    `- InferenceRegistry deploy: ${fmtInt(results.registryDeployGas)} gas.`,
    `- FactCheckOracle (${o.model} model): deploy ${fmtInt(o.deployGas)}; acceptClaim on an attestation ${fmtInt(o.acceptClaimGas)} ` +
      `(${o.claimBytes.acceptClaim}-byte claim); acceptClaimWithProof ${fmtInt(o.acceptClaimWithProofGas)} (${o.claimBytes.acceptClaimWithProof}-byte claim).`,
    `- Acceptance targets: verifier within 10% of the floor: ${holds(t.verifierWithinTenPercent)} (max ratio ${maxRatio.toFixed(3)}); ` +
      `attest ≤ ${fmtInt(ATTEST_TARGET_GAS)} for n ≤ ${ATTEST_TARGET_MAX_SIGNALS}: ${holds(t.attestAtMost300kForFourSignals)}.`,
    '- verifyProof and verifyInference are eth_estimateGas of the view call, i.e. their gas as a transaction (21,000 base and calldata included); ' +
      'attest, register, the deploys and the oracle calls are receipts\' gasUsed.',
    "- snarkjs verifier: snarkjs's own Solidity template on the same key and proof (fixed-size arrays, no input-range checks); " +
      "'does not deploy' where its code exceeds EIP-170's 24,576 bytes.",
    '- register is with an empty metadata URI; the first one also pays for starting the registry\'s list of models (a zero-to-non-zero store).',
  );
  return `${lines.join('\n')}\n`;
}

/** Runs the benchmark, writes gas.json and gas.md, and prints the table. */
export async function runGasBench(): Promise<GasResults> {
  const results = await gasBench();
  const md = formatGasTable(results);
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFileAtomic(path.join(RESULTS_DIR, 'gas.json'), toJson(results));
  await writeFileAtomic(path.join(RESULTS_DIR, 'gas.md'), md);
  process.stdout.write(md);
  say(`wrote ${path.relative(process.cwd(), RESULTS_DIR)}/gas.json and gas.md`);
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  runGasBench().catch((err: unknown) => {
    process.stderr.write(`gas: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
