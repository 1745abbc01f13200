/**
 * Runs the Circom 2 compiler shipped as WebAssembly in the npm package `circom2`.
 *
 * Its WASI sandbox only sees the working directory and its ancestors through
 * relative paths, so absolute paths given to it fail. We run it from `/` and
 * turn every absolute path argument into a root-relative one.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ToolError } from '../../core/errors.ts';

const require = createRequire(import.meta.url);
export const CIRCOM_CLI = require.resolve('circom2/cli.js');

/** Rewrites an argument for a compiler running in `/`: absolute paths become root-relative. */
export function toRootRelative(arg: string): string {
  if (!path.isAbsolute(arg)) return arg;
  const rel = path.relative('/', arg);
  return rel === '' ? '.' : rel;
}

export interface CircomRunResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs circom with the given arguments (paths may be absolute or relative to the
 * current directory); resolves with its output, rejects with a ToolError carrying it.
 */
export function runCircom(args: string[], onOutput?: (chunk: string) => void): Promise<CircomRunResult> {
  const rooted = args.map((a) => (a.startsWith('-') ? a : toRootRelative(path.resolve(a))));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=8192', CIRCOM_CLI, ...rooted], {
      cwd: '/',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onOutput?.(d.toString());
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onOutput?.(d.toString());
    });
    child.on('error', (err) => reject(new ToolError('could not start the circom compiler', { cause: err })));
    child.on('close', (code) => {
      // circom2 reports compile errors on stdout with exit code 0 in some versions: look for them too.
      const failed = code !== 0 || /error\[/i.test(stdout) || /error\[/i.test(stderr);
      if (failed) {
        const output = (stderr + stdout).replace(/\x1b\[[0-9;]*m/g, '').trim();
        reject(
          new ToolError(`circom failed (exit code ${code ?? 'none'})`, {
            context: [`circom ${rooted.join(' ')}`, ...output.split('\n').slice(-30)],
          }),
        );
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}
