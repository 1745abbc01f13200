/** Circom and the fast path for elementwise gadgets (`in` → `out`): one component per element. */
import { signalLc, type CircuitBuilder, type Lc } from '../constraints/builder.ts';


/**
 * One `component` per element of `inputName` (less `offset`, when given); the output is a var
 * array aliasing the gadgets' outputs.
 */
export function emitPerElement(component: string, n: number, inputName: string, outputName: string, offset?: bigint): string[] {
  return [
    `component ${outputName}_gadget[${n}];`,
    `var ${outputName}[${n}];`,
    `for (var i = 0; i < ${n}; i++) {`,
    `  ${outputName}_gadget[i] = ${component};`,
    `  ${outputName}_gadget[i].in <== ${inputName}[i]${offset === undefined ? '' : ` - ${offset}`};`,
    `  ${outputName}[i] = ${outputName}_gadget[i].out;`,
    `}`,
  ];
}

/**
 * The fast path's emitPerElement: gadget i (an R1CS twin that `gadgetAt` instantiates in its
 * component) fed x[i] − offset; returns the gadgets' outputs.
 */
export function lowerPerElement(b: CircuitBuilder, x: readonly Lc[], offset: bigint, gadgetAt: (i: number) => { input: number; output: number }): Lc[] {
  return x.map((xi, i) => {
    const gadget = gadgetAt(i);
    b.assign(gadget.input, xi, -offset);
    return signalLc(gadget.output);
  });
}
