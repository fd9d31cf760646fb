/** What users ask for, as functions returning data: the CLI is a thin layer over these. */
export type { OpsOptions } from './options.js';
export { hardware, hardwareFrom, type HardwareNode, type HardwareReport } from './hardware.js';
export { showProcess, type ProcessReport, type ThreadReport, type NodeMemory, type ShowOptions } from './show.js';
export { listVmas, type MapsOptions, type MapsReport } from './maps.js';
export { numastat, NUMASTAT_COUNTERS, type StatOptions, type StatReport, type ProcessStat, type CounterRow } from './stat.js';
export { runUnderPolicy, planRun, parseCpuList, resolveRunCpus, type RunSpec, type RunPlan } from './run.js';
export { userPolicy, userNodes, nodeContext, type TargetOptions } from './user-policy.js';
export { vmaMatcher, isAnonVma, isFileVma, type VmaFilter } from './vma-filter.js';
export { inferThreadPolicyText } from './thread-policy.js';
export { checkKernelSupports, kernelSupportProblem, kernelRelease } from './kernel-support.js';
