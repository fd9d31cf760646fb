import type { Topology } from './topology.js';
import { cpuCount, totalMemMiB } from './topology.js';

/** 9p mount tags the guest /init looks for. */
export const ROOT_TAG = 'hostroot';
export const JOB_TAG = 'numapoljob';

export interface QemuRequest {
  readonly topology: Topology;
  readonly kernel: string;
  readonly initrd: string;
  /** Host directory shared writable with the guest (job files in, status and results out). */
  readonly jobDir: string;
  /** KVM instead of TCG: for real hardware; on these machines the guest hangs in early boot. */
  readonly kvm: boolean;
  /** Show kernel messages on the console (for debugging a guest that does not come up). */
  readonly verbose: boolean;
  /** Extra kernel command-line words. */
  readonly append: readonly string[];
}

/** Kernel command line: quiet, so the console carries only the command's output. */
export function kernelCmdline(req: Pick<QemuRequest, 'verbose' | 'append'>): string {
  const words = [
    'console=ttyS0',
    'rdinit=/init',
    // A panic (e.g. /init dying) reboots, and -no-reboot turns that into a QEMU exit.
    'panic=-1',
    // Automatic NUMA balancing would move pages behind the tests' backs.
    'numa_balancing=disable',
    'mitigations=off',
    ...(req.verbose ? ['loglevel=7'] : ['quiet', 'loglevel=0']),
    ...req.append,
  ];
  return words.join(' ');
}

/**
 * The qemu-system-x86_64 argument vector: one memory-backend-ram object and one -numa node per
 * node, vCPUs bound to nodes, the full distance matrix, the host root read-only over virtio-9p
 * (multidevs=remap, since / spans several host file systems) and a writable job share.
 */
export function qemuArgv(req: QemuRequest): string[] {
  const t = req.topology;
  const argv = [
    '-machine', req.kvm ? 'pc,accel=kvm' : 'pc,accel=tcg',
    '-cpu', req.kvm ? 'host' : 'max',
    '-smp', String(cpuCount(t)),
    '-m', `${totalMemMiB(t)}M`,
    '-nodefaults', '-no-user-config', '-no-reboot',
    '-display', 'none',
    '-serial', 'stdio',
    '-kernel', req.kernel,
    '-initrd', req.initrd,
    '-append', kernelCmdline(req),
  ];
  for (const nd of t.nodes) {
    argv.push('-object', `memory-backend-ram,id=mem${nd.id},size=${nd.memMiB}M`);
    const cpus = nd.cpus.map((c) => `,cpus=${c}`).join('');
    argv.push('-numa', `node,nodeid=${nd.id},memdev=mem${nd.id}${cpus}`);
  }
  t.distances.forEach((row, i) => row.forEach((d, j) => {
    if (i !== j) argv.push('-numa', `dist,src=${i},dst=${j},val=${d}`);
  }));
  argv.push(
    '-fsdev', `local,id=fsroot,path=/,security_model=none,readonly=on,multidevs=remap`,
    '-device', `virtio-9p-pci,fsdev=fsroot,mount_tag=${ROOT_TAG}`,
    '-fsdev', `local,id=fsjob,path=${req.jobDir},security_model=none`,
    '-device', `virtio-9p-pci,fsdev=fsjob,mount_tag=${JOB_TAG}`,
  );
  return argv;
}
