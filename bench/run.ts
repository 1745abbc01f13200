/**
 * `npm run bench`: compile, circom, setup, witness, prove and verify for the MNIST MLPs and
 * CNNs in bench/models, each step in its own process (bench/step.ts) so that its peak memory
 * is its own, plus the quantized model's accuracy on the 1,000 test digits, and where compile
 * and witness time goes (circom2 split by phase and by flags, the reference evaluator).
 *
 *   npm run bench [-- --only mlp-196-25-10] [--reps 3] [--gas-only]
 *
 * Writes bench/results/models.json and bench/results/models.md (temp file + rename) and prints
 * the table on stdout; progress goes to stderr. Artifacts live in a temp folder that is
 * removed at the end. `--only` runs are written to the same files, with only those models.
 * Then the on-chain gas benchmark (bench/gas.ts: gas.json, gas.md); `--gas-only` runs it alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { toJson, writeFileAtomic } from '../core/files.ts';
import { nestArray } from '../core/input.ts';
import { loadMnist, mnistSizeForFeatures } from '../scripts/mnist-data.ts';
import { GNU_TIME } from './measure.ts';
import { runGasBench } from './gas.ts';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH_DIR);
const STEP_SCRIPT = path.join(BENCH_DIR, 'step.ts');
const MODELS_DIR = path.join(BENCH_DIR, 'models');
const RESULTS_DIR = path.join(BENCH_DIR, 'results');

interface BenchModel {
  /** bench/models/<name>.onnx and <name>.calibration.json. */
  name: string;
  /** circomlib-ml / keras2circom's constraints for the same architecture, from the public zkML benchmark (as given in the benchmark brief; not re-measured here). */
  circomlibMl?: number;
  /** Set up with the native development setup: a ptau of the CNNs' size (2^18) takes hours here with snarkjs. */
  devSetup: boolean;
}

const MODELS: readonly BenchModel[] = [
  { name: 'mlp-196-25-10', devSetup: false },
  { name: 'mlp-784-56-10', circomlibMl: 73_416, devSetup: false },
  { name: 'mlp-196-24-14-10', devSetup: false },
  { name: 'cnn-lenet-small', circomlibMl: 2_558_720, devSetup: true },
  { name: 'cnn-lenet', circomlibMl: 22_703_268, devSetup: true },
  { name: 'cnn-small-14', circomlibMl: 523_312, devSetup: true },
];
const NAMES = MODELS.map((m) => m.name);

const STEPS = ['compile', 'circom', 'setup', 'witness', 'prove', 'verify'] as const;
type StepName = (typeof STEPS)[number];
/** The circom2 runs that split compile time (bench/step.ts circom-phases). */
const CIRCOM_MODES = ['r1cs-O1', 'r1cs-O0', 'wasm'] as const;
type CircomMode = (typeof CIRCOM_MODES)[number];

type Json = Record<string, unknown>;

// ---------------------------------------------------------------- options

interface Options {
  only: string[];
  reps: number;
  gasOnly: boolean;
  renderOnly: boolean;
}

function usage(): string {
  return [
    'usage: npm run bench -- [--only MODEL[,MODEL…]] [--reps N] [--gas-only | --render]',
    `  --only       models to run (${NAMES.join(', ')}); repeatable; default all`,
    '  --reps       repetitions of witness, prove and verify (median reported); default 3',
    '  --gas-only   skip the models: only the on-chain gas benchmark (bench/gas.ts)',
    '  --render     only write models.md again from the last models.json (no run)',
  ].join('\n');
}

function parseOptions(argv: string[]): Options {
  const options: Options = { only: [], reps: 3, gasOnly: false, renderOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${usage()}`);
      return v;
    };
    if (flag === '--only') {
      for (const given of value().split(',').filter(Boolean)) {
        const name = given.replace(/\.onnx$/, '');
        if (!NAMES.includes(name)) throw new Error(`unknown model "${given}": choose from ${NAMES.join(', ')}`);
        if (!options.only.includes(name)) options.only.push(name);
      }
    } else if (flag === '--reps') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new Error(`--reps must be a positive integer`);
      options.reps = n;
    } else if (flag === '--gas-only') {
      options.gasOnly = true;
    } else if (flag === '--render') {
      options.renderOnly = true;
    } else if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${usage()}\n`);
      process.exit(0);
    } else {
      throw new Error(`unknown option ${arg}\n${usage()}`);
    }
  }
  return options;
}

