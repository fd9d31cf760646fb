/** What users ask for, as functions returning data: the CLI is a thin layer over these. */
export type { OpsOptions } from './options.js';
export { hardware, hardwareFrom, type HardwareNode, type HardwareReport } from './hardware.js';
export { showProcess, type ProcessReport, type ThreadReport, type NodeMemory, type ShowOptions } from './show.js';
export { listVmas, type MapsOptions, type MapsReport } from './maps.js';
export { numastat, NUMASTAT_COUNTERS, type StatOptions, type StatReport, type ProcessStat, type CounterRow } from './stat.js';
export { runUnderPolicy, applyRunSpec, planRun, parseCpuList, resolveRunCpus, type RunSpec, type RunPlan } from './run.js';
export { userPolicy, userNodes, nodeContext, type TargetOptions } from './user-policy.js';
export { vmaMatcher, isAnonVma, isFileVma, type VmaFilter } from './vma-filter.js';
export { inferThreadPolicyText } from './thread-policy.js';
export { checkKernelSupports, kernelSupportProblem, kernelRelease } from './kernel-support.js';
export { setProcessPolicy, parseThreadSelection, type SetPolicyOptions, type SetPolicyReport, type ThreadChange, type ThreadSelection } from './set-policy.js';
export { setRangePolicy, type SetRangeOptions, type SetRangeReport, type RangeChange, type RangeSelection, type MbindFlags } from './set-range-policy.js';
export { setHomeNode, type HomeNodeReport, type HomeNodeRange } from './home-node.js';
export { exactThreadPolicies, type ExactThreadPolicy, type ExactPolicyOptions } from './exact-policy.js';
export { applyCommands, parseApplyText, type ApplyCommand, type ApplyOptions, type ApplyReport, type ApplyLineReport } from './apply.js';
export { migrateProcess, migrationMap, type MigrateOptions, type MigrateReport, type Leftover } from './migrate.js';
export { movePidRange, type MoveOptions, type MoveReport, type MovedSegment } from './move.js';
export { shmPolicy, type ShmOptions, type ShmReport, type ShmTarget } from './shm.js';
export { applyMigrateLine, parseMigrateLine, isMigrateLine, type MigrateLine, type MigrateLineReport } from './migrate-line.js';
export { parseAddressRange, parseSize, type AddressRange, type Segment, type Selection } from './address-range.js';
export { failedPages, type PageTally } from './move-pages.js';
export { processAffinity, setProcessAffinity, restoreProcessAffinity, type ThreadAffinity, type AffinityReport } from './cpus/process-affinity.js';
export {
  recordPagePlacement,
  restorePagePlacement,
  type PagePlacement,
  type PlacementSegment,
  type RecordOptions,
  type RestoreOptions,
  type RestoreReport,
} from './placement/page-placement.js';
export type { Flow } from './move-pages.js';
export type { PolicyRun } from './shm.js';
export { DEFAULT_BATCH_PAGES, type PaceOptions } from './pace.js';
export { threadIds } from './threads.js';
export { processIds } from './read/process-ids.js';
export { processFacts, processStart, uidOfUser, userOfUid, type ProcessFacts } from './read/process-facts.js';
export { parsePasswd } from './read/passwd.js';
export { watchProcEvents, toProcEvents, type ProcEvent, type ProcEventStream, type WatchProcEventsOptions } from './watch/proc-events.js';
export { processPlacement, type ProcessPlacement, type PlacementOptions, type ThreadCpu } from './read/process-placement.js';
export { CpuLoadSampler, type CpuLoad, type CpuLoadOptions } from './read/cpu-load.js';
export { cpuToNodeMap } from './read/cpu-to-node.js';
export { largestProcesses } from './read/largest-processes.js';
export { shmIdentity, holdShmObject, type ShmHold } from './shm-hold.js';
export { MemoryViewSampler, type MemoryView, type MemoryViewOptions, type NodeView, type ProcessMemoryView } from './read/memory-view.js';
export { formatNodeList, formatCpuList } from './lists.js';
export { processCpuset, cgroupCpus, type ProcessCpuset, type ProcessCpusetOptions } from './read/process-cpuset.js';
export { placementFacts, type PlacementFacts, type PlacementFactsOptions } from './read/placement-facts.js';
export { numaBalancing, describeNumaBalancing, type NumaBalancing, type NumaBalancingMode } from './read/numa-balancing.js';
export * from './jobs/index.js';
