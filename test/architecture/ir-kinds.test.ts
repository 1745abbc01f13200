/**
 * IR kinds are one table: a kind that lacks an entry, a kind missing from the table, or a
 * bigint field without a JSON codec fails `tsc` (the @ts-expect-error lines below fail the
 * type check if they ever compile cleanly), and every entry is there at run time.
 */
import { describe, expect, it } from 'vitest';
import type { IrKind, IrKinds, JsonCodecs } from '../../circuits/ir/kind.ts';
import { IR_KINDS } from '../../circuits/ir/kinds.ts';
import type { LeakyReluNode, ViewNode } from '../../circuits/ir/types.ts';
import { view } from '../../circuits/ir/view.ts';

// @ts-expect-error a kind without its lowering does not type-check
export const withoutLower: IrKind<ViewNode> = { ...view, lower: undefined };

// @ts-expect-error the table needs every member of the IrNode union
export const withoutSoftmax: IrKinds = { ...IR_KINDS, softmax: undefined };

// @ts-expect-error a bigint field (zeroIn) without a codec does not type-check
export const withoutZeroIn: JsonCodecs<LeakyReluNode> = { multiplierPos: IR_KINDS.leakyrelu.json.multiplierPos, multiplierNeg: IR_KINDS.leakyrelu.json.multiplierNeg, zeroOut: IR_KINDS.leakyrelu.json.zeroOut, lo: IR_KINDS.leakyrelu.json.lo, hi: IR_KINDS.leakyrelu.json.hi };

describe('the IR kind table', () => {
  it.each(Object.entries(IR_KINDS))('%s has every entry', (_name, kind) => {
    for (const entry of ['interval', 'evaluate', 'emit', 'lower'] as const) expect(typeof kind[entry]).toBe('function');
    expect(typeof kind.named).toBe('boolean');
    expect(Array.isArray(kind.includes)).toBe(true);
    expect(typeof kind.json).toBe('object');
  });
});
