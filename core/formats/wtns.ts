/**
 * A witness file as circom's witness calculator writes it (iden3 container, magic "wtns", version 2).
 *
 * | type | holds                                                        |
 * |------|--------------------------------------------------------------|
 * | 1    | header: n8 (u32), prime (n8 bytes LE), witness count (u32)   |
 * | 2    | the witness: `count` field elements, n8 bytes LE each, in r1cs wire order |
 *
 * Wire 0 is the constant 1; wires 1… are the public signals (outputs, then public inputs).
 */
import { ArtifactError } from '../errors.ts';
import { binFileBytes, openBinFile, readBigUIntLE, uniqueSection, writeBigUIntLE } from './binfile.ts';

const WTNS_MAGIC = 'wtns';
const SECTION_HEADER = 1;
const SECTION_WITNESS = 2;

export interface WitnessSlice {
  prime: bigint;
  /** Total wires in the witness. */
  count: number;
  /** Wires [0, n) as field elements. */
  values: bigint[];
}

/** Reads the first `n` wires of a witness file (all of them when `n` is omitted). */
export async function readWitness(path: string, n?: number): Promise<WitnessSlice> {
  const file = await openBinFile(path, WTNS_MAGIC);
  try {
    const header = uniqueSection(file, SECTION_HEADER, 'header');
    const n8 = (await file.read(header, 0, 4)).readUInt32LE(0);
    const h = await file.read(header, 0, 4 + n8 + 4);
    const prime = readBigUIntLE(h, 4, n8);
    const count = h.readUInt32LE(4 + n8);
    const want = n ?? count;
    if (want > count) throw new ArtifactError(`${path}: asked for ${want} wires, the witness has ${count}`);
    const data = uniqueSection(file, SECTION_WITNESS, 'witness');
    const b = await file.read(data, 0, want * n8);
    const values: bigint[] = [];
    for (let i = 0; i < want; i++) values.push(readBigUIntLE(b, i * n8, n8));
    return { prime, count, values };
  } finally {
    await file.close();
  }
}

/** The .wtns bytes (version 2) of a witness: field elements in [0, prime), in wire order. */
export function wtnsBytes(prime: bigint, values: ArrayLike<bigint>): Buffer {
  const n8 = 32;
  const header = Buffer.alloc(4 + n8 + 4);
  header.writeUInt32LE(n8, 0);
  writeBigUIntLE(header, 4, n8, prime);
  header.writeUInt32LE(values.length, 4 + n8);
  const data = Buffer.alloc(n8 * values.length);
  for (let i = 0; i < values.length; i++) writeBigUIntLE(data, i * n8, n8, values[i]!);
  return binFileBytes(WTNS_MAGIC, 2, [
    [SECTION_HEADER, header],
    [SECTION_WITNESS, data],
  ]);
}
