/** Types for the part of circomlibjs 0.1 that zkinfer calls (the package ships none). */
declare module 'circomlibjs' {
  /** A field element as circomlibjs's field (ffjavascript F1Field) holds it. */
  export type FieldElement = Uint8Array;

  /** circomlib's Poseidon: up to 16 inputs → one field element; `F` converts its results. */
  export interface Poseidon {
    (inputs: readonly bigint[]): FieldElement;
    F: { toObject(e: FieldElement): bigint };
  }

  export function buildPoseidon(): Promise<Poseidon>;
}
