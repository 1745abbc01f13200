/**
 * One benchmark step in its own process, so its peak memory is its own:
 *
 *   node --import tsx bench/step.ts <step> [args…]
 *
 * Prints one JSON line on stdout: the step's own figures, `seconds` (the library
 * call alone: module loading and process start are outside it), `selfRssMB`
 * (`process.resourceUsage().maxRSS`, this process only) and `childRssMB` (the
 * highest VmHWM seen while polling this process's children, e.g. circom's node;
 * 0 when it spawned none). The runner (bench/run.ts) adds the whole process
 * tree's peak from GNU time where it is installed.
 *
 * Steps:
 *   noop                                  node + tsx baseline
 *   compile  <model.onnx> <dir> <calibration.json>
 *   circom   <dir>
 *   build    <model.onnx> <dir> <calibration.json>
 *                                         `zkinfer compile` on the fast path: the compiler, then
 *                                         model.r1cs and model.sym from the system it lowered (no circom)
 *   circom-phases <dir> <out dir> r1cs-O1|r1cs-O0|wasm
 *                                         one circom2 run with those outputs and flags, split at
 *                                         its log lines: execution, r1cs, sym, wasm
 *   ptau     <power>                      ensureDevPtau (cached per user)
 *   setup    <dir> [--dev]                 --dev: the native development setup (no ptau)
 *   witness  <dir> <input.json>           circom's wasm, or the fast path for a circuit it wrote
 *   evaluate <dir> <input.json>           the reference evaluator on the input (ir.json loaded)
 *   prove    <dir> <input.json>           cold call, then a warm one in the same process
 *   verify   <dir>                        cold call, then a warm one in the same process
 *   accuracy <dir> <model.onnx>           1,000 MNIST test digits: quantized vs float
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

type Json = Record<string, unknown>;

const POLL_MS = 20;

/** circom2 flags of the circom-phases step: the r1cs at the project's --O1 (with the sym file), at --O0, and the wasm witness generator alone. */
const CIRCOM_MODES = { 'r1cs-O1': ['--r1cs', '--sym', '--O1'], 'r1cs-O0': ['--r1cs', '--O0'], wasm: ['--wasm', '--O1'] } as const;

