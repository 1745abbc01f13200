/**
 * The header of a snarkjs powers-of-tau file (iden3 container, magic "ptau", version 1).
 *
 * Sections we name (snarkjs's powersoftau_utils numbering):
 *
 * | type  | holds                                                   |
 * |-------|---------------------------------------------------------|
 * | 1     | header: n8 (u32), q (n8 bytes LE), power (u32), ceremony power (u32) |
 * | 2–6   | τ^i·G1, τ^i·G2, α·τ^i·G1, β·τ^i·G1, β·G2                |
 * | 7     | contributions                                           |
 * | 12–15 | Lagrange-basis points, present only after `prepare phase2` |
 *
 * A prepared file of power p serves every circuit with up to 2^p constraints + public signals.
 */
import { ArtifactError } from '../errors.ts';
import { BN254_BASE_MODULUS } from '../field.ts';
import { openBinFile, readBigUIntLE, uniqueSection } from './binfile.ts';

const PTAU_MAGIC = 'ptau';
const SECTION_HEADER = 1;
const SECTION_CONTRIBUTIONS = 7;
const SECTION_LAGRANGE_TAU_G1 = 12;

export interface PtauHeader {
  /** The largest power it holds: 2^power points. */
  power: number;
  ceremonyPower: number;
  /** Whether the base field is BN254's (snarkjs "bn128"). */
  bn128: boolean;
  /** Whether `preparePhase2` has added the Lagrange sections Groth16 setup needs. */
  prepared: boolean;
  /** Whether the file records its contributions (section 7). */
  hasContributions: boolean;
}

export async function readPtauHeader(path: string): Promise<PtauHeader> {
  const file = await openBinFile(path, PTAU_MAGIC);
  try {
    const section = uniqueSection(file, SECTION_HEADER, 'header');
    const n8 = (await file.read(section, 0, 4)).readUInt32LE(0);
    if (section.size !== 4 + n8 + 8) {
      throw new ArtifactError(`${path}: ptau header is ${section.size} bytes, expected ${4 + n8 + 8}`);
    }
    const b = await file.read(section, 0, section.size);
    const q = readBigUIntLE(b, 4, n8);
    return {
      power: b.readUInt32LE(4 + n8),
      ceremonyPower: b.readUInt32LE(8 + n8),
      bn128: q === BN254_BASE_MODULUS,
      prepared: file.sections.some((s) => s.type === SECTION_LAGRANGE_TAU_G1),
      hasContributions: file.sections.some((s) => s.type === SECTION_CONTRIBUTIONS),
    };
  } finally {
    await file.close();
  }
}
