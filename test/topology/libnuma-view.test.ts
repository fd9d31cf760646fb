import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { readLibnumaView } from '../../src/topology/libnuma-view.js';
import { expandRanges as expand } from '../helpers/expand-ranges.js';

test("readLibnumaView: the sets libnuma reads node and CPU lists against, for this process", () => {
  const v = readLibnumaView();
  const dirs = readdirSync('/sys/devices/system/node').filter((d) => /^node\d+$/.test(d)).map((d) => Number(d.slice(4))).sort((a, b) => a - b);
  assert.deepEqual(v.nodes, dirs);
  assert.equal(v.maxNode, Math.max(...dirs));
  assert.deepEqual(v.possibleNodes, Array.from({ length: v.maxNode + 1 }, (_, i) => i));
  const status = readFileSync('/proc/self/status', 'utf8');
  assert.deepEqual(v.allowedNodes, expand(/^Mems_allowed_list:\s*(.*)$/m.exec(status)![1]!));
  const cpus = expand(/^Cpus_allowed_list:\s*(.*)$/m.exec(status)![1]!);
  assert.deepEqual(v.allowedCpus, cpus.filter((c) => c < v.configuredCpus));
  // Mems_allowed shows 32 bits per 9 characters (8 hex digits and a comma, or the newline).
  const mems = /^Mems_allowed:\s*(.*)$/m.exec(status)![1]!;
  assert.equal(v.nodemaskBits, ((mems.length + 1) / 9) * 32);
  assert.ok(v.memNodes.every((n) => dirs.includes(n)));
});
