/** The CLI's text renderings of a manifest. */
import { describe, expect, it } from 'vitest';
import { formatInspect } from '../../cli/format.ts';
import { fixtureManifest } from '../prover/fixture.ts';

describe('formatInspect', () => {
  it('lists every public signal run, the content hash included', () => {
    const lines = formatInspect(fixtureManifest()).split('\n');
    const row = (kind: string) => lines.find((l) => new RegExp(`^\\S+\\s+${kind}\\s`).test(l));
    expect(row('output')).toMatch(/^0\.\.1\s+output\s+y\s+0\.250000\s+0\s+\[-100000, 100000\]$/);
    expect(row('content')).toMatch(/^2\.\.2\s+content\s+content_hash\s+keccak256\(content\) >> 8$/);
    expect(row('input')).toMatch(/^3\.\.5\s+input\s+x\s+0\.500000\s+0\s+\[-100, 100\]$/);
  });

  it('names the calibration, or says the model quantized itself', () => {
    const m = fixtureManifest();
    expect(formatInspect(m)).toContain(`calibration: ${m.quantization.calibration.source}`);
    m.quantization.calibration.used = false;
    const text = formatInspect(m);
    expect(text).toContain("quantized  by the model itself (QDQ/QOperator): every scale and zero point is the model's own; calibration not used");
    expect(text).not.toContain('calibration: ');
  });
});
