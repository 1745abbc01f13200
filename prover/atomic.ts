/**
 * Artifact writes beyond single files (circuits/files.ts): the manifest, and whole
 * directories moved into place.
 */
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { tempPathFor, writeJsonAtomic } from '../circuits/files.ts';
import type { Manifest } from '../circuits/manifest.ts';
import { ARTIFACT_FILES } from '../circuits/artifacts.ts';

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
