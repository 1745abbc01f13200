/** Runs the real `zkinfer` CLI (bin/zkinfer.js) in a child process. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './shared.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `env` adds to (or, with undefined values, removes from) this process's environment. */
export function zkinfer(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const options = { cwd: REPO_ROOT, maxBuffer: 64 << 20, env: { ...process.env, ...env } };
    execFile(process.execPath, [path.join(REPO_ROOT, 'bin/zkinfer.js'), ...args], options, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs a command with --json and parses its output; fails loudly with stderr when it did not succeed. */
export async function zkinferJson<T>(args: string[]): Promise<T> {
  const r = await zkinfer([...args, '--json']);
  if (r.code !== 0) throw new Error(`zkinfer ${args.join(' ')} exited ${r.code}\n${r.stderr}\n${r.stdout}`);
  return JSON.parse(r.stdout) as T;
}
