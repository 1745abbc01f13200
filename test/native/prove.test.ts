/**
 * `zkinfer-native prove` (prover/native/src/prove.cpp) and `gpu-prove` (the GPU engine,
 * prover/native/cuda, here in its host emulation: the same kernels on the CPU's threads),
 * each through the same tests: Groth16 proofs snarkjs verifies,
 * on keys and witnesses made by the ordinary pipeline (circom, snarkjs setup from the cached
 * dev ptau, snarkjs witness). The fixture circuit, and a 4000-multiplication loop whose A
 * and B matrices both touch every signal (full-size MSMs in G1 and G2, an FFT domain of
 * 2^12 split over the threads). Proofs are fresh each run; public.json and the JSON layout
 * are snarkjs's; bad arguments fail with one-line errors. `gpu-serve` keeps one key for
 * many proofs and reports a bad request on its line without stopping.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../core/manifest.ts';
import { computeWitness, releaseCurves, setup } from '../../prover/index.ts';
import { compileCircuit } from '../../circuits/index.ts';
import { fixtureManifest, makeFixtureDir, TEST_CACHE_DIR } from '../prover/fixture.ts';
import { buildGpuEmulation, buildNative, GPU_EMU_BINARY, NATIVE_BINARY, runNative } from '../support/native.ts';

process.env.ZKINFER_CACHE_DIR = TEST_CACHE_DIR;

const LOOP_STEPS = 4000;

/** t0 = x², t1 = t0·x, t_i = t_{i−1}·t_{i−2} + i: both factors are signals, so B is full. */
const LOOP_CIRCUIT = `pragma circom 2.1.0;

template Model() {
    signal output y[1];
    signal input content_hash;
    signal input x[1];
    signal t[${LOOP_STEPS}];
    t[0] <== x[0] * x[0];
    t[1] <== t[0] * x[0];
    for (var i = 2; i < ${LOOP_STEPS}; i++) {
        t[i] <== t[i - 1] * t[i - 2] + i;
    }
    y[0] <== t[${LOOP_STEPS - 1}] * x[0];
}

component main {public [content_hash, x]} = Model();
`;

function loopManifest(): Manifest {
  const m = fixtureManifest();
  return {
    ...m,
    circuit: { ...m.circuit, constraints: LOOP_STEPS + 1, ptauPower: 12 },
    inputs: [{ name: 'x', signal: 'x', shape: [1, 1], scale: 1, zeroPoint: 0, min: '-100', max: '100', rangeCheckedInCircuit: false }],
    outputs: [{ name: 'y', signal: 'y', shape: [1, 1], scale: 1, zeroPoint: 0, min: '-1', max: '1' }],
    publicSignals: [
      { kind: 'output', tensor: 'y', offset: 0, length: 1 },
      { kind: 'content', tensor: 'content_hash', offset: 1, length: 1 },
      { kind: 'input', tensor: 'x', offset: 2, length: 1 },
    ],
  };
}

interface Circuit {
  dir: string;
  zkey: string;
  wtns: string;
  vk: snarkjs.Groth16VerificationKey;
}

async function prepare(dir: string, input: unknown): Promise<Circuit> {
  await compileCircuit(dir);
  await setup(dir);
  const wtns = path.join(dir, 'witness.wtns');
  await computeWitness(dir, input, 'native prove test', { witnessFile: wtns });
  const vk = JSON.parse(await readFile(path.join(dir, 'verification_key.json'), 'utf8')) as snarkjs.Groth16VerificationKey;
  return { dir, zkey: path.join(dir, 'model.zkey'), wtns, vk };
}

interface NativeProof {
  proof: snarkjs.Groth16Proof;
  publicSignals: string[];
  proofText: string;
  publicText: string;
}

let scratch: string;
let runs = 0;

interface Engine {
  name: string;
  command: string;
  binary: string;
  build: () => Promise<string>;
}

const ENGINES: Engine[] = [
  { name: 'the native engine (prove)', command: 'prove', binary: NATIVE_BINARY, build: buildNative },
  { name: 'the GPU engine in host emulation (gpu-prove)', command: 'gpu-prove', binary: GPU_EMU_BINARY, build: buildGpuEmulation },
];

