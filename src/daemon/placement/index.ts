/** Automatic placement's engine: measure, score, decide, advise. docs/placement.md explains it. */
export { DEFAULT_WEIGHTS, type Placement, type PlacementMachine, type PlacementNode, type ProcessPolicy, type ProcessSample, type ScoreParts, type ScoreWeights } from './model.js';
export { PlacementSampler, policyOf, type PlacementSamplerOptions, type PlacementSnapshot } from './measure.js';
export {
  decide,
  forgetGone,
  hysteresisFloor,
  newPlacementState,
  placementKey,
  recordMove,
  resolveDecideOptions,
  DECIDE_DEFAULTS,
  type Decision,
  type DecisionWhy,
  type DecideOptions,
  type PlacementPass,
  type PlacementState,
} from './decide.js';
export { candidatesFor, scoredCandidates } from './candidates.js';
export { scoreCandidate, scoreCurrent, scoreSet, scoreNow, present, presentCurrent, planOn, type Scored } from './score.js';
export { indexMachine, initialCapacity, viewProcess, type Capacity, type MachineIndex, type ProcessView } from './context.js';
export { adviseNodes, type Advice, type AdmissionOptions, type AdmissionRequest } from './admission.js';
export { balancingReport, kernelBalancesProcess, readBalancing, type BalancingReport, type KernelBalancing } from './balancing.js';