// ---------------------------------------------------------------- processes


let activeChild: ChildProcess | undefined;
let workDir: string | undefined;
let timeFiles = 0;

function cleanup(): void {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // The step runs in its own process group (detached): end that group, which we started.
    if (activeChild?.pid) {
      try {
        process.kill(-activeChild.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    cleanup();
    process.stderr.write(`\nbench: interrupted (${signal}), temp artifacts removed\n`);
    process.exit(130);
  });
}

interface StepRun {
  /** What the step printed (its own figures). */
  result: Json;
  /** The library call alone, as the step measured it. */
  seconds: number;
  /** Spawn to exit, node + tsx start-up and module loading included. */
  processSeconds: number;
  /** Peak RSS of the step's process tree (GNU time), else max(self, polled children). */
  peakRssMB: number;
  /** The step's node process alone. */
  selfRssMB: number;
  /** Its largest child process (circom for the circom step), polled. */
  childRssMB: number;
}

function runProcess(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    activeChild = child;
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      activeChild = undefined;
      resolve({ code, stdout, stderr });
    });
  });
}

async function runStep(step: string, args: string[]): Promise<StepRun> {
  const node = [process.execPath, '--import', 'tsx', STEP_SCRIPT, step, ...args];
  const timeFile = GNU_TIME ? path.join(workDir!, `time-${++timeFiles}.txt`) : undefined;
  const [command, ...commandArgs] = GNU_TIME ? [GNU_TIME, '-f', '%M', '-o', timeFile!, ...node] : node;
  const t0 = performance.now();
  const { code, stdout, stderr } = await runProcess(command!, commandArgs);
  const processSeconds = (performance.now() - t0) / 1000;
  if (code !== 0) {
    throw new Error(`step "${step} ${args.join(' ')}" failed (exit code ${code}):\n${stderr.trim().split('\n').slice(-20).join('\n')}`);
  }
  const line = stdout.trim().split('\n').pop() ?? '';
  let result: Json;
  try {
    result = JSON.parse(line) as Json;
  } catch {
    throw new Error(`step "${step}" printed no JSON result:\n${stdout}\n${stderr}`);
  }
  const selfRssMB = Number(result.selfRssMB);
  const childRssMB = Number(result.childRssMB);
  let peakRssMB = Math.max(selfRssMB, childRssMB);
  if (timeFile) {
    const kb = Number((await readFile(timeFile, 'utf8')).trim().split('\n').pop());
    if (Number.isFinite(kb) && kb > 0) peakRssMB = kb / 1024;
  }
  return { result, seconds: Number(result.seconds), processSeconds, peakRssMB, selfRssMB, childRssMB };
}

// ---------------------------------------------------------------- figures

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

function fmtSeconds(s: number): string {
  if (s < 0.1) return `${(s * 1000).toFixed(0)} ms`;
  if (s < 10) return `${s.toFixed(2)} s`;
  return `${s.toFixed(1)} s`;
}

const fmtMB = (mb: number) => mb.toFixed(0);
const fmtPct = (x: number) => `${(100 * x).toFixed(1)}%`;
const fmtInt = (n: number) => n.toLocaleString('en-US');

interface StepFigures {
  seconds: number;
  peakRssMB: number;
  /** Extra figures: warm timings, process wall time, RSS breakdown, every repetition. */
  [extra: string]: unknown;
}

