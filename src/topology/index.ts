
export type { RootOptions } from './sysfs.js';
export * from './nodes.js';
export * from './node-cpus.js';
export * from './node-meminfo.js';
export * from './distances.js';
export * from './weights.js';
export * from './numastat.js';
export * from './cpuset.js';
export * from './machine.js';
export * from './memory-blocks.js';
export * from './libnuma-view.js';
