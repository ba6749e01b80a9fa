/** @parley/contracts: the anchor contract compiled from source, its deployment, a dev chain. */
export { PARLEY_ANCHOR } from './generated/parley-anchor.js';
export { chainAt, deployAnchorContract, type DeployOptions } from './deploy.js';
export {
  anvilBinaryPath,
  startDevChain,
  DEV_CHAIN_ID,
  type DevChain,
  type DevChainOptions,
} from './dev-chain.js';