interface ModelResult {
  model: string;
  onnx: string;
  date: string;
  constraints: number;
  predictedConstraints: number;
  wires: number;
  publicSignals: { outputs: number; inputs: number; total: number };
  privateInputs: number;
  ptau: { circuitPower: number; filePower: number; created: boolean; seconds: number; path: string };
  steps: Record<StepName, StepFigures>;
  accuracy: { digits: number; quantized: number; float: number; agreement: number; clampedInputValues: number; seconds: number };
  /** Where compile and witness time goes: circom2 split by phase and flags, and the reference evaluator (what a witness could be built from). */
  compileWitness: { circom: Record<CircomMode, StepFigures>; evaluator: StepFigures };
  /** The fast path (compile's default) in its own folder: the compiler, model.r1cs and model.sym from the IR, the witness. */
  fastPath: { compile: StepFigures; circuit: StepFigures; witness: StepFigures; constraints: number };
  keras2circom?: { constraints: number; ratio: number; source: string };
  notes: string[];
}

function single(run: StepRun, extra: Json = {}): StepFigures {
  return {
    seconds: round(run.seconds),
    peakRssMB: round(run.peakRssMB, 1),
    processSeconds: round(run.processSeconds),
    selfRssMB: round(run.selfRssMB, 1),
    childRssMB: round(run.childRssMB, 1),
    ...extra,
  };
}

function repeated(runs: StepRun[], extraKeys: string[] = []): StepFigures {
  const figures: StepFigures = {
    seconds: round(median(runs.map((r) => r.seconds))),
    peakRssMB: round(Math.max(...runs.map((r) => r.peakRssMB)), 1),
    medianPeakRssMB: round(median(runs.map((r) => r.peakRssMB)), 1),
    processSeconds: round(median(runs.map((r) => r.processSeconds))),
  };
  for (const key of extraKeys) figures[key] = round(median(runs.map((r) => Number(r.result[key]))));
  figures.reps = runs.map((r) => ({
    seconds: round(r.seconds),
    peakRssMB: round(r.peakRssMB, 1),
    processSeconds: round(r.processSeconds),
    ...Object.fromEntries(extraKeys.map((k) => [k, round(Number(r.result[k]))])),
  }));
  return figures;
}

// ---------------------------------------------------------------- one model

function progress(name: string, what: string, run?: StepRun, extra = ''): void {
  const figures = run ? `${fmtSeconds(run.seconds).padStart(9)}  ${fmtMB(run.peakRssMB).padStart(5)} MB` : '';
  process.stderr.write(`[${name}] ${what.padEnd(14)}${figures}${extra ? `  ${extra}` : ''}\n`);
}

