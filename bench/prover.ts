/**
 * `npm run bench:prover`: snarkjs vs the native engine vs the CUDA engine on the same zkey
 * and witness, whole command-line runs side by side (so the ratios survive a noisy
 * machine), with peak memory: synthetic chain circuits of 2^min … 2^max constraints
 * (bench/synthetic.ts), keyed by the native development setup (snarkjs's own setup is far
 * too slow there), and the largest bundled model circuit (MNIST 784-56-10). Also setup
 * time at 2^min: snarkjs (new ptau, contribution, phase-2 preparation, groth16 setup,
 * contribution) vs `setup --dev`.
 *
 * The CUDA column runs where `cudaDevice()` finds a GPU (`npm run build:cuda` first): each
 * row runs `zkinfer-cuda gpu-prove` as a whole command (context, key load and upload
 * included) and, key-resident, one `gpu-serve` process: the key uploaded once, the same
 * witness proved RESIDENT_RUNS times, the median proof reported. Every proof of every
 * prover is checked by snarkjs. Without a GPU the column says so and the rest runs as before.
 *
 *   npm run bench:prover [-- --min 12 --max 18] [--skip-snarkjs-above 20] [--results prover]
 *
 * --skip-snarkjs-above N: no snarkjs proof above 2^N (2^20 takes minutes, 2^22 far more);
 * the setup comparison runs only for --min ≤ 14 (snarkjs's phase-2 preparation alone takes
 * about 40 minutes at 2^16 on 2 cores). Writes bench/results/<results>.json and .md
 * (default "prover"; scripts/gpu-bench.sh writes prover-gpu) and prints the table.
 */
import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as snarkjs from 'snarkjs';
import { toJson, writeFileAtomic } from '../core/files.ts';
import { build } from '../circuits/build.ts';
import { CudaServer, cudaDevice, requireCudaBinary, type CudaDeviceInfo } from '../prover/cuda.ts';
import { NATIVE_BINARY, nativeBinary } from '../prover/native.ts';
import { setup } from '../prover/setup.ts';
import { computeWitness } from '../prover/witness.ts';
import { releaseCurves } from '../core/curves.ts';
import { GNU_TIME, measure, type Measured } from './measure.ts';
import { writeSyntheticCircuit } from './synthetic.ts';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH_DIR);
const SNARKJS_CLI = path.join(ROOT, 'node_modules/snarkjs/build/cli.cjs');
const MNIST = { model: path.join(ROOT, 'examples/mnist-mlp/model.onnx'), calibration: path.join(ROOT, 'examples/mnist-mlp/calibration.json'), digits: path.join(ROOT, 'examples/mnist-mlp/digits.json') };
/** Key-resident proofs of the same witness per row; the median is reported. */
const RESIDENT_RUNS = 3;
/** The largest 2^min at which the snarkjs setup comparison runs. */
const MAX_SETUP_COMPARE_POWER = 14;
/** snarkjs's heap: at 2^20 its default (about 4 GiB) is too small. */
const SNARKJS_HEAP_MB = Math.max(4096, Math.min(32_768, Math.floor((os.totalmem() / 2 ** 20) * 0.75)));
const say = (m: string) => process.stderr.write(`[prover] ${m}\n`);

interface ProverFigures {
  seconds: number;
  peakRssMB?: number;
}

interface CudaFigures {
  /** `gpu-prove` as a whole command: CUDA context, key load and upload, proof. */
  cli: ProverFigures;
  /** gpu-serve: seconds to load the key and copy it to the device, once. */
  uploadSeconds: number;
  /** gpu-serve: the engine's proof seconds with the key resident, RESIDENT_RUNS runs and their median. */
  residentRuns: number[];
  residentSeconds: number;
}

interface Row {
  circuit: string;
  constraints: number;
  domain: number;
  setupDevSeconds: number;
  /** Undefined above --skip-snarkjs-above. */
  snarkjs?: ProverFigures;
  native: ProverFigures;
  /** snarkjs seconds / native seconds. */
  speedup?: number;
  /** Undefined without a CUDA device. */
  cuda?: CudaFigures;
  /** Whole command-line runs: snarkjs / cuda and native / cuda; and native / cuda with the key resident. */
  snarkjsPerCuda?: number;
  nativePerCuda?: number;
  nativePerCudaResident?: number;
  /** snarkjs accepted every proof made for this row. */
  allVerify: boolean;
}

