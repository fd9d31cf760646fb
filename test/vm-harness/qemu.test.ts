import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kernelCmdline, qemuArgv, ROOT_TAG, JOB_TAG } from '../vm/harness/qemu.js';
import { buildTopology } from '../vm/harness/topology.js';

/** Values following each occurrence of `flag`. */
function values(argv: readonly string[], flag: string): string[] {
  return argv.flatMap((a, i) => (a === flag ? [argv[i + 1]!] : []));
}

const base = { kernel: '/k/vmlinux', initrd: '/k/initrd', jobDir: '/tmp/job', kvm: false, verbose: false, append: [] };

test('one memory backend and one -numa node per node, vCPUs on their nodes', () => {
  const topology = buildTopology({ nodes: 4, memMiB: [1024], cpuless: [3] });
  const argv = qemuArgv({ ...base, topology });
  assert.deepEqual(values(argv, '-object'), [0, 1, 2, 3].map((i) => `memory-backend-ram,id=mem${i},size=1024M`));
  const nodes = values(argv, '-numa').filter((v) => v.startsWith('node,'));
  assert.deepEqual(nodes, [
    'node,nodeid=0,memdev=mem0,cpus=0',
    'node,nodeid=1,memdev=mem1,cpus=1',
    'node,nodeid=2,memdev=mem2,cpus=2',
    'node,nodeid=3,memdev=mem3',
  ]);
  assert.deepEqual(values(argv, '-smp'), ['3']);
  assert.deepEqual(values(argv, '-m'), ['4096M']);
});

test('every off-diagonal distance is passed with -numa dist', () => {
  const topology = buildTopology({ nodes: 3, memMiB: [256], cpuless: [], dist: '10,21,31;22,10,41;32,42,10' });
  const dists = values(qemuArgv({ ...base, topology }), '-numa').filter((v) => v.startsWith('dist,'));
  assert.deepEqual(dists.sort(), [
    'dist,src=0,dst=1,val=21', 'dist,src=0,dst=2,val=31', 'dist,src=1,dst=0,val=22',
    'dist,src=1,dst=2,val=41', 'dist,src=2,dst=0,val=32', 'dist,src=2,dst=1,val=42',
  ]);
});

test('host root is shared read-only with multidevs=remap, the job share writable', () => {
  const topology = buildTopology({ nodes: 1, memMiB: [256], cpuless: [] });
  const argv = qemuArgv({ ...base, topology });
  const [root, job] = values(argv, '-fsdev');
  assert.match(root!, /^local,id=fsroot,path=\/,.*readonly=on.*multidevs=remap/);
  assert.match(job!, /path=\/tmp\/job/);
  assert.doesNotMatch(job!, /readonly/);
  assert.deepEqual(values(argv, '-device').map((d) => /mount_tag=(\w+)/.exec(d)?.[1]), [ROOT_TAG, JOB_TAG]);
  assert.ok(argv.includes('-no-reboot'));
});

test('TCG by default, KVM with -cpu host on request', () => {
  const topology = buildTopology({ nodes: 1, memMiB: [256], cpuless: [] });
  assert.deepEqual(values(qemuArgv({ ...base, topology }), '-machine'), ['pc,accel=tcg']);
  const kvm = qemuArgv({ ...base, topology, kvm: true });
  assert.deepEqual(values(kvm, '-machine'), ['pc,accel=kvm']);
  assert.deepEqual(values(kvm, '-cpu'), ['host']);
});

test('kernel command line is quiet unless verbose, and keeps extra words', () => {
  const quiet = kernelCmdline({ verbose: false, append: ['foo=1'] }).split(' ');
  assert.ok(quiet.includes('quiet') && quiet.includes('loglevel=0') && quiet.includes('console=ttyS0'));
  assert.equal(quiet.at(-1), 'foo=1');
  assert.ok(!kernelCmdline({ verbose: true, append: [] }).split(' ').includes('quiet'));
});