async function benchModel(model: BenchModel, reps: number): Promise<ModelResult> {
  const arch = model.name;
  const onnx = path.join(MODELS_DIR, `${arch}.onnx`);
  const calibration = path.join(MODELS_DIR, `${arch}.calibration.json`);
  const dir = path.join(workDir!, arch);
  const notes: string[] = [];

  const compile = await runStep('compile', [onnx, dir, calibration]);
  progress(arch, 'compile', compile);
  const circom = await runStep('circom', [dir]);
  const c = circom.result;
  progress(arch, 'circom', circom, `${fmtInt(Number(c.constraints))} constraints, ptau 2^${c.ptauPower}`);
  const phases = {} as Record<CircomMode, StepFigures>;
  for (const mode of CIRCOM_MODES) {
    const run = await runStep('circom-phases', [dir, path.join(workDir!, `${arch}-${mode}`), mode]);
    const r = run.result;
    const split = ['executeSeconds', 'r1csSeconds', 'symSeconds', 'wasmSeconds'].filter((k) => r[k] !== undefined);
    phases[mode] = single(run, { flags: r.flags, ...Object.fromEntries(split.map((k) => [k, round(Number(r[k]))])) });
    progress(arch, `circom ${mode}`, run, `executed in ${fmtSeconds(Number(r.executeSeconds))}`);
  }
  // The fast path side by side: the same model compiled again into its own folder, the r1cs written from the IR.
  const fastDir = path.join(workDir!, `${arch}-fast`);
  const fastBuild = await runStep('build', [onnx, fastDir, calibration]);
  // One process, as `zkinfer compile` runs: the r1cs writer takes the system the compiler lowered.
  const fastCompile = { ...fastBuild, seconds: Number(fastBuild.result.compileSeconds) };
  const fastCircuit = { ...fastBuild, seconds: Number(fastBuild.result.circuitSeconds) };
  progress(arch, 'fast path compile + r1cs', fastBuild, `${fmtInt(Number(fastCircuit.result.constraints))} constraints`);
  if (Number(fastCircuit.result.constraints) !== Number(c.constraints) || Number(fastCircuit.result.wires) !== Number(c.wires)) {
    notes.push(`the fast path wrote ${fastCircuit.result.constraints} constraints and ${fastCircuit.result.wires} wires, circom ${c.constraints} and ${c.wires}`);
  }
  if (Number(compile.result.predictedConstraints) !== Number(c.constraints)) {
    notes.push(`the compiler counted ${compile.result.predictedConstraints} constraints, circom ${c.constraints}`);
  }

  let ptau: StepRun | undefined;
  let created = false;
  if (model.devSetup) {
    notes.push('set up with the native development setup (setup --dev): no ptau');
  } else {
    // The dev ptau first, on its own, so setup's time excludes making one.
    ptau = await runStep('ptau', [String(c.ptauPower)]);
    created = ptau.result.created === true;
    progress(arch, 'ptau', ptau, created ? `made a new dev ptau 2^${ptau.result.power} (not cached before)` : `cached 2^${ptau.result.power}`);
    if (created) notes.push(`a development ptau of power ${ptau.result.power} had to be made (${fmtSeconds(ptau.seconds)}), counted in "setup incl. ptau" only`);
  }
  const setup = await runStep('setup', model.devSetup ? [dir, '--dev'] : [dir]);
  progress(arch, 'setup', setup);

  // The first test digit of the right size, as prove's input JSON.
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as { inputs: { name: string; shape: number[] }[] };
  const input = manifest.inputs[0]!;
  const features = input.shape.reduce((a, b) => a * b, 1);
  const { test } = loadMnist({ size: mnistSizeForFeatures(features) });
  const inputFile = path.join(workDir!, `${arch}-input.json`);
  await writeFile(inputFile, JSON.stringify({ [input.name]: nestArray(Array.from(test.x[0]!), input.shape) }));

  const runs: Record<'witness' | 'fastWitness' | 'evaluate' | 'prove' | 'verify', StepRun[]> = { witness: [], fastWitness: [], evaluate: [], prove: [], verify: [] };
  for (let r = 0; r < reps; r++) {
    const tag = reps > 1 ? ` ${r + 1}/${reps}` : '';
    const witness = await runStep('witness', [dir, inputFile]);
    runs.witness.push(witness);
    progress(arch, `witness${tag}`, witness);
    const fastWitness = await runStep('witness', [fastDir, inputFile]);
    runs.fastWitness.push(fastWitness);
    progress(arch, `fast path witness${tag}`, fastWitness);
    const evaluate = await runStep('evaluate', [dir, inputFile]);
    runs.evaluate.push(evaluate);
    progress(arch, `evaluate${tag}`, evaluate);
    const prove = await runStep('prove', [dir, inputFile]);
    runs.prove.push(prove);
    progress(arch, `prove${tag}`, prove, `warm ${fmtSeconds(Number(prove.result.warmSeconds))}`);
    const verify = await runStep('verify', [dir]);
    runs.verify.push(verify);
    progress(arch, `verify${tag}`, verify, `warm ${fmtSeconds(Number(verify.result.warmSeconds))}`);
  }

  const accuracy = await runStep('accuracy', [dir, onnx]);
  const a = accuracy.result;
  progress(arch, 'accuracy', accuracy, `quantized ${fmtPct(Number(a.quant))}, float ${fmtPct(Number(a.float))} on ${a.n} digits`);

  // The proof, the witness and the reference evaluator must agree on the digit.
  const first = a.firstDigit as { label: number; quant: number; float: number };
  const claimed = new Set([...runs.witness, ...runs.fastWitness, ...runs.evaluate, ...runs.prove, ...runs.verify].map((r) => Number(r.result.argmax)));
  if (claimed.size !== 1 || !claimed.has(first.quant)) {
    notes.push(`test digit 0: the proof/witness say ${[...claimed].join('/')}, the reference evaluator ${first.quant}`);
  }
  if (first.quant !== first.label) notes.push(`test digit 0 (a ${first.label}) is classified as ${first.quant}`);

  const publicInputs = Number(c.publicInputs);
  const publicOutputs = Number(c.publicOutputs);
  const result: ModelResult = {
    model: arch,
    onnx: path.relative(ROOT, onnx),
    date: new Date().toISOString(),
    constraints: Number(c.constraints),
    predictedConstraints: Number(compile.result.predictedConstraints),
    wires: Number(c.wires),
    publicSignals: { outputs: publicOutputs, inputs: publicInputs, total: publicInputs + publicOutputs },
    privateInputs: Number(c.privateInputs),
    ptau: {
      circuitPower: Number(c.ptauPower),
      filePower: Number(setup.result.ptauPower),
      created,
      seconds: round(ptau?.seconds ?? 0),
      path: ptau ? String(ptau.result.path) : 'none (setup --dev)',
    },
    steps: {
      compile: single(compile),
      circom: single(circom),
      setup: single(setup, {
        withPtauSeconds: round(setup.seconds + (ptau?.seconds ?? 0)),
        ptauCreated: created,
        ptauPeakRssMB: round(ptau?.peakRssMB ?? 0, 1),
      }),
      witness: repeated(runs.witness),
      prove: repeated(runs.prove, ['warmSeconds', 'callSeconds']),
      verify: repeated(runs.verify, ['warmSeconds']),
    },
    accuracy: {
      digits: Number(a.n),
      quantized: Number(a.quant),
      float: Number(a.float),
      agreement: Number(a.agree),
      clampedInputValues: Number(a.clampedValues),
      seconds: round(accuracy.seconds),
    },
    compileWitness: { circom: phases, evaluator: repeated(runs.evaluate, ['loadSeconds']) },
    fastPath: { compile: single(fastCompile), circuit: single(fastCircuit), witness: repeated(runs.fastWitness), constraints: Number(fastCircuit.result.constraints) },
    notes,
  };
  if (model.circomlibMl) {
    result.keras2circom = {
      constraints: model.circomlibMl,
      ratio: round(model.circomlibMl / result.constraints, 2),
      source: `circomlib-ml / keras2circom, ${arch}'s architecture (public zkML benchmark)`,
    };
  }
  return result;
}