interface Options {
  min: number;
  max: number;
  skipSnarkjsAbove: number;
  results: string;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      min: { type: 'string', default: '12' },
      max: { type: 'string', default: '18' },
      'skip-snarkjs-above': { type: 'string', default: '20' },
      results: { type: 'string', default: 'prover' },
    },
    strict: true,
  });
  const power = (flag: string, v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 4 || n > 22) throw new Error(`--${flag} must be an integer power between 4 and 22`);
    return n;
  };
  const options = { min: power('min', values.min), max: power('max', values.max), skipSnarkjsAbove: power('skip-snarkjs-above', values['skip-snarkjs-above']), results: values.results };
  if (options.min > options.max) throw new Error('--min must not exceed --max');
  if (!/^[\w.-]+$/.test(options.results)) throw new Error('--results is a file name stem (letters, digits, . _ -)');
  return options;
}

const figures = (m: Measured): ProverFigures => ({ seconds: Number(m.seconds.toFixed(3)), peakRssMB: m.peakRssMB === undefined ? undefined : Number(m.peakRssMB.toFixed(1)) });
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : Number((a / b).toFixed(2)));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Files {
  proof: string;
  public: string;
}

/** The provers on one zkey + witness; every proof checked by snarkjs. */
async function compare(dir: string, zkey: string, wtns: string, withSnarkjs: boolean, gpu: CudaDeviceInfo | undefined): Promise<Pick<Row, 'snarkjs' | 'native' | 'speedup' | 'cuda' | 'snarkjsPerCuda' | 'nativePerCuda' | 'nativePerCudaResident' | 'allVerify'>> {
  const out = (who: string): Files => ({ proof: path.join(dir, `${who}-proof.json`), public: path.join(dir, `${who}-public.json`) });
  const made: Files[] = [];
  let snark: Measured | undefined;
  if (withSnarkjs) {
    const s = out('snarkjs');
    snark = await measure(process.execPath, [`--max-old-space-size=${SNARKJS_HEAP_MB}`, SNARKJS_CLI, 'groth16', 'prove', zkey, wtns, s.proof, s.public]);
    made.push(s);
  }
  const n = out('native');
  const native = await measure(NATIVE_BINARY, ['prove', zkey, wtns, n.proof, n.public]);
  made.push(n);

  let cuda: CudaFigures | undefined;
  if (gpu) {
    const c = out('cuda');
    const cli = await measure(requireCudaBinary(), ['gpu-prove', zkey, wtns, c.proof, c.public]);
    made.push(c);
    const server = await CudaServer.start(zkey);
    try {
      const residentRuns: number[] = [];
      for (let i = 0; i < RESIDENT_RUNS; i++) {
        const r = out(`cuda-resident-${i}`);
        residentRuns.push(Number((await server.prove(wtns, r.proof, r.public)).seconds.toFixed(4)));
        made.push(r);
      }
      await server.close();
      cuda = { cli: figures(cli), uploadSeconds: Number(server.uploadSeconds.toFixed(3)), residentRuns, residentSeconds: median(residentRuns) };
    } finally {
      server.kill();
    }
  }

  const vk = await snarkjs.zKey.exportVerificationKey(zkey);
  let allVerify = true;
  for (const files of made) {
    const proof = JSON.parse(await readFile(files.proof, 'utf8'));
    const signals = JSON.parse(await readFile(files.public, 'utf8'));
    const ok = await snarkjs.groth16.verify(vk, signals, proof);
    if (!ok) say(`snarkjs rejects ${path.basename(files.proof)}`);
    allVerify &&= ok;
  }
  return {
    snarkjs: snark && figures(snark),
    native: figures(native),
    speedup: ratio(snark?.seconds, native.seconds),
    cuda,
    snarkjsPerCuda: ratio(snark?.seconds, cuda?.cli.seconds),
    nativePerCuda: ratio(native.seconds, cuda?.cli.seconds),
    nativePerCudaResident: ratio(native.seconds, cuda?.residentSeconds),
    allVerify,
  };
}

