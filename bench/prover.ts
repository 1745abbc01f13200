/**
 * `npm run bench:prover`: snarkjs vs the native engine on the same zkey and witness,
 * whole command-line runs side by side (so the ratio survives a noisy machine), with
 * peak memory: synthetic chain circuits of 2^min … 2^max constraints (bench/synthetic.ts),
 * keyed by the native development setup (snarkjs's own setup is far too slow there),
 * and the largest bundled model circuit (MNIST 784-56-10). Also setup time at 2^min:
 * snarkjs (new ptau, contribution, phase-2 preparation, groth16 setup, contribution) vs
 * `setup --dev`.
 *
 *   npm run bench:prover [-- --min 12 --max 18]
 *
 * Writes bench/results/prover.json and prover.md and prints the table.
 */
import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as snarkjs from 'snarkjs';
import { toJson, writeFileAtomic } from '../circuits/files.ts';
import { build } from '../prover/build.ts';
import { NATIVE_BINARY, nativeBinary } from '../prover/native.ts';
import { setup } from '../prover/setup.ts';
import { computeWitness } from '../prover/witness.ts';
import { releaseCurves } from '../verifier/curves.ts';
import { GNU_TIME, measure, type Measured } from './measure.ts';
import { writeSyntheticCircuit } from './synthetic.ts';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH_DIR);
const SNARKJS_CLI = path.join(ROOT, 'node_modules/snarkjs/build/cli.cjs');
const MNIST = { model: path.join(ROOT, 'examples/mnist-mlp/model.onnx'), calibration: path.join(ROOT, 'examples/mnist-mlp/calibration.json'), digits: path.join(ROOT, 'examples/mnist-mlp/digits.json') };
const say = (m: string) => process.stderr.write(`[prover] ${m}\n`);

interface ProverFigures {
  seconds: number;
  peakRssMB?: number;
}

interface Row {
  circuit: string;
  constraints: number;
  domain: number;
  setupDevSeconds: number;
  snarkjs: ProverFigures;
  native: ProverFigures;
  /** snarkjs seconds / native seconds. */
  speedup: number;
  bothVerify: boolean;
}

function parseRange(argv: string[]): { min: number; max: number } {
  const get = (flag: string, fallback: number) => {
    const i = argv.indexOf(flag);
    const v = i >= 0 ? Number(argv[i + 1]) : fallback;
    if (!Number.isInteger(v) || v < 4 || v > 22) throw new Error(`${flag} must be an integer power between 4 and 22`);
    return v;
  };
  return { min: get('--min', 12), max: get('--max', 18) };
}

const figures = (m: Measured): ProverFigures => ({ seconds: Number(m.seconds.toFixed(3)), peakRssMB: m.peakRssMB === undefined ? undefined : Number(m.peakRssMB.toFixed(1)) });

/** Both provers on one zkey + witness; both proofs checked by snarkjs. */
async function compare(dir: string, zkey: string, wtns: string): Promise<Pick<Row, 'snarkjs' | 'native' | 'speedup' | 'bothVerify'>> {
  const out = (who: string) => ({ proof: path.join(dir, `${who}-proof.json`), public: path.join(dir, `${who}-public.json`) });
  const s = out('snarkjs');
  const n = out('native');
  const snark = await measure(process.execPath, [SNARKJS_CLI, 'groth16', 'prove', zkey, wtns, s.proof, s.public]);
  const native = await measure(NATIVE_BINARY, ['prove', zkey, wtns, n.proof, n.public]);
  const vk = await snarkjs.zKey.exportVerificationKey(zkey);
  let bothVerify = true;
  for (const files of [s, n]) {
    const proof = JSON.parse(await readFile(files.proof, 'utf8'));
    const signals = JSON.parse(await readFile(files.public, 'utf8'));
    bothVerify &&= await snarkjs.groth16.verify(vk, signals, proof);
  }
  return { snarkjs: figures(snark), native: figures(native), speedup: Number((snark.seconds / native.seconds).toFixed(2)), bothVerify };
}

async function nativeSetup(r1cs: string, zkey: string): Promise<number> {
  return (await measure(NATIVE_BINARY, ['setup-dev', r1cs, zkey])).seconds;
}

async function syntheticRow(root: string, power: number): Promise<Row> {
  const dir = path.join(root, `chain-${power}`);
  await mkdir(dir, { recursive: true });
  // constraints + 1 public signal + 1 = 2^power: the domain is exactly 2^power.
  const constraints = 2 ** power - 2;
  say(`2^${power}: writing the circuit and witness`);
  const files = await writeSyntheticCircuit(path.join(dir, 'chain'), constraints);
  const zkey = path.join(dir, 'chain.zkey');
  say(`2^${power}: setup --dev`);
  const setupDevSeconds = await nativeSetup(files.r1cs, zkey);
  say(`2^${power}: proving with snarkjs and native`);
  return { circuit: `synthetic chain 2^${power}`, constraints, domain: 2 ** power, setupDevSeconds: Number(setupDevSeconds.toFixed(2)), ...(await compare(dir, zkey, files.wtns)) };
}

