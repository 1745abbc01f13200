/**
 * snarkjs computes on a multi-threaded BN254 engine that it caches in
 * `globalThis.curve_bn128`; its worker threads keep node running. Call this once
 * when a program is done with proving and verifying (the next call rebuilds it).
 *
 * @example
 * try { await verifyProof(dir); } finally { await releaseCurves(); }
 */
export async function releaseCurves(): Promise<void> {
  await globalThis.curve_bn128?.terminate();
}
