// Runs inside the test bed: the guest kernel really moves pages between nodes. A small C
// program allocates and touches memory bound to the first node; migratepages(8) moves it to the
// last node; /proc/PID/numa_maps shows where the pages are before and after.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { topologyFromEnv } from './harness/topology.js';

const topology = topologyFromEnv();
const skip = !topology
  ? 'not inside the test bed (NUMAPOL_VM_TOPOLOGY unset): run npm run test:vm'
  : topology.nodes.length < 2 ? 'needs at least 2 nodes' : false;

const MIB = 16;
const PAGES = (MIB * 1024 * 1024) / 4096;

const ALLOC_C = `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
int main(int argc, char **argv) {
  size_t len = (size_t)atol(argv[1]) << 20;
  char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) { perror("mmap"); return 1; }
  madvise(p, len, MADV_NOHUGEPAGE);
  memset(p, 0x5a, len);
  printf("%lx\\n", (unsigned long)p);
  fflush(stdout);
  char c;
  read(0, &c, 1);  /* hold the pages until the parent closes stdin */
  return 0;
}
`;

/** Pages per node ("N<k>=<pages>") of the numa_maps line for the VMA starting at `start`. */
function pagesByNode(pid: number, start: string): Map<number, number> {
  const line = readFileSync(`/proc/${pid}/numa_maps`, 'utf8').split('\n').find((l) => l.startsWith(`${start} `));
  assert.ok(line, `numa_maps of ${pid} has a VMA at ${start}`);
  const out = new Map<number, number>();
  for (const m of line.matchAll(/ N(\d+)=(\d+)/g)) out.set(Number(m[1]), Number(m[2]));
  return out;
}

test('migratepages moves a process\'s pages from the first node to the last', { skip }, async () => {
  const from = topology!.nodes[0]!.id;
  const to = topology!.nodes.at(-1)!.id;
  const dir = mkdtempSync(join(tmpdir(), 'numapol-migrate-'));
  try {
    writeFileSync(join(dir, 'alloc.c'), ALLOC_C);
    const cc = spawnSync('cc', ['-O1', '-o', join(dir, 'alloc'), join(dir, 'alloc.c')], { encoding: 'utf8' });
    assert.equal(cc.status, 0, `cc failed: ${cc.error?.message ?? cc.stderr}`);

    const child = spawn('numactl', [`--membind=${from}`, join(dir, 'alloc'), String(MIB)], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const [first] = await Promise.race([
        (async () => { for await (const l of createInterface({ input: child.stdout })) return [l]; return []; })(),
        new Promise<string[]>((_, reject) => child.once('exit', (c) => reject(new Error(`alloc exited (${c}) before reporting`)))),
      ]);
      assert.ok(first, 'alloc printed its mapping address');
      const start = first.trim();
      const pid = child.pid!;

      const before = pagesByNode(pid, start);
      assert.equal(before.get(from), PAGES, `all ${PAGES} pages on node ${from} first: ${JSON.stringify([...before])}`);

      const mp = spawnSync('migratepages', [String(pid), String(from), String(to)], { encoding: 'utf8' });
      assert.equal(mp.status, 0, `migratepages failed: ${mp.error?.message ?? mp.stderr}`);

      const after = pagesByNode(pid, start);
      assert.equal(after.get(to), PAGES, `all pages on node ${to} after: ${JSON.stringify([...after])}`);
      assert.equal(after.get(from), undefined, `none left on node ${from}`);
    } finally {
      child.stdin.end();
      child.kill();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
