/**
 * The GPU engine's MSM and NTT (prover/native/cuda) against the CPU engine's, through
 * `gpu-check` in the host emulation: the kernels a GPU runs, executed on the CPU's threads.
 * Sizes cross the window-width changes and the multi-level bucket reductions; the inputs mix
 * zero, one and r − 1 scalars, points at infinity, repeated and opposite points, and a set
 * whose every scalar is 1 (one bucket holds everything). On a GPU machine scripts/gpu-bench.sh
 * runs the same command on the device.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGpuEmulation, GPU_EMU_BINARY, runNative } from '../support/native.ts';

interface Check {
  check: string;
  inputs: string;
  n: number;
  equal: boolean;
}

function gpuCheck(args: string[]): { code: number; checks: Check[]; stderr: string } {
  const run = runNative(['gpu-check', ...args], undefined, GPU_EMU_BINARY);
  const checks = run.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Check);
  return { code: run.code, checks, stderr: run.stderr };
}

beforeAll(async () => {
  await buildGpuEmulation();
});

describe('gpu-check (host emulation)', () => {
  it('every MSM (G1, G2) and NTT (forward, inverse) equals the CPU engine’s, up to 2^12 points', () => {
    const { code, checks, stderr } = gpuCheck(['all', '12']);
    expect(stderr).toBe('');
    expect(checks.filter((c) => !c.equal)).toEqual([]);
    expect(code).toBe(0);
    const sizes = (name: string) => checks.filter((c) => c.check === name && c.inputs === 'mixed').map((c) => c.n);
    expect(sizes('msm-g1')).toEqual([0, 1, 2, 3, 17, 100, 1000, 4099]);
    expect(sizes('msm-g2')).toEqual(sizes('msm-g1'));
    expect(checks.filter((c) => c.inputs === 'all scalars 1').map((c) => c.check)).toEqual(['msm-g1', 'msm-g2']);
    const ntt = checks.filter((c) => c.check === 'ntt').map((c) => c.n);
    expect(ntt).toContain(1);
    expect(ntt).toContain(2 ** 13);
    expect(checks.filter((c) => c.check === 'intt').map((c) => c.n)).toEqual(ntt);
  });

  it('other seeds and single checks', () => {
    for (const args of [['msm-g1', '40000', '5'], ['msm-g1', '777', '5'], ['msm-g2', '300', '9'], ['ntt', '9', '3']]) {
      const { code, checks } = gpuCheck(args);
      expect(checks.length).toBeGreaterThan(0);
      expect(checks.every((c) => c.equal)).toBe(true);
      expect(code).toBe(0);
    }
  });

  it('bad arguments get a usage line', () => {
    for (const args of [[], ['msm-g3', '5'], ['msm-g1', 'ten'], ['ntt', '29']]) {
      const { code, checks, stderr } = gpuCheck(args);
      expect(code).toBe(1);
      expect(checks).toEqual([]);
      expect(stderr).toMatch(/^error: (usage: gpu-check|gpu-check: )/);
    }
  });
});