// ---------------------------------------------------------------- report

interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGB: number;
  platform: string;
  osRelease: string;
  arch: string;
  node: string;
  snarkjs: string;
  circom2: string;
  rssMethod: string;
  /** Peak RSS of a step that does nothing: node + tsx, included in every step's figure. */
  baselineRssMB: number;
  /** 1-minute load average when the run started and ended: above `cpus`, other work shared the machine. */
  loadAverage: { start: number; end: number };
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function machineInfo(baselineRssMB: number, loadAtStart: number): Machine {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGB: round(os.totalmem() / 2 ** 30, 1),
    platform: os.platform(),
    osRelease: os.release(),
    arch: os.arch(),
    node: process.version,
    snarkjs: packageVersion('snarkjs'),
    circom2: packageVersion('circom2'),
    rssMethod: GNU_TIME
      ? `GNU time %M (${GNU_TIME}): peak RSS of the step's whole process tree (max over processes, not a sum)`
      : "process.resourceUsage().maxRSS of the step's process, and its children's VmHWM polled every 20 ms from /proc",
    baselineRssMB: round(baselineRssMB, 1),
    loadAverage: { start: round(loadAtStart, 2), end: round(os.loadavg()[0]!, 2) },
  };
}

function markdown(report: { date: string; machine: Machine; reps: number; totalSeconds: number; models: ModelResult[] }): string {
  const { machine: m } = report;
  const lines: string[] = [];
  lines.push('# zkinfer MNIST model benchmark', '');
  lines.push(
    `${report.date} · ${m.cpus} × ${m.cpuModel}, ${m.memoryGB} GB · node ${m.node} · snarkjs ${m.snarkjs} · circom2 ${m.circom2} · ` +
      `witness/prove/verify: median of ${report.reps} run(s) · total ${fmtSeconds(report.totalSeconds)} · ` +
      `load average ${m.loadAverage.start} → ${m.loadAverage.end}`,
    '',
  );
  if (Math.max(m.loadAverage.start, m.loadAverage.end) > m.cpus) {
    lines.push(`> The load average exceeded the ${m.cpus} CPUs: other work shared the machine, so times are noisy (likely too high).`, '');
  }
  lines.push(
    '| model | constraints | compile | circom | setup | witness | prove | verify | peak RSS MB (compile / circom / setup / witness / prove / verify) | accuracy quant / float |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|---|',
  );
  for (const r of report.models) {
    const s = r.steps;
    lines.push(
      `| ${r.model} | ${fmtInt(r.constraints)} | ${STEPS.map((k) => fmtSeconds(s[k].seconds)).join(' | ')} | ` +
        `${STEPS.map((k) => fmtMB(s[k].peakRssMB)).join(' / ')} | ${fmtPct(r.accuracy.quantized)} / ${fmtPct(r.accuracy.float)} |`,
    );
  }
  lines.push('', '| model | wires | public signals (out + in) | ptau 2^ (circuit / file) | setup incl. ptau | prove warm | verify warm | quant = float argmax |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of report.models) {
    const s = r.steps;
    lines.push(
      `| ${r.model} | ${fmtInt(r.wires)} | ${r.publicSignals.total} (${r.publicSignals.outputs} + ${r.publicSignals.inputs}) | ` +
        `${r.ptau.circuitPower} / ${r.ptau.filePower}${r.ptau.created ? ' (made)' : ''} | ${fmtSeconds(Number(s.setup.withPtauSeconds))} | ` +
        `${fmtSeconds(Number(s.prove.warmSeconds))} | ${fmtSeconds(Number(s.verify.warmSeconds))} | ${fmtPct(r.accuracy.agreement)} |`,
    );
  }
  lines.push('');
  for (const r of report.models) {
    if (r.keras2circom) {
      lines.push(
        `- ${r.model} vs circomlib-ml / keras2circom (${fmtInt(r.keras2circom.constraints)} constraints for the same architecture, ` +
          `public zkML benchmark): ${r.keras2circom.ratio}× theirs / ours.`,
      );
    }
  }
  lines.push(
    '- Times are the library call alone, measured inside a fresh process per step (node start-up and module loading excluded). ' +
      'prove is the Groth16 proof alone (witness is its own column); prove and verify are cold calls that include building the ' +
      'BN254 engine, "warm" is a second call in the same process.',
    `- Peak RSS is per step, one process per step: ${m.rssMethod}. Every figure includes node + tsx (${fmtMB(m.baselineRssMB)} MB for a step that does nothing); ` +
      'for repeated steps the maximum over runs.',
    '- setup: the MLPs use the cached development ptau (the smallest cached file of at least the needed power; "setup" excludes making one, "setup incl. ptau" includes it when it had to be made); the CNNs use the native development setup (setup --dev, no ptau).',
    '- accuracy: the 1,000 MNIST test digits (scripts/mnist-data.ts), quantized = reference evaluator (circuits/predict.ts, bit-exact with the circuit), float = the normalized ONNX graph.',
  );
  lines.push('', ...fastPathSection(report.models), '', ...compileWitnessSection(report.models));
  const notes = report.models.flatMap((r) => r.notes.map((n) => `${r.model}: ${n}`));
  if (notes.length > 0) lines.push('', '## Notes', '', ...notes.map((n) => `- ${n}`));
  return `${lines.join('\n')}\n`;
}

