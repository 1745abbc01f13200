/**
 * The `zkinfer` command. Thin by design: each command parses its flags, makes one
 * library call and prints the result (a table on a terminal, JSON with --json).
 */
import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { ZkInferError, InputError } from '../circuits/errors.ts';
import { readUserJsonFile, toJson } from '../circuits/files.ts';
import { predict } from '../circuits/predict.ts';
import { build } from '../prover/build.ts';
import { prove } from '../prover/prove.ts';
import { setup } from '../prover/setup.ts';
import { readManifest } from '../circuits/artifacts.ts';
import { releaseCurves } from '../verifier/curves.ts';
import { verifyProof } from '../verifier/verify.ts';
import { formatInspect, formatTensors } from './format.ts';
import { progressFor } from './progress.ts';

interface JsonFlag {
  json?: boolean;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** Runs a command body with progress on a terminal, printing its result as text or JSON. */
async function run<T>(opts: JsonFlag, body: (progress: (m: string) => void) => Promise<T>, render: (result: T) => string): Promise<T> {
  const progress = progressFor(!opts.json);
  try {
    const result = await body((m) => progress.update(m));
    progress.done();
    process.stdout.write(opts.json ? toJson(result) : `${render(result)}\n`);
    return result;
  } finally {
    progress.done();
  }
}

function warn(opts: JsonFlag, warnings: readonly string[]): void {
  if (!opts.json) for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
}

export function buildProgram(): Command {
  const program = new Command('zkinfer')
    .description('Verifiable ML inference: compile ONNX models to Circom, prove with Groth16, verify off-chain')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('compile')
    .description('compile an ONNX model into a circuit (model.circom, r1cs, wasm, manifest.json)')
    .argument('<model>', 'the ONNX file')
    .requiredOption('-o, --out <dir>', 'artifact directory to write')
    .option('--calibration <file>', 'JSON file of sample inputs for quantization ranges')
    .option('--bits <n>', 'activation and weight bits', positiveInt, 8)
    .option('--input-range-check', 'range-check inputs inside the circuit (otherwise verifiers check public inputs)')
    .option('--json', 'machine-readable output')
    .action(async (model: string, opts: JsonFlag & { out: string; calibration?: string; bits: number; inputRangeCheck?: boolean }) => {
      await run(
        opts,
        (onProgress) => build(model, opts.out, { calibration: opts.calibration, bits: opts.bits, inputRangeCheck: opts.inputRangeCheck, onProgress }),
        (r) =>
          [
            `compiled ${model} → ${opts.out}`,
            `constraints ${r.manifest.circuit.constraints} (predicted ${r.predictedConstraints}), ptau 2^${r.manifest.circuit.ptauPower}`,
            `time: compiler ${r.seconds.compile.toFixed(2)}s, circom ${r.seconds.circom.toFixed(2)}s`,
          ].join('\n'),
      );
    });

  program
    .command('inspect')
    .description('constraints per layer, public signal layout and ptau size of a compiled model')
    .argument('<dir>', 'artifact directory')
    .option('--json', 'machine-readable output')
    .action(async (dir: string, opts: JsonFlag) => {
      await run(opts, () => readManifest(dir), formatInspect);
    });

  program
    .command('setup')
    .description('Groth16 trusted setup: proving key (model.zkey) and verification_key.json')
    .argument('<dir>', 'artifact directory')
    .option('--ptau <file>', 'powers of tau from a public ceremony (default: a local development ptau)')
    .option('--json', 'machine-readable output')
    .action(async (dir: string, opts: JsonFlag & { ptau?: string }) => {
      const r = await run(
        opts,
        (onProgress) => setup(dir, { ptau: opts.ptau, onProgress }),
        (r) => `setup done in ${r.seconds.toFixed(1)}s: ${r.zkey}, ${r.verificationKey} (ptau 2^${r.ptauPower}${r.development ? ', development' : ''})`,
      );
      warn(opts, r.warnings);
    });

  program
    .command('predict')
    .description('run the reference integer evaluator (what the circuit outputs), no proof')
    .argument('<dir>', 'artifact directory')
    .requiredOption('--input <file>', 'input JSON: {"<input name>": nested array} or a bare array')
    .option('--json', 'machine-readable output')
    .action(async (dir: string, opts: JsonFlag & { input: string }) => {
      const r = await run(opts, async () => predict(dir, await readUserJsonFile(opts.input, 'input file'), opts.input), (r) => formatTensors(r.outputs));
      if (r.clamped > 0) warn(opts, [`${r.clamped} input values were outside the calibrated range and were clamped`]);
    });

  program
    .command('prove')
    .description('prove an inference: proof.json, public.json, output.json')
    .argument('<dir>', 'artifact directory')
    .requiredOption('--input <file>', 'input JSON: {"<input name>": nested array} or a bare array')
    .option('--out <dir>', 'where to write the proof files (default: the artifact directory)')
    .option('--json', 'machine-readable output')
    .action(async (dir: string, opts: JsonFlag & { input: string; out?: string }) => {
      const r = await run(
        opts,
        async (onProgress) => (await prove(dir, await readUserJsonFile(opts.input, 'input file'), { out: opts.out, source: opts.input, onProgress })).output,
        (o) => [formatTensors(o.outputs), `witness ${o.timings.witnessSeconds.toFixed(2)}s, proof ${o.timings.proveSeconds.toFixed(2)}s → ${opts.out ?? dir}/proof.json`].join('\n'),
      );
      if (r.clampedInputs > 0) warn(opts, [`${r.clampedInputs} input values were outside the calibrated range and were clamped`]);
    });

  program
    .command('verify')
    .description('verify a proof off-chain; exit code 0 only for a valid proof')
    .argument('<dir>', 'artifact directory')
    .option('--proof <file>', 'proof.json (default: DIR/proof.json)')
    .option('--public <file>', 'public.json (default: DIR/public.json)')
    .option('--json', 'machine-readable output')
    .action(async (dir: string, opts: JsonFlag & { proof?: string; public?: string }) => {
      const r = await run(
        opts,
        (onProgress) => verifyProof(dir, { proof: opts.proof, public: opts.public, onProgress }),
        (r) => (r.valid ? `valid proof\n${formatTensors(r.outputs)}` : `INVALID proof: ${r.reason}`),
      );
      warn(opts, r.warnings);
      if (!r.valid) process.exitCode = 1;
    });

  return program;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    const json = argv.includes('--json');
    if (err instanceof ZkInferError) {
      if (json) process.stdout.write(toJson({ error: { type: err.name, message: err.message, context: err.context, hint: err.hint } }));
      else process.stderr.write(`error: ${err.describe()}\n`);
      return 1;
    }
    const code = (err as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      return code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 1;
    }
    process.stderr.write(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 2;
  } finally {
    await releaseCurves();
  }
}
