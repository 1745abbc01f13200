/**
 * Tanh. The output is an activation on the fixed grid 1/qmax with zero point 0 (real ±1 ↔
 * ±qmax: the odd symmetry kept, qmin unused). On an activation the result is a table of its
 * values (circuits/ops/table-lowering.ts, the Lookup gadget: at most 35 constraints for 8
 * bits); an accumulator is first requantized to an activation over its calibrated range
 * clipped to ±atanh(1 − 1/(2·qmax)) (±3.12 for 8 bits), beyond which the output is ±1.
 * Error: half an output level (1/254 for 8 bits) beyond the input's own error (the derivative
 * is at most 1).
 */
import { tableActivation } from './table-lowering.ts';

export const Tanh = tableActivation({
  opType: 'Tanh',
  f: Math.tanh,
  output: (_qmin, qmax) => ({ scale: 1 / Number(qmax), zeroPoint: 0 }),
  saturation: (_qmin, qmax) => Math.atanh(1 - 1 / (2 * Number(qmax))),
});
