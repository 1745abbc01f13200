/**
 * Types for the parts of snarkjs 0.7 that zkinfer calls (the package ships none).
 * Only what we use is declared; shapes follow snarkjs's own JSON output.
 */
declare module 'snarkjs' {
  /** snarkjs logs through any object with these methods (it calls them with one string). */
  export interface Logger {
    debug(message: string): void;
    info(message: string): void;
    warn(message: string): void;
    error(message: string): void;
  }

  /** A curve engine from ffjavascript: opaque to us except that its worker threads must be ended. */
  export interface Curve {
    name: string;
    terminate(): Promise<void>;
  }

  /** proof.json: projective coordinates as decimal strings (pi_b holds Fq2 pairs). */
  export interface Groth16Proof {
    pi_a: string[];
    pi_b: string[][];
    pi_c: string[];
    protocol: string;
    curve: string;
  }

  /** verification_key.json as exportVerificationKey writes it for Groth16. */
  export interface Groth16VerificationKey {
    protocol: string;
    curve: string;
    nPublic: number;
    vk_alpha_1: string[];
    vk_beta_2: string[][];
    vk_gamma_2: string[][];
    vk_delta_2: string[][];
    vk_alphabeta_12: string[][][];
    IC: string[][];
  }

  export const groth16: {
    prove(
      zkeyFile: string,
      witnessFile: string,
      logger?: Logger,
    ): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    /** Resolves false (and logs the reason) for a proof that does not verify. */
    verify(
      verificationKey: Groth16VerificationKey,
      publicSignals: readonly (string | bigint)[],
      proof: Groth16Proof,
      logger?: Logger,
    ): Promise<boolean>;
  };

  export const powersOfTau: {
    newAccumulator(curve: Curve, power: number, file: string, logger?: Logger): Promise<unknown>;
    /** Without entropy snarkjs prompts on stdin: always pass it. */
    contribute(oldFile: string, newFile: string, name: string, entropy: string, logger?: Logger): Promise<Uint8Array>;
    preparePhase2(oldFile: string, newFile: string, logger?: Logger): Promise<void>;
  };

  export const zKey: {
    /** Groth16 setup. Returns -1 (and logs) instead of throwing on a too-small or unprepared ptau. */
    newZKey(r1csFile: string, ptauFile: string, zkeyFile: string, logger?: Logger): Promise<unknown>;
    /** Without entropy snarkjs prompts on stdin: always pass it. */
    contribute(oldFile: string, newFile: string, name: string, entropy: string, logger?: Logger): Promise<Uint8Array>;
    exportVerificationKey(zkeyFile: string, logger?: Logger): Promise<Groth16VerificationKey>;
    verifyFromR1cs(r1csFile: string, ptauFile: string, zkeyFile: string, logger?: Logger): Promise<boolean>;
    /** snarkjs's Solidity verifier for the key, from its EJS template (templates/verifier_groth16.sol.ejs). */
    exportSolidityVerifier(zkeyFile: string, templates: { groth16: string }, logger?: Logger): Promise<string>;
  };

  export const wtns: {
    /** Input values may be bigints, numbers or decimal strings (nested arrays allowed). */
    calculate(input: Record<string, string | readonly string[]>, wasmFile: string, witnessFile: string): Promise<void>;
    /** Whether the witness satisfies every constraint of the r1cs. */
    check(r1csFile: string, witnessFile: string, logger?: Logger): Promise<boolean>;
  };

  export const curves: {
    getCurveFromName(name: string): Promise<Curve>;
  };
}

/**
 * ffjavascript keeps the multi-threaded BN254 engine here; snarkjs reuses it across calls.
 * Its worker threads keep node alive until `terminate()` is called.
 */
declare var curve_bn128: import('snarkjs').Curve | null | undefined;