async function nativeSetup(r1cs: string, zkey: string): Promise<number> {
  return (await measure(NATIVE_BINARY, ['setup-dev', r1cs, zkey])).seconds;
}

async function syntheticRow(root: string, power: number, options: Options, gpu: CudaDeviceInfo | undefined): Promise<Row> {
  const dir = path.join(root, `chain-${power}`);
  await mkdir(dir, { recursive: true });
  // constraints + 1 public signal + 1 = 2^power: the domain is exactly 2^power.
  const constraints = 2 ** power - 2;
  say(`2^${power}: writing the circuit and witness`);
  const files = await writeSyntheticCircuit(path.join(dir, 'chain'), constraints);
  const zkey = path.join(dir, 'chain.zkey');
  say(`2^${power}: setup --dev`);
  const setupDevSeconds = await nativeSetup(files.r1cs, zkey);
  const withSnarkjs = power <= options.skipSnarkjsAbove;
  say(`2^${power}: proving with ${[withSnarkjs ? 'snarkjs' : '', 'native', gpu ? 'cuda' : ''].filter(Boolean).join(', ')}`);
  const row: Row = {
    circuit: `synthetic chain 2^${power}`,
    constraints,
    domain: 2 ** power,
    setupDevSeconds: Number(setupDevSeconds.toFixed(2)),
    ...(await compare(dir, zkey, files.wtns, withSnarkjs, gpu)),
  };
  await rm(dir, { recursive: true, force: true }); // 2^22 keys are gigabytes
  return row;
}