/** Highest VmHWM (peak RSS) seen among this process's direct children, in kB. */
function watchChildren(): { peakKb: () => number; stop: () => void } {
  let peak = 0;
  const poll = () => {
    let tasks: string[];
    try {
      tasks = readdirSync('/proc/self/task');
    } catch {
      return; // not Linux: children are not measured
    }
    for (const tid of tasks) {
      let children: string;
      try {
        children = readFileSync(`/proc/self/task/${tid}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const pid of children.split(/\s+/).filter(Boolean)) {
        try {
          const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
          if (m) peak = Math.max(peak, Number(m[1]));
        } catch {
          // the child exited between listing and reading
        }
      }
    }
  };
  const timer = setInterval(poll, POLL_MS);
  timer.unref();
  return {
    peakKb: () => (poll(), peak),
    stop: () => clearInterval(timer),
  };
}

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8')) as unknown;
}

function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}

function need(args: string[], count: number, usage: string): string[] {
  if (args.length < count) throw new Error(`usage: step.ts ${usage}`);
  return args;
}

/** Runs `fn` and returns its result with the elapsed seconds. */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - t0) / 1000 };
}

async function runStep(step: string, args: string[]): Promise<Json> {
  switch (step) {
    case 'noop':
      return { seconds: 0 };

    case 'compile': {
      const [model, dir, calibration] = need(args, 3, 'compile <model.onnx> <dir> <calibration.json>');
      const { compileModel } = await import('../circuits/compile.ts');
      const { value, seconds } = await timed(() => compileModel(model!, dir!, { calibration }));
      return { seconds, predictedConstraints: value.manifest.circuit.constraints };
    }

    case 'circom': {
      const [dir] = need(args, 1, 'circom <dir>');
      const { compileCircuit } = await import('../circuits/backends/circom.ts');
      const { value, seconds } = await timed(() => compileCircuit(dir!));
      return {
        seconds,
        constraints: value.constraints,
        wires: value.wires,
        publicInputs: value.publicInputs,
        publicOutputs: value.publicOutputs,
        privateInputs: value.privateInputs,
        ptauPower: value.ptauPower,
      };
    }

    case 'build': {
      const [model, dir, calibration] = need(args, 3, 'build <model.onnx> <dir> <calibration.json>');
      const { build } = await import('../circuits/build.ts');
      const { value, seconds } = await timed(() => build(model!, dir!, { calibration }));
      return { seconds, compileSeconds: value.seconds.compile, circuitSeconds: value.seconds.circuit, constraints: value.manifest.circuit.constraints, wires: value.manifest.circuit.wires ?? 0 };
    }

    case 'circom-phases': {
      const [dir, out, mode] = need(args, 3, 'circom-phases <dir> <out dir> r1cs-O1|r1cs-O0|wasm');
      const flags = CIRCOM_MODES[mode as keyof typeof CIRCOM_MODES];
      if (!flags) throw new Error(`circom-phases: unknown mode ${mode} (${Object.keys(CIRCOM_MODES).join(', ')})`);
      const { runCircom } = await import('../circuits/backends/circom-runner.ts');
      const { gadgetIncludePaths } = await import('../circuits/gadgets/common.ts');
      await mkdir(out!, { recursive: true });
      // circom2 logs "template instances" when it has executed the templates (constraints generated)
      // and "Written successfully: FILE" per output: the moments split the run into its phases.
      const marks: Record<string, number> = {};
      let pending = '';
      const t0 = performance.now();
      await runCircom([path.join(dir!, 'model.circom'), ...flags, ...gadgetIncludePaths().flatMap((d) => ['-l', d]), '-o', out!], (chunk) => {
        const at = (performance.now() - t0) / 1000;
        const lines = (pending + chunk).replace(/\x1b\[[0-9;]*m/g, '').split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (/template instances/.test(line)) marks.executed ??= at;
          const written = /Written successfully: \S*?(\.r1cs|\.sym|\.wasm)/.exec(line)?.[1];
          if (written) marks[written] ??= at;
        }
      });
      const seconds = (performance.now() - t0) / 1000;
      const executed = marks.executed ?? Number.NaN;
      const r1cs = marks['.r1cs'];
      const sym = marks['.sym'];
      const wasm = marks['.wasm'];
      return {
        seconds,
        mode,
        flags: flags.join(' '),
        executeSeconds: executed,
        ...(r1cs !== undefined ? { r1csSeconds: r1cs - executed } : {}),
        ...(sym !== undefined ? { symSeconds: sym - (r1cs ?? executed) } : {}),
        ...(wasm !== undefined ? { wasmSeconds: wasm - executed } : {}),
      };
    }

    case 'evaluate': {
      const [dir, inputFile] = need(args, 2, 'evaluate <dir> <input.json>');
      const { loadCompiled, predictWith } = await import('../circuits/index.ts');
      const input = await readJson(inputFile!);
      const load = await timed(() => loadCompiled(dir!));
      const { value, seconds } = await timed(async () => predictWith(load.value.manifest, load.value.ir, input, inputFile!));
      return { seconds, loadSeconds: load.seconds, argmax: value.outputs[0]!.argmax };
    }

    case 'ptau': {
      const [power] = need(args, 1, 'ptau <power>');
      const { ensureDevPtau } = await import('../prover/ptau.ts');
      const { releaseCurves } = await import('../core/curves.ts');
      try {
        const { value, seconds } = await timed(() => ensureDevPtau(Number(power)));
        return { seconds, created: value.created, power: value.power, path: value.path };
      } finally {
        await releaseCurves();
      }
    }

    case 'setup': {
      const [dir, flag] = need(args, 1, 'setup <dir> [--dev]');
      const { setup } = await import('../prover/setup.ts');
      const { releaseCurves } = await import('../core/curves.ts');
      try {
        const { value, seconds } = await timed(() => setup(dir!, { dev: flag === '--dev' }));
        return { seconds, ptauPower: value.ptauPower, circuitPower: value.circuitPower, ptau: value.ptau, development: value.development };
      } finally {
        await releaseCurves();
      }
    }

    case 'witness': {
      const [dir, inputFile] = need(args, 2, 'witness <dir> <input.json>');
      const { computeWitness } = await import('../prover/witness.ts');
      const input = await readJson(inputFile!);
      const { value, seconds } = await timed(() => computeWitness(dir!, input, inputFile!));
      const out = value.outputs[0]!.integers;
      let best = 0;
      for (let i = 1; i < out.length; i++) if (out[i]! > out[best]!) best = i;
      return { seconds, argmax: best, clamped: value.clamped };
    }

    case 'prove': {
      const [dir, inputFile] = need(args, 2, 'prove <dir> <input.json>');
      const { prove } = await import('../prover/prove.ts');
      const { releaseCurves } = await import('../core/curves.ts');
      const input = await readJson(inputFile!);
      try {
        const cold = await timed(() => prove(dir!, input, { source: inputFile! }));
        const warm = await timed(() => prove(dir!, input, { source: inputFile! }));
        return {
          // groth16 proof alone (the witness is its own step)
          seconds: cold.value.output.timings.proveSeconds,
          callSeconds: cold.seconds,
          witnessSeconds: cold.value.output.timings.witnessSeconds,
          warmSeconds: warm.value.output.timings.proveSeconds,
          warmCallSeconds: warm.seconds,
          argmax: cold.value.output.outputs[0]!.argmax,
        };
      } finally {
        await releaseCurves();
      }
    }

    case 'verify': {
      const [dir] = need(args, 1, 'verify <dir>');
      const { verifyProof } = await import('../verifier/verify.ts');
      const { releaseCurves } = await import('../core/curves.ts');
      try {
        const cold = await timed(() => verifyProof(dir!));
        const warm = await timed(() => verifyProof(dir!));
        if (!cold.value.valid || !warm.value.valid) throw new Error(`the proof did not verify: ${cold.value.reason ?? warm.value.reason}`);
        return { seconds: cold.seconds, warmSeconds: warm.seconds, valid: true, argmax: cold.value.outputs[0]!.argmax };
      } finally {
        await releaseCurves();
      }
    }

    case 'accuracy': {
      const [dir, model] = need(args, 2, 'accuracy <dir> <model.onnx>');
      const { loadCompiled, predictWith } = await import('../circuits/index.ts');
      const { runFloat } = await import('../circuits/calibrate.ts');
      const { normalize } = await import('../circuits/normalize.ts');
      const { loadOnnx } = await import('../circuits/onnx/load.ts');
      const { nestArray, sizeOf } = await import('../core/input.ts');
      const { loadMnist, mnistSizeForFeatures } = await import('../scripts/mnist-data.ts');
      const { manifest, ir } = await loadCompiled(dir!);
      const ng = normalize(loadOnnx(await readFile(model!), model!));
      const input = manifest.inputs[0]!;
      const output = manifest.outputs[0]!;
      const { test } = loadMnist({ size: mnistSizeForFeatures(sizeOf(input.shape)) });
      const { value, seconds } = await timed(async () => {
        let quant = 0;
        let float = 0;
        let agree = 0;
        let clamped = 0;
        const first: number[] = [];
        test.x.forEach((x, i) => {
          const pixels = Array.from(x);
          const q = predictWith(manifest, ir, { [input.name]: nestArray(pixels, input.shape) }, `test digit ${i}`);
          const f = runFloat(ng, new Map([[input.name, pixels]])).get(output.name);
          if (!f) throw new Error(`the float graph computes no value named "${output.name}"`);
          const qa = q.outputs[0]!.argmax;
          const fa = argmax(f.data);
          if (i === 0) first.push(qa, fa);
          if (qa === test.y[i]) quant++;
          if (fa === test.y[i]) float++;
          if (qa === fa) agree++;
          clamped += q.clamped;
        });
        const n = test.x.length;
        return { n, quant: quant / n, float: float / n, agree: agree / n, clampedValues: clamped, firstDigit: { label: test.y[0], quant: first[0], float: first[1] } };
      });
      return { seconds, ...value };
    }

    default:
      throw new Error(`unknown step "${step}"`);
  }
}

const [step, ...args] = process.argv.slice(2);
const children = watchChildren();
try {
  const result = await runStep(step ?? '', args);
  const childKb = children.peakKb();
  children.stop();
  const selfKb = process.resourceUsage().maxRSS;
  process.stdout.write(`${JSON.stringify({ step, ...result, selfRssMB: selfKb / 1024, childRssMB: childKb / 1024 })}\n`);
  process.exitCode = 0;
} catch (err) {
  children.stop();
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
}
