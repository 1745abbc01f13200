import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEMPLATE_FILES, TEMPLATES_DIR } from '../../circuits/gadgets/common.ts';

describe.each(TEMPLATE_FILES)('%s', (file) => {
  const source = fs.readFileSync(path.join(TEMPLATES_DIR, file), 'utf8');
  const lines = source.split('\n');

  it('declares pragma circom 2.1.0 and includes circomlib by package path', () => {
    expect(lines[0]).toBe('pragma circom 2.1.0;');
    for (const include of source.matchAll(/^include "([^"]+)";/gm)) {
      expect(include[1]).toMatch(/^circomlib\/circuits\/\w+\.circom$/);
    }
  });

  it('heads every template with a comment stating its constraint count', () => {
    for (const match of source.matchAll(/^template (\w+)\(/gm)) {
      const before = source.slice(0, match.index);
      const header = before.slice(before.lastIndexOf('\n\n') + 2);
      expect(header, match[1]).toMatch(new RegExp(`^// ${match[1]}\\(`));
      expect(header, match[1]).toMatch(/Constraints/);
    }
  });

  it('follows every <-- at once by a constraint on the hinted signal', () => {
    lines.forEach((line, i) => {
      const hint = /^\s*([\w[\].]+)\s*<--/.exec(line);
      if (!hint) return;
      const next = lines[i + 1] ?? '';
      expect(next, `line ${i + 1}: ${line.trim()}`).toContain(hint[1]);
      expect(next, `line ${i + 1}: ${line.trim()}`).toMatch(/===|<==/);
    });
  });
});
