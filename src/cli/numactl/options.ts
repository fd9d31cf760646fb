/**
 * numactl 2.0.16's options, in numactl's own order: getopt lists the candidates of an ambiguous
 * abbreviation in table order (`--s` names --show --shm --strict --shmmode --shmid), so the
 * order is part of what users see. Shared by `numapol run` and the numactl front end.
 */
import type { OptionSpec } from '../command.js';

export const NUMACTL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  all: { type: 'boolean', short: 'a', description: "read later node and CPU lists against every node and CPU, not this cpuset's" },
  interleave: { type: 'string', short: 'i', valueName: 'NODES', description: 'interleave pages over NODES' },
  preferred: { type: 'string', short: 'p', valueName: 'NODE', description: 'prefer NODE, fall back to others' },
  'preferred-many': { type: 'string', short: 'P', valueName: 'NODES', description: 'prefer any of NODES (5.15+)' },
  cpubind: { type: 'string', short: 'c', valueName: 'NODES', description: 'old name of --cpunodebind' },
  cpunodebind: { type: 'string', short: 'N', valueName: 'NODES', description: 'run only on the CPUs of NODES' },
  physcpubind: { type: 'string', short: 'C', valueName: 'CPUS', description: 'run only on CPUS (0-3,6, all, !0, +1)' },
  membind: { type: 'string', short: 'm', valueName: 'NODES', description: 'allocate only on NODES (bind)' },
  show: { type: 'boolean', short: 's', description: "print this process's policy and CPU binding, numactl's layout" },
  localalloc: { type: 'boolean', short: 'l', description: 'allocate on the node the thread runs on (local)' },
  balancing: { type: 'boolean', short: 'b', description: 'NUMA balancing within the --membind nodes' },
  hardware: { type: 'boolean', short: 'H', description: "nodes, CPUs, memory and distances, numactl's layout" },
  shm: { type: 'string', short: 'S', valueName: 'KEYFILE', description: 'System V segment keyed by ftok(KEYFILE, --shmid): later policy options act on it' },
  file: { type: 'string', short: 'f', valueName: 'PATH', description: 'tmpfs/hugetlbfs file: later policy options act on it' },
  offset: { type: 'string', short: 'o', valueName: 'N', description: 'shared memory: start of the range (k/m/g), before --shm/--file' },
  length: { type: 'string', short: 'L', valueName: 'N', description: 'shared memory: length of the range (k/m/g), before --shm/--file' },
  strict: { type: 'boolean', short: 't', description: 'shared memory: fail (EIO) when pages already there break the policy' },
  shmmode: { type: 'string', short: 'M', valueName: 'MODE', description: 'shared memory: octal mode of a segment or file created' },
  dump: { type: 'boolean', short: 'd', description: 'shared memory: print the policy of each range' },
  'dump-nodes': { type: 'boolean', short: 'D', description: 'shared memory: print the node of each page (faults pages in)' },
  shmid: { type: 'string', short: 'I', valueName: 'ID', description: 'shared memory: project id for ftok with --shm' },
  huge: { type: 'boolean', short: 'u', description: 'shared memory: a new segment uses huge pages, before --shm' },
  touch: { type: 'boolean', short: 'T', description: 'shared memory: fault every page in now, under its policy' },
  verify: { type: 'boolean', short: 'V', description: "shared memory: check each page's policy and node against the one set" },
};

/**
 * What the numactl front end prints after a complaint, in numapol's words. Scripts never read
 * it; the golden tests compare everything before it, as numactl's own text differs.
 */
export const NUMACTL_USAGE = `usage: numactl [POLICY] [BINDING] [--] COMMAND [ARGS]   run COMMAND in place (same pid)
       numactl --show | -s                              this process's policy and binding
       numactl --hardware | -H                          nodes: CPUs, memory, distances
       numactl [--length N] [--offset N] [--shmmode MODE] [--huge] [--shmid ID] [--strict]
               (--shm KEYFILE | --file PATH) [POLICY] [--touch] [--verify] [--dump] [--dump-nodes]
POLICY:  --interleave|-i NODES  --membind|-m NODES  --preferred|-p NODE
         --preferred-many|-P NODES  --localalloc|-l  (--balancing|-b before --membind)
BINDING: --cpunodebind|-N NODES  --physcpubind|-C CPUS  (--cpubind|-c: old name of -N)
NODES, CPUS: numbers and A-B ranges joined by commas, or all; a leading ! inverts them, a
leading + counts within the cpuset; --all|-a, before them, reads them against every node/CPU.
N: bytes, or with a k, m or g suffix.  This is numapol's numactl: see 'numapol run --help'.
`;
