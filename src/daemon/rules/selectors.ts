/**
 * A rule's `match:` as a predicate over a process's facts. Every selector given must hold.
 * - comm, exe: globs (picomatch: `*` stays within a path component, so `/opt/batch/bin/*` is
 *   what is directly in that directory).
 * - cmdline: a regular expression searched in the arguments joined by single spaces.
 * - user: a uid (a name is resolved when the config is loaded; an unknown name matches nothing).
 * - cgroup: a cgroup v2 path glob; it also matches every cgroup below the one it names, since a
 *   service's processes may sit in sub-cgroups of its unit (`…/legacy.service/payload`).
 * - min-rss, min-threads: thresholds that a process may cross later: rescans look again.
 * - pid: a list of pids (the only way to name PID 1).
 */
import picomatch from 'picomatch';

/** What selectors look at; ops' ProcessFacts has these fields. */
export interface MatchFacts {
  readonly pid: number;
  readonly comm: string;
  readonly exe: string | null;
  readonly cmdline: readonly string[];
  readonly uid: number;
  readonly cgroup: string | null;
  readonly rssBytes: number;
  readonly threads: number;
}

export interface Selectors {
  readonly comm?: string;
  readonly exe?: string;
  readonly cmdline?: RegExp;
  /** null: a user name this machine does not have. */
  readonly uid?: number | null;
  readonly cgroup?: string;
  readonly minRssBytes?: number;
  readonly minThreads?: number;
  readonly pids?: readonly number[];
}

export type FactsTest = (f: MatchFacts) => boolean;

const GLOB = { dot: true } as const;

/** The selectors only exec or a comm change can change; the others may change as a process runs. */
export function staticSelectors(s: Selectors): Selectors {
  return {
    ...(s.pids !== undefined ? { pids: s.pids } : {}),
    ...(s.comm !== undefined ? { comm: s.comm } : {}),
    ...(s.exe !== undefined ? { exe: s.exe } : {}),
    ...(s.cmdline !== undefined ? { cmdline: s.cmdline } : {}),
  };
}

export function selectorTest(s: Selectors): FactsTest {
  const tests: FactsTest[] = [];
  if (s.pids !== undefined) {
    const pids = new Set(s.pids);
    tests.push((f) => pids.has(f.pid));
  }
  if (s.comm !== undefined) {
    const m = picomatch(s.comm, GLOB);
    tests.push((f) => m(f.comm));
  }
  if (s.exe !== undefined) {
    const m = picomatch(s.exe, GLOB);
    tests.push((f) => f.exe !== null && m(f.exe));
  }
  if (s.cmdline !== undefined) {
    const re = s.cmdline;
    tests.push((f) => re.test(f.cmdline.join(' ')));
  }
  if (s.uid !== undefined) {
    const uid = s.uid;
    tests.push((f) => uid !== null && f.uid === uid);
  }
  if (s.cgroup !== undefined) {
    const m = cgroupTest(s.cgroup);
    tests.push((f) => f.cgroup !== null && m(f.cgroup));
  }
  if (s.minRssBytes !== undefined) {
    const min = s.minRssBytes;
    tests.push((f) => f.rssBytes >= min);
  }
  if (s.minThreads !== undefined) {
    const min = s.minThreads;
    tests.push((f) => f.threads >= min);
  }
  return (f) => tests.every((t) => t(f));
}

/** A cgroup glob matches the cgroup it names and every cgroup below it. */
export function cgroupTest(glob: string): (path: string) => boolean {
  const g = glob.length > 1 && glob.endsWith('/') ? glob.slice(0, -1) : glob;
  const self = picomatch(g, GLOB);
  const below = picomatch(g === '/' ? '/**' : `${g}/**`, GLOB);
  return (p) => self(p) || below(p);
}

/** Selectors whose answer can change while a process runs (other than by exec or a comm change). */
export function changesOverTime(s: Selectors): boolean {
  return s.minRssBytes !== undefined || s.minThreads !== undefined || s.cgroup !== undefined || s.uid !== undefined;
}
