/**
 * Writing artifacts so that a reader never sees half of one: write a temp file in the
 * same directory, then rename it over the target (rename is atomic on one filesystem).
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Manifest } from '../circuits/manifest.ts';
import { ARTIFACT_FILES } from '../verifier/artifacts.ts';

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

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, toJson(value));
}

export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await writeJsonAtomic(path.join(dir, ARTIFACT_FILES.manifest), manifest);
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

/** Smallest p with 2^p ≥ n. */
export function ceilLog2(n: number): number {
  let p = 0;
  while (2 ** p < n) p++;
  return p;
}