/** Proves into fresh files; expects success and silence. */
function engineProve(engine: Engine, c: Circuit): NativeProof {
  const base = path.join(scratch, `run${runs++}`);
  const run = runNative([engine.command, c.zkey, c.wtns, `${base}-proof.json`, `${base}-public.json`], undefined, engine.binary);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return readProof(`${base}-proof.json`, `${base}-public.json`);
}

function readProof(proofFile: string, publicFile: string): NativeProof {
  const proofText = readFileSync(proofFile, 'utf8');
  const publicText = readFileSync(publicFile, 'utf8');
  return { proof: JSON.parse(proofText), publicSignals: JSON.parse(publicText), proofText, publicText };
}

/** The one-line error of a failing prove, without its "error: " prefix. */
function proveError(engine: Engine, args: string[]): string {
  const run = runNative([engine.command, ...args], undefined, engine.binary);
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^error: [^\n]*\n$/);
  return run.stderr.slice('error: '.length, -1);
}

let fixture: Circuit;
let loop: Circuit;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'zkinfer-native-prove-'));
  for (const engine of ENGINES) await engine.build();
  fixture = await prepare(await makeFixtureDir(), [1, 2, 3]);
  const loopDir = await makeFixtureDir(loopManifest());
  await writeFile(path.join(loopDir, 'model.circom'), LOOP_CIRCUIT);
  loop = await prepare(loopDir, [3]);
});

afterAll(async () => {
  await releaseCurves();
  await Promise.all([scratch, fixture?.dir, loop?.dir].filter(Boolean).map((d) => rm(d!, { recursive: true, force: true })));
});

describe.each(ENGINES)('$name', (engine) => {
  describe.each([
    ['the fixture circuit', () => fixture],
    [`a ${LOOP_STEPS}-multiplication loop`, () => loop],
  ])('%s', (_name, circuit) => {
    it('proves what snarkjs verifies, with snarkjs’s public signals', async () => {
      const c = circuit();
      const native = engineProve(engine, c);
      expect(await snarkjs.groth16.verify(c.vk, native.publicSignals, native.proof)).toBe(true);
      const reference = await snarkjs.groth16.prove(c.zkey, c.wtns);
      expect(native.publicSignals).toEqual(reference.publicSignals);
      expect(await snarkjs.groth16.verify(c.vk, reference.publicSignals, reference.proof)).toBe(true);
    });

    it('draws fresh randomness: two proofs differ and both verify; a changed signal does not', async () => {
      const c = circuit();
      const [first, second] = [engineProve(engine, c), engineProve(engine, c)];
      expect(first.proof.pi_a).not.toEqual(second.proof.pi_a);
      expect(first.proof.pi_b).not.toEqual(second.proof.pi_b);
      expect(first.proof.pi_c).not.toEqual(second.proof.pi_c);
      for (const p of [first, second]) expect(await snarkjs.groth16.verify(c.vk, p.publicSignals, p.proof)).toBe(true);
      const altered = [...first.publicSignals];
      altered[0] = String(BigInt(altered[0]!) + 1n);
      expect(await snarkjs.groth16.verify(c.vk, altered, first.proof)).toBe(false);
    });
  });

  describe('output files', () => {
    it('have snarkjs’s shapes and its CLI’s layout (JSON.stringify, one-space indent)', () => {
      const { proof, publicSignals, proofText, publicText } = engineProve(engine, fixture);
      expect(Object.keys(proof)).toEqual(['pi_a', 'pi_b', 'pi_c', 'protocol', 'curve']);
      expect(proof).toMatchObject({ protocol: 'groth16', curve: 'bn128' });
      const decimal = expect.stringMatching(/^(0|[1-9][0-9]*)$/);
      expect(proof.pi_a).toEqual([decimal, decimal, '1']);
      expect(proof.pi_c).toEqual([decimal, decimal, '1']);
      expect(proof.pi_b).toEqual([
        [decimal, decimal],
        [decimal, decimal],
        ['1', '0'],
      ]);
      expect(proofText).toBe(JSON.stringify(proof, null, 1));
      expect(publicSignals).toHaveLength(fixture.vk.nPublic);
      expect(publicText).toBe(JSON.stringify(publicSignals, null, 1));
    });

    it('replace existing files and leave no temporary files behind', async () => {
      const out = await mkdtemp(path.join(scratch, 'out-'));
      const files = [path.join(out, 'proof.json'), path.join(out, 'public.json')];
      await Promise.all(files.map((f) => writeFile(f, 'stale')));
      const run = runNative([engine.command, fixture.zkey, fixture.wtns, ...files], undefined, engine.binary);
      expect(run.code).toBe(0);
      expect((await readdir(out)).sort()).toEqual(['proof.json', 'public.json']);
      for (const f of files) expect(() => JSON.parse(readFileSync(f, 'utf8'))).not.toThrow();
    });
  });

  describe('errors', () => {
    it('a witness of another circuit, naming both files and both sizes', () => {
      const message = proveError(engine, [fixture.zkey, loop.wtns, path.join(scratch, 'p.json'), path.join(scratch, 'q.json')]);
      const header = JSON.parse(runNative(['info', fixture.zkey]).stdout) as { nVars: number };
      const witness = JSON.parse(runNative(['info', loop.wtns]).stdout) as { nWitness: number };
      expect(message).toBe(
        `${loop.wtns} has ${witness.nWitness} values but ${fixture.zkey} has nVars = ${header.nVars}: the witness is for another circuit`,
      );
      expect(existsSync(path.join(scratch, 'p.json'))).toBe(false);
    });

    it('a missing file, a file of the wrong kind, a wrong argument count', () => {
      expect(proveError(engine, [path.join(scratch, 'nope.zkey'), fixture.wtns, 'p.json', 'q.json'])).toContain(path.join(scratch, 'nope.zkey'));
      expect(proveError(engine, [fixture.wtns, fixture.wtns, 'p.json', 'q.json'])).toContain(fixture.wtns);
      expect(proveError(engine, [fixture.zkey, fixture.wtns])).toBe(`usage: ${engine.command} <circuit.zkey> <witness.wtns> <proof.json> <public.json>`);
    });

    it('an output directory that does not exist', () => {
      const target = path.join(scratch, 'no-such-dir', 'proof.json');
      expect(proveError(engine, [fixture.zkey, fixture.wtns, target, path.join(scratch, 'q.json')])).toMatch(new RegExp(`^cannot write ${target}: `));
    });
  });
});

