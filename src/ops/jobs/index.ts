/** Whole-job moves between node sets: see move-job.ts. */
export { moveJob } from './move-job.js';
export { undoJobMove, type JobUndoReport, type MemberUndoReport, type UndoJobOptions } from './undo-job-move.js';
export { jobNodes, memberNodes, isJobMemory, type JobMember, type JobNodes, type MemberNodes } from './job-nodes.js';
export { jobNodeMap, mapNode, mapNodes, inverseMap, mapPairs, type JobNodeMap } from './node-map.js';
export { remapCpus, partnerCpu, cpuTables, type CpuRemap } from './cpu-map.js';
export { remapPolicy, relativeToAbsolute, absoluteToRelative, samePolicyExactly, weightChanges, type AllowedNodes } from './policy-map.js';
export { cgroupMembers, readCgroupCpuset, cgroupMount, type CgroupCpuset } from './cgroup-cpuset.js';
export { surveySharedPages, type SharedSurvey, type PageIdentity, type MemberSegments } from './shared-pages.js';
export { placementOutcome, type PlacementOutcome } from './placement-outcome.js';
export type { ProcessPolicies, ThreadPolicyRecord, VmaPolicyRecord, MemberPolicyReport, ApplyPoliciesReport } from './job-policies.js';
export type { CgroupMove, JobMoveBefore, JobMoveReport, JobProgress, MemberBefore, MemberMoveReport, MoveEntries, MoveJobOptions } from './job-types.js';
