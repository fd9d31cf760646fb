/**
 * numactl's own test scripts (test/regress, checkaffinity, ...) for the guest tests that run them
 * with numapol standing in for numactl: taken from Debian's source package of the numactl the host
 * has installed, never kept in this repository. The host's apt sources usually list binaries
 * only, so the source is fetched with a deb-src line for the same mirror, suite and component the
 * binary came from, in a temporary apt configuration (the system's apt lists stay untouched; apt
 * checks the files against the archive's signed index as for any download). Unpacked once into
 * the cache directory, which the guest sees at the same path.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError } from './exit-codes.js';
import { onPath, run, say } from './proc.js';

/** The installed numactl's Debian version ("2.0.16-1"). */
function installedVersion(): string {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'numactl'], { encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout) throw new HarnessError('numactl is not installed (dpkg-query knows no version)');
  return r.stdout.trim();
}

/** Where apt found `version`: "URI SUITE COMPONENT" from `apt-cache policy numactl`. */
export function archiveOf(policy: string, version: string): { uri: string; suite: string; component: string } | undefined {
  const lines = policy.split('\n');
  const at = lines.findIndex((l) => new RegExp(`^\\s+(\\*\\*\\* )?${version.replace(/[.+]/g, '\\$&')} \\d+$`).test(l));
  if (at < 0) return undefined;
  for (const l of lines.slice(at + 1)) {
    const m = /^\s+\d+ (\S+:\/\/\S+) ([^/\s]+)\/(\S+) \S+ Packages$/.exec(l);
    if (m) return { uri: m[1]!, suite: m[2]!, component: m[3]! };
    if (!/^\s+\d+ /.test(l)) break;
  }
  return undefined;
}

/**
 * Directory of numactl's unpacked source for the installed version (it holds test/), fetched
 * and unpacked into `cache` the first time.
 */
export function ensureNumactlSource(cache: string): string {
  const version = installedVersion();
  const upstream = version.replace(/^\d+:/, '').replace(/-[^-]*$/, '');
  const dest = join(cache, `numactl-source-${version}`);
  if (existsSync(join(dest, 'test', 'regress'))) return dest;
  const archive = archiveOf(run('apt-cache', ['policy', 'numactl']), version);
  if (!archive) throw new HarnessError(`apt-cache policy numactl names no archive for the installed ${version}`);
  mkdirSync(cache, { recursive: true });
  const tmp = mkdtempSync(join(cache, 'tmp-numactl-source-'));
  try {
    say(`fetching Debian's numactl ${version} source (deb-src ${archive.uri} ${archive.suite} ${archive.component})`);
    for (const d of ['lists/partial', 'cache/archives/partial', 'parts', 'dl', 'x']) mkdirSync(join(tmp, d), { recursive: true });
    writeFileSync(join(tmp, 'sources.list'), `deb-src ${archive.uri} ${archive.suite} ${archive.component}\n`);
    const apt = [
      '-q',
      '-o', `Dir::Etc::SourceList=${join(tmp, 'sources.list')}`,
      '-o', `Dir::Etc::SourceParts=${join(tmp, 'parts')}`,
      '-o', `Dir::State::Lists=${join(tmp, 'lists')}`,
      '-o', `Dir::Cache=${join(tmp, 'cache')}`,
      // The download directories are ours and private: no need for apt's _apt sandbox user.
      '-o', 'APT::Sandbox::User=root',
    ];
    run('apt-get', [...apt, 'update']);
    run('apt-get', [...apt, 'source', '--download-only', `numactl=${version}`], { cwd: join(tmp, 'dl') });
    const files = readdirSync(join(tmp, 'dl'));
    const orig = files.find((f) => f.startsWith(`numactl_${upstream}.orig.tar.`));
    const debian = files.find((f) => /\.debian\.tar\./.test(f));
    if (!orig) throw new HarnessError(`apt-get source numactl=${version} gave no .orig tarball (${files.join(', ')})`);
    if (debian) {
      run('tar', ['-xf', join(tmp, 'dl', debian), '-C', join(tmp, 'x'), 'debian/patches/series']);
      const series = readFileSync(join(tmp, 'x', 'debian', 'patches', 'series'), 'utf8').trim();
      if (series !== '' && !onPath('dpkg-source')) {
        throw new HarnessError(`Debian's numactl ${version} patches its sources (${series.split('\n').join(', ')}): install dpkg-dev to unpack it`);
      }
      if (series !== '') {
        const dsc = files.find((f) => f.endsWith('.dsc'))!;
        run('dpkg-source', ['--no-check', '-x', join(tmp, 'dl', dsc), join(tmp, 'x', 'src')]);
        renameSync(join(tmp, 'x', 'src'), dest);
        return dest;
      }
    }
    run('tar', ['-xf', join(tmp, 'dl', orig), '-C', join(tmp, 'x')]);
    const top = readdirSync(join(tmp, 'x')).find((d) => d.startsWith('numactl'));
    if (!top || !existsSync(join(tmp, 'x', top, 'test', 'regress'))) throw new HarnessError(`${orig} has no numactl-*/test/regress`);
    rmSync(dest, { recursive: true, force: true });
    renameSync(join(tmp, 'x', top), dest);
    return dest;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