async function mnistRow(root: string): Promise<Row> {
  const dir = path.join(root, 'mnist');
  say('MNIST 784-56-10: compile, setup --dev, witness');
  const built = await build(MNIST.model, dir, { calibration: MNIST.calibration });
  const started = performance.now();
  await setup(dir, { dev: true });
  const setupDevSeconds = (performance.now() - started) / 1000;
  const digits = JSON.parse(await readFile(MNIST.digits, 'utf8')) as { input: unknown }[];
  const witness = await computeWitness(dir, digits[0]!.input, 'digits.json[0]');
  const constraints = built.manifest.circuit.constraints;
  return {
    circuit: 'MNIST MLP 784-56-10',
    constraints,
    domain: 2 ** built.manifest.circuit.ptauPower,
    setupDevSeconds: Number(setupDevSeconds.toFixed(2)),
    ...(await compare(dir, path.join(dir, 'model.zkey'), witness.witnessFile)),
  };
}

/** snarkjs's whole setup route at 2^power, from nothing (what a first `zkinfer setup` without --dev costs). */
async function snarkjsSetupSeconds(root: string, power: number): Promise<number> {
  const dir = path.join(root, `snarkjs-setup-${power}`);
  await mkdir(dir, { recursive: true });
  const files = await writeSyntheticCircuit(path.join(dir, 'chain'), 2 ** power - 2);
  const p = (name: string) => path.join(dir, name);
  const steps: string[][] = [
    ['powersoftau', 'new', 'bn128', String(power), p('0.ptau')],
    ['powersoftau', 'contribute', p('0.ptau'), p('1.ptau'), '-e=bench entropy'],
    ['powersoftau', 'prepare', 'phase2', p('1.ptau'), p('final.ptau')],
    ['groth16', 'setup', files.r1cs, p('final.ptau'), p('0.zkey')],
    ['zkey', 'contribute', p('0.zkey'), p('1.zkey'), '-e=bench entropy'],
  ];
  let seconds = 0;
  for (const args of steps) {
    say(`snarkjs ${args.slice(0, 2).join(' ')} (2^${power})`);
    seconds += (await measure(process.execPath, [SNARKJS_CLI, ...args])).seconds;
  }
  return seconds;
}

function table(rows: Row[], setupCompare: { power: number; snarkjs: number; dev: number }): string {
  const mb = (f: ProverFigures) => (f.peakRssMB === undefined ? 'n/a' : f.peakRssMB.toFixed(0));
  const lines = [
    '# snarkjs vs native Groth16 prover',
    '',
    `${new Date().toISOString()} · ${os.cpus().length} cores · whole CLI runs on the same zkey and witness · peak RSS ${GNU_TIME ? 'by GNU time' : 'not measured (no GNU time)'}`,
    '',
    '| circuit | constraints | setup --dev s | snarkjs s | native s | speedup | snarkjs MB | native MB | both verify |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.circuit} | ${r.constraints.toLocaleString('en-US')} | ${r.setupDevSeconds.toFixed(2)} | ${r.snarkjs.seconds.toFixed(2)} | ${r.native.seconds.toFixed(2)} | ` +
        `${r.speedup.toFixed(1)}× | ${mb(r.snarkjs)} | ${mb(r.native)} | ${r.bothVerify ? 'yes' : 'NO'} |`,
    ),
    '',
    `Setup at 2^${setupCompare.power} from nothing: snarkjs (ptau new + contribute + prepare phase2 + groth16 setup + contribution) ` +
      `${setupCompare.snarkjs.toFixed(1)} s, native \`setup --dev\` ${setupCompare.dev.toFixed(2)} s (${(setupCompare.snarkjs / setupCompare.dev).toFixed(0)}×).`,
  ];
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const { min, max } = parseRange(process.argv.slice(2));
  if (!nativeBinary()) throw new Error('the native prover is not built: run npm run build:native');
  const root = await mkdtemp(path.join(os.tmpdir(), 'zkinfer-bench-prover-'));
  try {
    const rows: Row[] = [];
    for (let k = min; k <= max; k++) rows.push(await syntheticRow(root, k));
    rows.push(await mnistRow(root));
    const setupCompare = { power: min, snarkjs: await snarkjsSetupSeconds(root, min), dev: rows[0]!.setupDevSeconds };
    const md = table(rows, setupCompare);
    const results = path.join(BENCH_DIR, 'results');
    await mkdir(results, { recursive: true });
    await writeFileAtomic(path.join(results, 'prover.json'), toJson({ benchmark: 'zkinfer-prover', date: new Date().toISOString(), cores: os.cpus().length, rows, setup: setupCompare }));
    await writeFileAtomic(path.join(results, 'prover.md'), md);
    process.stdout.write(md);
  } finally {
    await rm(root, { recursive: true, force: true });
    await releaseCurves();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:prover: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
