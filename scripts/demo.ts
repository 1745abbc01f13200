/**
 * `npm run demo`: the whole job on the bundled MNIST digit classifier (an MLP
 * 784-56-10 trained by scripts/train-mnist.ts, exported by our ONNX writer):
 * compile → setup (the native development setup, or a local development ptau without the
 * native engine) → prove each sample digit (native prover when built) → verify,
 * then on-chain on Hardhat's in-process network: deploy the verifier and the
 * InferenceRegistry, register the model, attest every proof, check one through
 * IZkInferenceVerifier, with the gas of each step. Then the same model compiled with
 * `--input hashed --output argmax`: the pixels stay private, the circuit hashes them into
 * the content hash (zkinfer hash-input computes the same off-chain), and only the class
 * index is public; three such verdicts are attested on-chain.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZkInferError } from '../core/errors.ts';
import { table } from '../cli/format.ts';
import { progressFor } from '../cli/progress.ts';
import { build } from '../circuits/build.ts';
import { nativeBinary } from '../prover/native.ts';
import { defaultProver, prove } from '../prover/prove.ts';
import { setup } from '../prover/setup.ts';
import { connect } from '../verifier/chain.ts';
import { releaseCurves } from '../core/curves.ts';
import { deployModel } from '../verifier/deploy.ts';
import { hashInput } from '../core/input-hash.ts';
import { attestProof, verifyThroughRegistry, type ProofFiles } from '../verifier/onchain.ts';
import { verifyProof } from '../verifier/verify.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const example = path.join(root, 'examples/mnist-mlp');
const dir = path.join(root, 'build/demo');
const hashedDir = path.join(root, 'build/demo-hashed');

interface Digit {
  label: number;
  input: unknown;
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const result = await f();
  return [result, (performance.now() - t0) / 1000];
}

async function main(): Promise<void> {
  // A live status line on a terminal; in a pipe or CI only the results below are printed.
  const progress = progressFor(true);
  const say = (m: string): void => progress.update(m);
  const log = (m: string): void => {
    progress.done();
    process.stdout.write(`${m}\n`);
  };

  log(`zkinfer demo: MNIST MLP 784-56-10 → Circom → Groth16 → verify\nartifacts: ${path.relative(root, dir)}/\n`);
  const [built, compileSeconds] = await timed(() => build(path.join(example, 'model.onnx'), dir, { calibration: path.join(example, 'calibration.json'), onProgress: say }));
  log(`compiled: ${built.manifest.circuit.constraints} constraints (circomlib-ml needs 73,416 non-linear constraints for this architecture)`);
  // The native development setup takes a fraction of a second; the snarkjs route's first run makes a 2^12 ptau (minutes).
  const dev = nativeBinary() !== undefined;
  log(
    dev
      ? 'setting up keys (native development setup: secrets sampled on this machine and discarded)'
      : 'setting up keys (the native engine is not built, so the first run makes a development ptau of 2^12 and caches it: a minute or two)',
  );
  const [keys, setupSeconds] = await timed(() => setup(dir, { dev, onProgress: say }));
  for (const w of keys.warnings) log(`warning: ${w}`);

  const digits = JSON.parse(await readFile(path.join(example, 'digits.json'), 'utf8')) as Digit[];
  const rows: (string | number)[][] = [];
  const proofs: (ProofFiles & { contentHash: bigint })[] = [];
  let proveTotal = 0;
  let verifyTotal = 0;
  let witnessTotal = 0;
  const prover = defaultProver();
  for (const [i, digit] of digits.entries()) {
    say(`proving digit ${i + 1}/${digits.length}`);
    const out = path.join(dir, 'proofs', `digit-${i}`);
    const proved = await prove(dir, digit.input, { out, source: `digits.json[${i}]`, prover });
    const [verified, verifySeconds] = await timed(() => verifyProof(dir, { proof: proved.files.proof, public: proved.files.public }));
    const prediction = verified.outputs[0]!.argmax;
    proofs.push({ proof: proved.proof, publicSignals: proved.publicSignals, contentHash: BigInt(proved.output.contentHash) });
    witnessTotal += proved.output.timings.witnessSeconds;
    proveTotal += proved.output.timings.proveSeconds;
    verifyTotal += verifySeconds;
    rows.push([i, digit.label, prediction, prediction === digit.label ? 'yes' : 'NO', verified.valid ? 'valid' : 'INVALID', proved.output.timings.proveSeconds.toFixed(2)]);
  }
  const n = digits.length;
  log(table(['digit', 'label', 'proved prediction', 'correct', 'proof', 'prove s'], rows));
  log('');
  log(
    table(
      ['step', 'seconds'],
      [
        ['compile (compiler + constraint system)', compileSeconds.toFixed(2)],
        [dev ? 'setup (native, development)' : 'setup (incl. dev ptau if not cached)', setupSeconds.toFixed(2)],
        ['witness (mean)', (witnessTotal / n).toFixed(3)],
        [`prove (mean, ${prover} prover)`, (proveTotal / n).toFixed(3)],
        ['verify (mean)', (verifyTotal / n).toFixed(3)],
      ],
    ),
  );
  log(`\nconstraints: ${built.manifest.circuit.constraints}; correct: ${rows.filter((r) => r[3] === 'yes').length}/${n}; valid proofs: ${rows.filter((r) => r[4] === 'valid').length}/${n}`);
  if (rows.some((r) => r[4] !== 'valid')) process.exitCode = 1;
  log('\non-chain (Hardhat in-process network): deploy, register, attest');
  await onChain(dir, proofs, say, log);
  log(`${proofs[0]!.publicSignals.length} public signals (10 logits, the content hash, 784 public pixels): the pixels dominate the gas.`);
  await hashedVerdicts(digits.slice(0, 3), dev, say, log);
}

/** The private-pixel, class-only verdict: compile --input hashed --output argmax, prove, check the hash off-chain, attest. */
async function hashedVerdicts(digits: Digit[], dev: boolean, say: (m: string) => void, log: (m: string) => void): Promise<void> {
  log(`\nhashed-content verdicts: the same model with --input hashed --output argmax (artifacts: ${path.relative(root, hashedDir)}/)`);
  const built = await build(path.join(example, 'model.onnx'), hashedDir, { calibration: path.join(example, 'calibration.json'), input: 'hashed', output: 'argmax', onProgress: say });
  const hash = built.manifest.layers.find((l) => l.op === 'PoseidonSponge')!;
  log(`compiled: ${built.manifest.circuit.constraints} constraints (${hash.constraints} for the input's Poseidon hash); public signals: the class index and the content hash`);
  await setup(hashedDir, { dev, onProgress: say });
  const proofs: (ProofFiles & { contentHash: bigint })[] = [];
  const rows: (string | number)[][] = [];
  for (const [i, digit] of digits.entries()) {
    say(`proving hashed digit ${i + 1}/${digits.length}`);
    const proved = await prove(hashedDir, digit.input, { out: path.join(hashedDir, 'proofs', `digit-${i}`), source: `digits.json[${i}]` });
    const offChain = await hashInput(hashedDir, digit.input, `digits.json[${i}]`);
    const valid = (await verifyProof(hashedDir, { proof: proved.files.proof, public: proved.files.public })).valid;
    if (!valid || offChain.contentHash !== proved.output.contentHash) process.exitCode = 1;
    proofs.push({ proof: proved.proof, publicSignals: proved.publicSignals, contentHash: BigInt(proved.output.contentHash) });
    rows.push([i, digit.label, proved.output.outputs[0]!.integers[0]!, `${proved.output.contentHash.slice(0, 18)}…`, offChain.contentHash === proved.output.contentHash ? 'yes' : 'NO', valid ? 'valid' : 'INVALID']);
  }
  log(table(['digit', 'label', 'proved class', 'content hash (in-circuit Poseidon)', 'equals hash-input', 'proof'], rows));
  await onChain(hashedDir, proofs, say, log);
}

