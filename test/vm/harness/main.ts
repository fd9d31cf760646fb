#!/usr/bin/env node
// The multi-node NUMA test bed: `npm run vm -- '<cmd>'` runs <cmd> in this directory inside a
// QEMU guest with emulated NUMA nodes (see docs/test-bed.md).
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootGuest, exitStatus } from './boot.js';
import { cacheDir } from './cache.js';
import { ensureHostPackages } from './deps.js';
import { EXIT_GUEST_NEVER_RAN, HarnessError } from './exit-codes.js';
import { ensureInitramfs } from './initramfs.js';
import { guestEnv, writeJob } from './job.js';
import { ensureKernel } from './kernel.js';
import { ensureNumactlSource } from './numactl-source.js';
import { parseOptions, USAGE } from './options.js';
import { say } from './proc.js';
import { qemuArgv } from './qemu.js';
import { buildTopology, totalMemMiB } from './topology.js';

const QEMU = 'qemu-system-x86_64';

async function main(argv: readonly string[]): Promise<number> {
  const opts = parseOptions(argv);
  if (opts.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (opts.command === undefined && !opts.printOnly) throw new HarnessError(`no command given\n${USAGE}`);
  const topology = buildTopology({ nodes: opts.nodes, memMiB: opts.memMiB, dist: opts.dist, cpuless: opts.cpuless });
  ensureHostPackages();
  const cache = cacheDir();
  try {
    mkdirSync(cache, { recursive: true });
  } catch (e) {
    throw new HarnessError(`cannot create the cache directory ${cache} (${(e as Error).message}); set NUMAPOL_VM_CACHE to a writable directory`);
  }
  const kernel = ensureKernel(cache, opts.refresh);
  const initrd = ensureInitramfs(cache, kernel);
  const jobDir = mkdtempSync(join(tmpdir(), 'numapol-vm-job-'));
  try {
    const args = qemuArgv({ topology, kernel: kernel.vmlinux ?? kernel.vmlinuz, initrd, jobDir, kvm: opts.kvm, verbose: opts.verbose, append: opts.append });
    if (opts.printOnly) {
      process.stdout.write([QEMU, ...args].map((a) => (/^[\w,=./:-]+$/.test(a) ? a : `'${a}'`)).join(' ') + '\n');
      return 0;
    }
    const cwd = process.cwd();
    const env = guestEnv(process.env, cwd, topology, process.stdout.isTTY === true);
    // numactl's own test scripts, for the tests that run them with numapol as numactl. Offline,
    // those tests fail saying why; the rest of the guest's tests do not need them.
    try {
      env['NUMAPOL_VM_NUMACTL_SOURCE'] = ensureNumactlSource(cache);
    } catch (e) {
      env['NUMAPOL_VM_NUMACTL_SOURCE_ERROR'] = e instanceof Error ? e.message : String(e);
    }
    writeJob(jobDir, opts.command ?? 'true', env);
    say(`${kernel.release}, ${topology.nodes.length} nodes, ${totalMemMiB(topology)} MiB, ${opts.kvm ? 'kvm' : 'tcg'}: ${opts.command}`);
    const outcome = await bootGuest(QEMU, args, jobDir, opts.timeoutSec);
    if (outcome.kind === 'not-run') say(outcome.reason);
    if (opts.outDir) cpSync(join(jobDir, 'out'), opts.outDir, { recursive: true });
    return exitStatus(outcome);
  } finally {
    rmSync(jobDir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (status) => { process.exitCode ??= status; },
  (e: unknown) => {
    if (e instanceof HarnessError) say(e.message);
    else say(`internal error: ${e instanceof Error ? e.stack : String(e)}`);
    process.exitCode = EXIT_GUEST_NEVER_RAN;
  },
);