async function mnistRow(root: string, gpu: CudaDeviceInfo | undefined): Promise<Row> {
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
    ...(await compare(dir, path.join(dir, 'model.zkey'), witness.witnessFile, true, gpu)),
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

/** What the CUDA column holds without a device: the reason, short. */
function noCuda(reason: string): string {
  return /no CUDA device/.test(reason) ? 'n/a (no CUDA device)' : /not built|does not exist/.test(reason) ? 'n/a (zkinfer-cuda not built)' : `n/a (${reason})`;
}

interface SetupCompare {
  power: number;
  snarkjs: number;
  dev: number;
}

/** The native prover's targets at 2^20: ≥ 30× snarkjs and ≥ 5× native, whole command-line runs of the same run. */
function target(rows: Row[]): string | undefined {
  const row = rows.find((r) => r.domain === 2 ** 20 && r.circuit.startsWith('synthetic') && r.cuda);
  if (!row || row.snarkjsPerCuda === undefined || row.nativePerCuda === undefined) return undefined;
  const check = (x: number, goal: number) => `${x.toFixed(1)}× (target ≥ ${goal}×: ${x >= goal ? 'met' : 'NOT met'})`;
  return (
    `2^20 constraints, whole command-line runs: cuda is ${check(row.snarkjsPerCuda, 30)} snarkjs and ${check(row.nativePerCuda, 5)} the native engine; ` +
    `with the key resident ${row.nativePerCudaResident?.toFixed(1)}× native.`
  );
}

function table(rows: Row[], setupCompare: SetupCompare | undefined, cudaNote: string, gpu: CudaDeviceInfo | undefined, options: Options): string {
  const mb = (f: ProverFigures | undefined) => (f?.peakRssMB === undefined ? 'n/a' : f.peakRssMB.toFixed(0));
  const s = (x: number | undefined, digits = 2) => (x === undefined ? '–' : x.toFixed(digits));
  const times = (x: number | undefined) => (x === undefined ? '–' : `${x.toFixed(1)}×`);
  const skipped = `skipped (> 2^${options.skipSnarkjsAbove})`;
  const lines = [
    '# snarkjs vs native vs CUDA Groth16 prover',
    '',
    `${new Date().toISOString()} · ${os.cpus().length} cores · ${cudaNote} · whole CLI runs on the same zkey and witness · peak RSS ${GNU_TIME ? 'by GNU time' : 'not measured (no GNU time)'}`,
    '',
    '| circuit | constraints | setup --dev s | snarkjs s | native s | native speedup | cuda s | cuda resident s | key upload s | snarkjs/cuda | native/cuda (resident) | snarkjs MB | native MB | cuda MB | all verify |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map((r) => {
      const cuda = r.cuda
        ? [s(r.cuda.cli.seconds), s(r.cuda.residentSeconds, 3), s(r.cuda.uploadSeconds), times(r.snarkjsPerCuda), `${times(r.nativePerCuda)} (${times(r.nativePerCudaResident)})`]
        : [noCuda(cudaNote), '–', '–', '–', '–'];
      return (
        `| ${r.circuit} | ${r.constraints.toLocaleString('en-US')} | ${r.setupDevSeconds.toFixed(2)} | ${r.snarkjs ? s(r.snarkjs.seconds) : skipped} | ${s(r.native.seconds)} | ` +
        `${times(r.speedup)} | ${cuda.join(' | ')} | ${r.snarkjs ? mb(r.snarkjs) : '–'} | ${mb(r.native)} | ${r.cuda ? mb(r.cuda.cli) : '–'} | ${r.allVerify ? 'yes' : 'NO'} |`
      );
    }),
    '',
    gpu
      ? `cuda s: \`zkinfer-cuda gpu-prove\` as a whole command (CUDA context, key load and upload included); cuda resident s: the median of ${RESIDENT_RUNS} proofs of one \`gpu-serve\` process with the key already on the GPU (loaded once: key upload s). cuda MB is host memory.`
      : 'The CUDA columns need a GPU and `npm run build:cuda` (scripts/gpu-bench.sh does both checks and runs this benchmark).',
  ];
  const goal = target(rows);
  if (goal) lines.push('', goal);
  lines.push(
    '',
    setupCompare
      ? `Setup at 2^${setupCompare.power} from nothing: snarkjs (ptau new + contribute + prepare phase2 + groth16 setup + contribution) ` +
          `${setupCompare.snarkjs.toFixed(1)} s, native \`setup --dev\` ${setupCompare.dev.toFixed(2)} s (${(setupCompare.snarkjs / setupCompare.dev).toFixed(0)}×).`
      : `Setup comparison skipped: it runs at 2^min only for --min ≤ ${MAX_SETUP_COMPARE_POWER} (snarkjs's phase-2 preparation alone takes about 40 minutes at 2^16 on 2 cores).`,
  );
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!nativeBinary()) throw new Error('the native prover is not built: run npm run build:native');
  let gpu: CudaDeviceInfo | undefined;
  let cudaNote: string;
  try {
    gpu = await cudaDevice();
    cudaNote = `CUDA: ${gpu.device} (compute capability ${gpu.computeCapability}, ${gpu.memoryMiB} MiB${gpu.backend === 'host-emulation' ? ', HOST EMULATION: not GPU figures' : ''})`;
  } catch (err) {
    cudaNote = `CUDA: ${err instanceof Error ? err.message : String(err)}`;
  }
  say(cudaNote);
  const root = await mkdtemp(path.join(os.tmpdir(), 'zkinfer-bench-prover-'));
  try {
    const rows: Row[] = [];
    for (let k = options.min; k <= options.max; k++) rows.push(await syntheticRow(root, k, options, gpu));
    rows.push(await mnistRow(root, gpu));
    const setupCompare = options.min <= MAX_SETUP_COMPARE_POWER ? { power: options.min, snarkjs: await snarkjsSetupSeconds(root, options.min), dev: rows[0]!.setupDevSeconds } : undefined;
    const md = table(rows, setupCompare, cudaNote, gpu, options);
    const results = path.join(BENCH_DIR, 'results');
    await mkdir(results, { recursive: true });
    await writeFileAtomic(
      path.join(results, `${options.results}.json`),
      toJson({ benchmark: 'zkinfer-prover', date: new Date().toISOString(), cores: os.cpus().length, cuda: gpu ?? { unavailable: cudaNote }, options, rows, setup: setupCompare ?? null }),
    );
    await writeFileAtomic(path.join(results, `${options.results}.md`), md);
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
