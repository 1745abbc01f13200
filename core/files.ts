/**
 * Writing artifacts so that a reader never sees half of one: write a temp file in the
 * same directory, then rename it over the target (rename is atomic on one filesystem).
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { InputError } from './errors.ts';

/** zkinfer's per-user cache folder `sub`: under $ZKINFER_CACHE_DIR, else $XDG_CACHE_HOME/zkinfer, else ~/.cache/zkinfer. */
export function cacheDir(sub: string): string {
  const root = process.env.ZKINFER_CACHE_DIR || path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'zkinfer');
  return path.join(root, sub);
}

/** A fresh temp path beside `file`: `.<name>.<pid>-<random>.tmp`. */
export function tempPathFor(file: string, tag = 'tmp'): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.${tag}`);
}

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempPathFor(file);
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** JSON as the artifacts store it: two-space indent, bigints as decimal strings, trailing newline. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;
}

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, toJson(value));
}

/** Smallest p with 2^p ≥ n. */
export function ceilLog2(n: number): number {
  let p = 0;
  while (2 ** p < n) p++;
  return p;
}

/** Reads a JSON file the user gave (input, calibration): a missing file or bad JSON is an InputError naming `what`. */
export async function readUserJsonFile(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read the ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`the ${what} ${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** Moves `from` onto `to`, replacing a file or a whole directory already there. */
export async function replacePath(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EISDIR' && code !== 'ENOTDIR') throw err;
    // A directory is in the way: move it aside first, then drop it.
    const aside = tempPathFor(to, 'old');
    await rename(to, aside);
    await rename(from, to);
    await rm(aside, { recursive: true, force: true });
  }
}
