/**
 * One base error for the whole toolkit: a short message that says the problem,
 * context lines that say where it is (node, op, file), and the fix when there is one.
 * Every failure a user can cause has its own subclass so tests and callers can match on it.
 */
export interface ZkInferErrorOptions {
  /** Where the problem is: `node "fc1" (Gemm)`, a file path, a signal index. */
  context?: string[];
  /** What to do about it. */
  hint?: string;
  cause?: unknown;
}

export class ZkInferError extends Error {
  readonly context: string[];
  readonly hint: string | undefined;

  constructor(message: string, options: ZkInferErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.context = options.context ?? [];
    this.hint = options.hint;
  }

  /** The message with its context and hint, as the CLI prints it. */
  describe(): string {
    const lines = [this.message, ...this.context.map((c) => `  at ${c}`)];
    if (this.hint) lines.push(`  hint: ${this.hint}`);
    return lines.join('\n');
  }
}

/** The ONNX file cannot be decoded or is structurally invalid. */
export class OnnxFormatError extends ZkInferError {}

/** An op, attribute value or data type the compiler does not support. */
export class UnsupportedError extends ZkInferError {}

/** Tensor shapes that do not fit together, or an input of the wrong shape. */
export class ShapeError extends ZkInferError {}

/** A user input (input JSON, calibration file, option) that is malformed or out of range. */
export class InputError extends ZkInferError {}

/** An artifact a step needs is missing or unreadable: run the earlier step first. */
export class ArtifactError extends ZkInferError {}

/** A proof, public signal or verification key that does not check out. */
export class VerificationError extends ZkInferError {}

/** An external tool (circom, snarkjs) failed. */
export class ToolError extends ZkInferError {}
