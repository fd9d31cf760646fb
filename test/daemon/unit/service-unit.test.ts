// The systemd unit the package ships: `systemd-analyze verify` accepts it (man pages included,
// found as an installed package's would be), and the shipped file is the generator's output.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_BIN, serviceUnit } from '../../../src/daemon/unit/service-unit.js';
import { NUMAPOL_BIN } from '../../helpers/bin.js';
import { onPath } from '../../vm/harness/proc.js';

const DIST = fileURLToPath(new URL('../../../', import.meta.url));

test('systemd-analyze verify accepts the unit, with the man pages it names', { skip: onPath('systemd-analyze') ? false : 'systemd-analyze is not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'numapol-unit-'));
  try {
    // man finds pages under MANPATH/manN/, as they sit once npm installs them.
    for (const section of ['5', '8']) {
      mkdirSync(join(dir, 'man', `man${section}`), { recursive: true });
      for (const page of readdirSync(join(DIST, 'man')).filter((p) => p.endsWith(`.${section}`))) symlinkSync(join(DIST, 'man', page), join(dir, 'man', `man${section}`, page));
    }
    const config = join(dir, 'numapol.yaml');
    writeFileSync(config, 'rules: []\n');
    const unit = join(dir, 'numapol.service');
    writeFileSync(unit, serviceUnit({ bin: NUMAPOL_BIN, config }));
    const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8', env: { ...process.env, MANPATH: join(dir, 'man'), SYSTEMD_LOG_LEVEL: 'notice' } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr.trim(), '', 'no warnings');
    // And it does fail on a unit with a mistake, so the check means something.
    writeFileSync(unit, serviceUnit({ bin: NUMAPOL_BIN, config }).replace('Type=exec', 'Type=execc'));
    const bad = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8', env: { ...process.env, MANPATH: join(dir, 'man') } });
    assert.match(bad.stderr, /execc/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the shipped unit runs the bin npm installs, and numapol daemon --unit prints one for the running bin', () => {
  assert.equal(readFileSync(join(DIST, 'systemd', 'numapol.service'), 'utf8'), serviceUnit({ bin: DEFAULT_BIN }));
  const r = spawnSync(process.execPath, [NUMAPOL_BIN, 'daemon', '--unit'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^ExecStart=${NUMAPOL_BIN.replace(/[.]/g, '\\.')} daemon --config /etc/numapol/numapol.yaml$`, 'm'));
});
