/** Circom for elementwise gadgets (`in` → `out`): one component per element. */

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