/** compile → r1cs and the witness, the fast path against the circom route, side by side in one run. */
function fastPathSection(models: readonly ModelResult[]): string[] {
  const lines = [
    '## Compile and witness: the fast path against the circom route',
    '',
    '| model | constraints (fast path / circom) | fast path: compiler + r1cs/sym + witness = total | peak MB | circom route: compiler + circom + witness = total | peak MB | speed-up |',
    '|---|---:|---|---:|---|---:|---:|',
  ];
  for (const r of models) {
    const f = r.fastPath;
    const fast = f.compile.seconds + f.circuit.seconds + f.witness.seconds;
    const circom = r.steps.compile.seconds + r.steps.circom.seconds + r.steps.witness.seconds;
    const peak = (...s: StepFigures[]) => fmtMB(Math.max(...s.map((x) => x.peakRssMB)));
    lines.push(
      `| ${r.model} | ${fmtInt(f.constraints)} / ${fmtInt(r.constraints)} | ${fmtSeconds(f.compile.seconds)} + ${fmtSeconds(f.circuit.seconds)} + ${fmtSeconds(f.witness.seconds)} = ${fmtSeconds(fast)} | ${peak(f.compile, f.circuit, f.witness)} | ` +
        `${fmtSeconds(r.steps.compile.seconds)} + ${fmtSeconds(r.steps.circom.seconds)} + ${fmtSeconds(r.steps.witness.seconds)} = ${fmtSeconds(circom)} | ${peak(r.steps.compile, r.steps.circom, r.steps.witness)} | ${(circom / fast).toFixed(1)}× |`,
    );
  }
  const largest = models.reduce((a, b) => (b.constraints > a.constraints ? b : a));
  const compilePeak = (...s: StepFigures[]) => fmtMB(Math.max(...s.map((x) => x.peakRssMB)));
  lines.push(
    '',
    `- Peak memory of compile for the largest model here, ${largest.model} (${fmtInt(largest.constraints)} constraints): ${compilePeak(largest.fastPath.compile, largest.fastPath.circuit)} MB on the fast path (the r1cs writer's process), ${compilePeak(largest.steps.compile, largest.steps.circom)} MB through circom2.`,
    "- The fast path (`zkinfer compile`'s default) writes model.r1cs and model.sym straight from the IR and computes witnesses itself; its compiler and r1cs/sym run in one process, as `zkinfer compile` runs them: the compiler's time includes lowering the IR to its constraint system (where the per-layer counts come from), which the r1cs writer reuses. the circom route (`--via circom`) runs circom2 on model.circom (r1cs, sym and the wasm witness generator in one run) and snarkjs's wasm witness calculator. " +
      'Both compile the same model in their own folders in this run; the circuits are the same (test/system and the op and conformance suites check it signal by signal). Witness: input quantization to witness.wtns on disk. Peak MB: the largest step process of each route.',
  );
  return lines;
}