/** Deploy, register, attest every proof and check one through the registry, on the in-process chain. */
async function onChain(dir: string, proofs: (ProofFiles & { contentHash: bigint })[], say: (m: string) => void, log: (m: string) => void): Promise<void> {
  const chain = await connect();
  try {
    const deployed = await deployModel(chain, dir, { onProgress: say });
    const { registry, modelId } = deployed.deployment;
    const gas: bigint[] = [];
    for (const [i, p] of proofs.entries()) {
      say(`attesting digit ${i + 1}/${proofs.length}`);
      gas.push((await attestProof(chain, registry, modelId, p.contentHash, p)).gasUsed);
    }
    const check = await verifyThroughRegistry(chain, registry, modelId, proofs[0]!);
    const chunkGas = deployed.gas.icChunks.reduce((a, b) => a + b, 0n);
    log(
      table(
        ['transaction', 'gas'],
        [
          [`deploy verifier (${deployed.verifierCodeSize} bytes${deployed.gas.icChunks.length ? ` + ${deployed.gas.icChunks.length} IC chunk contracts` : ''})`, String(deployed.gas.verifier + chunkGas)],
          ['deploy InferenceRegistry', String(deployed.gas.registry ?? 0n)],
          ['register model', String(deployed.gas.register)],
          [`attest (mean of ${gas.length})`, String(gas.reduce((a, b) => a + b, 0n) / BigInt(gas.length))],
          ['verifyInference (view, as a transaction)', String(check.gas)],
        ],
      ),
    );
    log(`registry ${registry}, model id ${modelId}`);
    log(`attested ${gas.length} verdicts; verifyInference: ${check.valid ? 'valid' : 'INVALID'}`);
    if (!check.valid) process.exitCode = 1;
  } finally {
    chain.close();
  }
}

try {
  await main();
} catch (err) {
  process.stderr.write(`demo failed: ${err instanceof ZkInferError ? err.describe() : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await releaseCurves();
}
