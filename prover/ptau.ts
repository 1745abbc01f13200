/**
 * Development powers of tau: made locally, cached per user, reused by every circuit
 * that fits. A locally made ptau is only as trustworthy as this machine's memory was
 * private while making it: fine for development, worthless as a trust anchor.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import * as snarkjs from 'snarkjs';
import { ToolError } from '../core/errors.ts';
import { cacheDir, tempPathFor } from '../core/files.ts';
import { readPtauHeader } from '../core/formats/ptau.ts';

/** Smaller powers save nothing noticeable, and one cached file then serves many tiny circuits. */
export const MIN_DEV_PTAU_POWER = 8;
/** snarkjs's (and BN254's FFT) limit. */
export const MAX_PTAU_POWER = 28;

export const DEV_PTAU_WARNING =
  'using a locally made powers of tau: for DEVELOPMENT ONLY. Whoever made it (this machine) could forge proofs. ' +
  'For anything that matters run setup with --ptau FILE, a public ceremony file such as the Hermez/Polygon perpetual powers of tau ' +
  '(powersOfTau28_hez_final_<power>.ptau).';

export const DEV_SETUP_WARNING =
  'development setup (--dev): the native engine sampled the toxic waste on this machine and discarded it; nobody else can check that. ' +
  'For DEVELOPMENT ONLY: for anything that matters run setup with --ptau FILE, a public ceremony file.';

const DEV_PTAU_PATTERN = /^dev-bn128-(\d+)\.ptau$/;
const LOCK_POLL_MS = 500;

/** `$ZKINFER_CACHE_DIR/ptau`, else `$XDG_CACHE_HOME/zkinfer/ptau`, else `~/.cache/zkinfer/ptau`. */
export function ptauCacheDir(): string {
  return cacheDir('ptau');
}

export function devPtauFileName(power: number): string {
  return `dev-bn128-${power}.ptau`;
}

/** Whether a ptau path is one of ours (made by `ensureDevPtau`), judged by its name. */
export function isDevPtau(file: string): boolean {
  return DEV_PTAU_PATTERN.test(path.basename(file));
}

export interface DevPtauOptions {
  /** Where cached files live (default: `ptauCacheDir()`). */
  cacheDir?: string;
  /** Smallest power worth making (default MIN_DEV_PTAU_POWER): one file then serves many small circuits. */
  minPower?: number;
  onProgress?: (message: string) => void;
}

export interface DevPtau {
  path: string;
  power: number;
  /** Whether this call made it (false: found in the cache). */
  created: boolean;
  warning: string;
}

/**
 * Makes a prepared development ptau of exactly `power` at `file`: new accumulator, one
 * contribution with random entropy, phase-2 preparation. Written via temp files + rename.
 */
export async function createDevPtau(power: number, file: string, options: Pick<DevPtauOptions, 'onProgress'> = {}): Promise<void> {
  if (!Number.isInteger(power) || power < 1 || power > MAX_PTAU_POWER) {
    throw new ToolError(`cannot make a powers of tau of power ${power}: it must be an integer from 1 to ${MAX_PTAU_POWER}`);
  }
  const fresh = tempPathFor(file, 'new.ptau');
  const contributed = tempPathFor(file, 'contributed.ptau');
  const prepared = tempPathFor(file, 'prepared.ptau');
  const say = (m: string) => options.onProgress?.(m);
  try {
    const curve = await snarkjs.curves.getCurveFromName('bn128');
    say(`development powers of tau 2^${power}: new accumulator`);
    await snarkjs.powersOfTau.newAccumulator(curve, power, fresh);
    say(`development powers of tau 2^${power}: contributing random entropy`);
    await snarkjs.powersOfTau.contribute(fresh, contributed, 'zkinfer development contribution', randomBytes(64).toString('hex'));
    await rm(fresh, { force: true });
    say(`development powers of tau 2^${power}: preparing phase 2 (the slow part)`);
    await snarkjs.powersOfTau.preparePhase2(contributed, prepared);
    await rename(prepared, file);
  } catch (err) {
    throw err instanceof ToolError ? err : new ToolError(`snarkjs failed making a powers of tau of power ${power}`, { cause: err });
  } finally {
    await Promise.all([fresh, contributed, prepared].map((f) => rm(f, { force: true })));
  }
}

/** The smallest usable cached dev ptau with power ≥ `power`, if any. */
async function findCached(cacheDir: string, power: number): Promise<{ path: string; power: number } | undefined> {
  const names = await readdir(cacheDir).catch(() => [] as string[]);
  const candidates = names
    .map((name) => ({ name, power: Number(DEV_PTAU_PATTERN.exec(name)?.[1] ?? NaN) }))
    .filter((c) => Number.isInteger(c.power) && c.power >= power)
    .sort((a, b) => a.power - b.power);
  for (const c of candidates) {
    const file = path.join(cacheDir, c.name);
    const header = await readPtauHeader(file).catch(() => undefined);
    if (header && header.bn128 && header.prepared && header.power === c.power) return { path: file, power: c.power };
  }
  return undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `lock` (a file created exclusively, holding "pid@host"), waiting while a live
 * process holds it. A lock left by a dead process on this host is broken. Resolves with
 * a release function, or with undefined when `ready()` becomes true while waiting.
 */
async function acquireLock(lock: string, ready: () => Promise<boolean>): Promise<(() => Promise<void>) | undefined> {
  const me = `${process.pid}@${hostname()}`;
  for (;;) {
    try {
      const fh = await open(lock, 'wx');
      await fh.writeFile(me);
      await fh.close();
      return () => rm(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = await readFile(lock, 'utf8').catch(() => '');
    const [pid, host] = owner.split('@');
    const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
    // An empty lock older than a few seconds was left by a creator that died mid-write.
    const stale = host === hostname() ? !processAlive(Number(pid)) : owner === '' && age > 5_000;
    if (stale) {
      await rm(lock, { force: true });
      continue;
    }
    if (await ready()) return undefined;
    await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
  }
}

/**
 * A prepared development ptau of at least `power` (and at least `minPower`): a cached
 * file of that power or larger, else a new one made and cached. Concurrent callers wait
 * for one creator through a lock file instead of doing the work twice.
 *
 * @example
 * const { path: ptau, warning } = await ensureDevPtau(12, { onProgress: console.error });
 * console.error(warning);
 */
export async function ensureDevPtau(power: number, options: DevPtauOptions = {}): Promise<DevPtau> {
  const cacheDir = options.cacheDir ?? ptauCacheDir();
  const wanted = Math.max(power, options.minPower ?? MIN_DEV_PTAU_POWER);
  const cached = await findCached(cacheDir, wanted);
  if (cached) return { ...cached, created: false, warning: DEV_PTAU_WARNING };

  await mkdir(cacheDir, { recursive: true });
  const file = path.join(cacheDir, devPtauFileName(wanted));
  let found: { path: string; power: number } | undefined;
  const release = await acquireLock(`${file}.lock`, async () => (found = await findCached(cacheDir, wanted)) !== undefined);
  if (!release) return { ...found!, created: false, warning: DEV_PTAU_WARNING };
  try {
    // Another process may have finished between our first look and taking the lock.
    const again = await findCached(cacheDir, wanted);
    if (again) return { ...again, created: false, warning: DEV_PTAU_WARNING };
    await createDevPtau(wanted, file, options);
    return { path: file, power: wanted, created: true, warning: DEV_PTAU_WARNING };
  } finally {
    await release();
  }
}
