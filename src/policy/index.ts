/** The mempolicy model and its text and kernel forms. */
export * from './model.js';
export {
  MAX_NUMNODES,
  checkNodesExist,
  formatNodeList,
  parseNodeList,
  scanNodeList,
  type NodeContext,
  type NodeListSource,
  type ScannedNodeList,
} from './nodelist.js';
export { MODE_SPELLINGS, parsePolicy, scanPolicy, type ScannedPolicy } from './parse.js';
export { formatFlags, formatPolicy, type FormatPolicyOptions, type PolicyStyle } from './format.js';
export {
  BALANCING_MODES,
  HOME_NODE_MODES,
  checkNodes,
  checkPolicy,
  policyProblem,
  shapeProblem,
  type PolicyPart,
  type PolicyProblem,
} from './validate.js';
export * from './codes.js';
