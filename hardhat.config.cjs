// Hardhat 2 configuration: the contracts in contracts/, compiled offline with the
// npm `solc` package (no compiler download), and the in-process network zkinfer's
// demo and tests use. zkinfer's own client compiles through verifier/solidity.ts with
// the same compiler and settings (SOLIDITY below).
const { subtask } = require('hardhat/config');
const { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } = require('hardhat/builtin-tasks/task-names');
const solc = require('solc');

const SOLC_VERSION = solc.version().replace(/\.Emscripten.*$/, '');
const [VERSION] = SOLC_VERSION.split('+');

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args, _hre, runSuper) => {
  if (args.solcVersion !== VERSION) return runSuper(args);
  return { compilerPath: require.resolve('solc/soljson.js'), isSolcJs: true, version: VERSION, longVersion: SOLC_VERSION };
});

/** @type import('hardhat/config').HardhatUserConfig */
module.exports = {
  solidity: { version: VERSION, settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'cancun' } },
  paths: { sources: './contracts', cache: './.cache/hardhat', artifacts: './.cache/hardhat/artifacts', tests: './test/contracts' },
  networks: { hardhat: { hardfork: 'cancun' } },
};
