/**
 * Real models written by others live in ../shared/models (overridable with
 * ZKINFER_SHARED_DIR); suites that need them skip with a message when absent.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED_DIR = process.env['ZKINFER_SHARED_DIR'] ?? path.resolve(REPO_ROOT, '../shared');
export const SHARED_MODELS = path.join(SHARED_DIR, 'models');

export function sharedModel(file: string): string | undefined {
  const p = path.join(SHARED_MODELS, file);
  if (existsSync(p)) return p;
  console.warn(`skipping: ${p} is absent (set ZKINFER_SHARED_DIR to the shared data folder)`);
  return undefined;
}