describe('gpu-serve (host emulation)', () => {
  it('uploads the key once and answers one line per request, a bad request without stopping', async () => {
    const out = (name: string) => path.join(scratch, `serve-${name}`);
    const requests = [
      [fixture.wtns, out('a-proof.json'), out('a-public.json')].join('\t'),
      [path.join(scratch, 'missing.wtns'), out('b-proof.json'), out('b-public.json')].join('\t'),
      [loop.wtns, out('c-proof.json'), out('c-public.json')].join('\t'),
      'not a request',
      [fixture.wtns, out('d-proof.json'), out('d-public.json')].join('\t'),
    ];
    const run = runNative(['gpu-serve', fixture.zkey], requests.join('\n') + '\n', GPU_EMU_BINARY);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(requests.length + 1);
    expect(lines[0]).toMatchObject({ ready: true, uploadSeconds: expect.any(Number) });
    expect(lines[1]).toMatchObject({ ok: true, seconds: expect.any(Number) });
    expect(lines[2]).toEqual({ ok: false, error: `cannot open ${path.join(scratch, 'missing.wtns')}: No such file or directory` });
    expect(lines[3]).toMatchObject({ ok: false, error: expect.stringContaining('the witness is for another circuit') });
    expect(lines[4]).toEqual({ ok: false, error: 'expected "<wtns>\\t<proof.json>\\t<public.json>", got: not a request' });
    expect(lines[5]).toMatchObject({ ok: true });
    for (const name of ['a', 'd']) {
      const p = readProof(out(`${name}-proof.json`), out(`${name}-public.json`));
      expect(await snarkjs.groth16.verify(fixture.vk, p.publicSignals, p.proof)).toBe(true);
    }
    expect(existsSync(out('c-proof.json'))).toBe(false);
  });

  it('fails before "ready" on a key it cannot read', () => {
    const run = runNative(['gpu-serve', path.join(scratch, 'nope.zkey')], '', GPU_EMU_BINARY);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(path.join(scratch, 'nope.zkey'));
  });
});

describe('gpu-check prove (host emulation)', () => {
  it('the five MSM sums of a proof equal the CPU engine’s, for both circuits', () => {
    for (const c of [fixture, loop]) {
      const run = runNative(['gpu-check', 'prove', c.zkey, c.wtns], undefined, GPU_EMU_BINARY);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ check: 'prove', zkey: c.zkey, equal: true, gpuSeconds: expect.any(Number) });
    }
  });
});