/** Where compile and witness time goes: circom2 by phase and flags, against the compiler and the reference evaluator. */
function compileWitnessSection(models: readonly ModelResult[]): string[] {
  const lines = [
    '## Compile and witness: where the time goes',
    '',
    '| model | constraints | zkinfer compiler | circom2 --r1cs --sym --O1: execute + write = total (MB) | --r1cs --O0 total | --wasm: execute + write = total (MB) | witness (wasm) | reference evaluator (+ ir.json load) | today: compiler + circom + witness |',
    '|---|---:|---:|---|---:|---|---:|---:|---:|',
  ];
  for (const r of models) {
    const { circom, evaluator } = r.compileWitness;
    const o1 = circom['r1cs-O1'];
    const wasm = circom.wasm;
    const today = r.steps.compile.seconds + r.steps.circom.seconds + r.steps.witness.seconds;
    lines.push(
      `| ${r.model} | ${fmtInt(r.constraints)} | ${fmtSeconds(r.steps.compile.seconds)} | ` +
        `${fmtSeconds(Number(o1.executeSeconds))} + ${fmtSeconds(Number(o1.r1csSeconds ?? 0) + Number(o1.symSeconds ?? 0))} = ${fmtSeconds(o1.seconds)} (${fmtMB(o1.peakRssMB)}) | ` +
        `${fmtSeconds(circom['r1cs-O0'].seconds)} | ` +
        `${fmtSeconds(Number(wasm.executeSeconds))} + ${fmtSeconds(Number(wasm.wasmSeconds ?? 0))} = ${fmtSeconds(wasm.seconds)} (${fmtMB(wasm.peakRssMB)}) | ` +
        `${fmtSeconds(r.steps.witness.seconds)} | ${fmtSeconds(evaluator.seconds)} (+ ${fmtSeconds(Number(evaluator.loadSeconds))}) | ${fmtSeconds(today)} |`,
    );
  }
  const executeShare = models.map((r) => Number(r.compileWitness.circom['r1cs-O1'].executeSeconds) / r.compileWitness.circom['r1cs-O1'].seconds);
  lines.push(
    '',
    '- circom2 runs once per flag set, each in its own process (peak RSS of the process tree in parentheses). "execute" is until circom logs its template instances: ' +
      'parsing, type checking and running the templates, which unrolls every loop and builds each multiply-accumulate of a constant-weight layer as a linear expression term by term; ' +
      '"write" is the rest: --O1 simplification and writing the r1cs and sym files, or generating the wasm witness calculator.',
    `- Execution is ${fmtPct(Math.min(...executeShare))}–${fmtPct(Math.max(...executeShare))} of an r1cs run here: circom's time goes into interpreting the templates, not into simplifying or writing. ` +
      "zkinfer's own compile runs circom once for r1cs, sym and wasm together (the circom column above); here the outputs get separate runs to show what each costs.",
    '- witness (wasm) is zkinfer\'s witness step: input quantization, snarkjs running the wasm calculator, writing witness.wtns. The reference evaluator computes the same values (it defines them) in the time shown, after loading ir.json.',
  );
  return lines;
}

