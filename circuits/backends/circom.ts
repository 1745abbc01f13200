/**
 * model.circom → model.r1cs, model.sym, model_js/model.wasm, with circom's real
 * constraint count and the powers-of-tau size recorded in manifest.json.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { ToolError } from '../../core/errors.ts';
import { ARTIFACT_FILES, missingArtifact, readManifest } from '../../core/artifacts.ts';
import { replacePath } from '../../core/files.ts';
import { readR1csHeader } from '../../core/formats/r1cs.ts';
import { gadgetIncludePaths } from '../gadgets/common.ts';
import { runCircom } from './circom-runner.ts';
import { exists, recordCircuit, type CompileCircuitResult } from './record.ts';

export type { CompileCircuitResult };

export interface CompileCircuitOptions {
  /** Extra include folders, searched after the templates and node_modules. */
  includeDirs?: string[];
  /** circom's own output, line by line. */
  onProgress?: (message: string) => void;
}

/**
 * Compiles `<dir>/model.circom` with circom (`--r1cs --wasm --sym --O1`) and records the
 * result in manifest.json. Outputs land in a temp folder inside `dir` and are renamed into
 * place only when circom succeeds. A changed circuit drops an earlier setup (zkey, key).
 *
 * @example
 * const { constraints, ptauPower } = await compileCircuit('build/mnist', { onProgress: console.error });
 */
export async function compileCircuit(dir: string, options: CompileCircuitOptions = {}): Promise<CompileCircuitResult> {
  const started = performance.now();
  const manifest = await readManifest(dir);
  const circuitFile = path.join(dir, ARTIFACT_FILES.circuit);
  if (!(await exists(circuitFile))) throw missingArtifact(circuitFile, 'compile');

  const tmp = await mkdtemp(path.join(dir, '.circom-'));
  try {
    const includes = [...gadgetIncludePaths(), ...(options.includeDirs ?? [])];
    options.onProgress?.(`circom ${ARTIFACT_FILES.circuit} --r1cs --wasm --sym --O1`);
    let pending = '';
    await runCircom(
      [circuitFile, '--r1cs', '--wasm', '--sym', '--O1', ...includes.flatMap((d) => ['-l', d]), '-o', tmp],
      options.onProgress &&
        ((chunk) => {
          const lines = (pending + chunk).replace(/\x1b\[[0-9;]*m/g, '').split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) if (line.trim() !== '') options.onProgress!(line.trim());
        }),
    );
    const built = {
      r1cs: path.join(tmp, ARTIFACT_FILES.r1cs),
      sym: path.join(tmp, ARTIFACT_FILES.sym),
      wasmDir: path.join(tmp, ARTIFACT_FILES.wasmDir),
      wasm: path.join(tmp, ARTIFACT_FILES.wasm),
    };
    for (const file of [built.r1cs, built.sym, built.wasm]) {
      if (!(await exists(file))) throw new ToolError(`circom reported success but did not write ${path.relative(tmp, file)}`);
    }
    const header = await readR1csHeader(built.r1cs);
    return await recordCircuit(dir, manifest, header, await readFile(built.r1cs), 'circom', started, async () => {
      await replacePath(built.r1cs, path.join(dir, ARTIFACT_FILES.r1cs));
      await replacePath(built.sym, path.join(dir, ARTIFACT_FILES.sym));
      await replacePath(built.wasmDir, path.join(dir, ARTIFACT_FILES.wasmDir));
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
