/**
 * Sigmoid: 1 / (1 + e^(−x)). The output is an activation on the fixed grid 1/(2^bits − 1) with
 * its zero point at qmin (real 0 ↔ qmin, real 1 ↔ qmax). On an activation the result is a
 * table of its values (circuits/ops/table-lowering.ts, the Lookup gadget: at most 35
 * constraints for 8 bits); an accumulator is first requantized to an activation over its
 * calibrated range clipped to ±ln(2·(2^bits − 1) − 1) (±6.23 for 8 bits), beyond which the
 * output is 0 or 1. Error: half an output level (1/510 for 8 bits) beyond the input's own
 * error, which the derivative (at most 1/4) shrinks.
 */
import { tableActivation } from './table-lowering.ts';

export const Sigmoid = tableActivation({
  opType: 'Sigmoid',
  f: (x) => 1 / (1 + Math.exp(-x)),
  output: (qmin, qmax) => ({ scale: 1 / Number(qmax - qmin), zeroPoint: Number(qmin) }),
  saturation: (qmin, qmax) => Math.log(2 * Number(qmax - qmin) - 1),
});