// ---------------------------------------------------------------- main

async function modelBench(options: Options): Promise<void> {
  const models = options.only.length > 0 ? MODELS.filter((m) => options.only.includes(m.name)) : [...MODELS];
  const started = performance.now();
  const loadAtStart = os.loadavg()[0]!;
  const date = new Date().toISOString();
  workDir = mkdtempSync(path.join(os.tmpdir(), 'zkinfer-bench-'));
  try {
    if (!GNU_TIME) process.stderr.write('bench: GNU time not found: peak RSS from the step process and polled children\n');
    const baseline = await runStep('noop', []);
    process.stderr.write(
      `bench: ${models.map((m) => m.name).join(', ')} · ${os.cpus().length} CPUs (load ${loadAtStart.toFixed(1)}) · node ${process.version} · ${options.reps} rep(s) · artifacts in ${workDir}\n`,
    );
    const results: ModelResult[] = [];
    for (const model of models) results.push(await benchModel(model, options.reps));
    const totalSeconds = round((performance.now() - started) / 1000, 1);
    const machine = machineInfo(baseline.peakRssMB, loadAtStart);
    const report = { benchmark: 'zkinfer-mnist', date, totalSeconds, reps: options.reps, machine, models: results };
    const md = markdown(report);
    await mkdir(RESULTS_DIR, { recursive: true });
    await writeFileAtomic(path.join(RESULTS_DIR, 'models.json'), toJson(report));
    await writeFileAtomic(path.join(RESULTS_DIR, 'models.md'), md);
    process.stdout.write(md);
    process.stderr.write(`bench: done in ${fmtSeconds(totalSeconds)}; wrote ${path.relative(ROOT, RESULTS_DIR)}/models.json and models.md\n`);
  } finally {
    cleanup();
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.renderOnly) {
    const report = JSON.parse(await readFile(path.join(RESULTS_DIR, 'models.json'), 'utf8')) as Parameters<typeof markdown>[0];
    await writeFileAtomic(path.join(RESULTS_DIR, 'models.md'), markdown(report));
    return;
  }
  if (!options.gasOnly) await modelBench(options);
  await runGasBench();
}

main().catch((err: unknown) => {
  cleanup();
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
