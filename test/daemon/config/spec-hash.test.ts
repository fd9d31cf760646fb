import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText, specHash, type Rule } from '../../../src/daemon/config/index.js';
import { machineRoot } from './helpers.js';

const FOUR = machineRoot('sys-guest-4node');

function rule(body: string, name = 'r', match = '{ comm: x }'): Rule {
  return parseConfigText(`rules:\n  - name: ${name}\n    match: ${match}\n${body}`, 'f', { root: FOUR }).config.rules[0]!;
}

test('specHash: the same actions give the same hash, whatever the name, match or spelling of a policy', () => {
  const base = specHash(rule('    policy: bind=0,1\n'));
  assert.match(base, /^[0-9a-f]{16}$/);
  assert.equal(specHash(rule('    policy: bind=0,1\n', 'other', '{ exe: /bin/x }')), base);
  assert.equal(specHash(rule('    policy: bind:0-1\n')), base);
  assert.equal(specHash(rule('    policy: membind={0,1}\n')), base);
});

test('specHash: any change to what the rule does changes the hash', () => {
  const variants = [
    '    policy: bind=0,1\n',
    '    policy: bind=0-2\n',
    '    policy: interleave=0,1\n',
    '    policy: bind=static:0,1\n',
    '    policy: bind=0,1\n    mode: advise\n',
    '    policy: interleave=all\n',
    '    policy: interleave=0-3\n',
    '    vmas: { heap: { policy: bind=0 } }\n',
    '    vmas: { heap: { policy: bind=0, move: true } }\n',
    '    vmas: { stack: { policy: bind=0 } }\n',
    '    cpus: { nodes: 1 }\n',
    '    cpus: { cpus: 1 }\n',
    '    migrate: { from: 0, to: 1 }\n',
    '    migrate: { from: 0, to: 1, rate: 1MB/s }\n',
    '    exclude: true\n',
    '    job: j\n',
    '    place: auto\n',
  ];
  const hashes = variants.map((v) => specHash(rule(v)));
  assert.equal(new Set(hashes).size, variants.length, hashes.join(' '));
});

test('specHash: an shm rule hashes its object and policy', () => {
  const shm = (obj: string, policy: string): string =>
    specHash(parseConfigText(`rules:\n  - name: s\n    shm: ${obj}\n    policy: ${policy}\n`, 'f', { root: FOUR }).config.rules[0]!);
  assert.equal(shm('{ key: 0x10 }', 'bind=1'), shm('{ key: 16 }', 'bind:1'));
  assert.notEqual(shm('{ key: 16 }', 'bind=1'), shm('{ id: 16 }', 'bind=1'));
  assert.notEqual(shm('{ file: /dev/shm/a }', 'bind=1'), shm('{ file: /dev/shm/b }', 'bind=1'));
});
