/** The parts of circom_tester (untyped JavaScript) the gadget tests use. */
declare module 'circom_tester' {
  export interface SymbolInfo {
    labelIdx: number;
    /** Index in the witness; -1 for a signal that --O1 eliminated. */
    varIdx: number;
    componentIdx: number;
  }

  /** A linear combination: witness index → coefficient. */
  export type LinearCombination = Record<string, bigint>;

  export interface WasmTester {
    calculateWitness(input: Record<string, unknown>, sanityCheck?: boolean): Promise<bigint[]>;
    /** Throws "Constraint doesn't match" on the first unsatisfied constraint A·B = C. */
    checkConstraints(witness: readonly bigint[]): Promise<void>;
    loadSymbols(): Promise<void>;
    loadConstraints(): Promise<void>;
    symbols: Record<string, SymbolInfo>;
    constraints: [LinearCombination, LinearCombination, LinearCombination][];
  }

  export interface WasmOptions {
    include?: string[];
    O?: 0 | 1 | 2;
    output?: string;
  }

  export function wasm(file: string, options?: WasmOptions): Promise<WasmTester>;
}
