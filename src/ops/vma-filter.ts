/**
 * Selecting VMAs the way users name them: anonymous or file-backed, by name (`[heap]`,
 * `[stack]`, a path or a glob like `*libc*`), text (executable file mappings) or data, and a
 * minimum number of resident pages. Shared by `maps`, `move` and `set --vma`.
 */
import type { VmaKind } from '../procfs/maps.js';
import type { Vma } from '../procfs/vmas.js';

export interface VmaFilter {
  /** Anonymous memory: private anon, heap, stack, shared anon. */
  readonly anon?: boolean;
  /** File-backed mappings (including memfd and tmpfs files). */
  readonly file?: boolean;
  /** `[heap]`, `[stack]`, a path, or a glob (`*` and `?`) matched against the maps name. */
  readonly name?: string;
  /** Executable mappings (program and library text). */
  readonly text?: boolean;
  /** Writable mappings (data, bss, heap, stack, anon): what moving "data but not text" means. */
  readonly data?: boolean;
  readonly minPages?: number;
  /** Only VMAs of these kinds (`heap`, `stack`, `anon`, `shm`, `file`, …: procfs's classification). */
  readonly kinds?: readonly VmaKind[];
}

const ANON_KINDS = new Set(['anon', 'heap', 'stack', 'shm', 'huge']);

export function isAnonVma(v: Pick<Vma, 'kind'>): boolean {
  return ANON_KINDS.has(v.kind);
}

export function isFileVma(v: Pick<Vma, 'kind'>): boolean {
  return v.kind === 'file' || v.kind === 'memfd';
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** A predicate for `f`; names without glob characters match exactly, or as a path's basename. */
export function vmaMatcher(f: VmaFilter): (v: Vma) => boolean {
  let nameTest: ((path: string) => boolean) | undefined;
  if (f.name !== undefined) {
    const want = f.name;
    if (/[*?]/.test(want)) {
      const re = globToRegExp(want);
      nameTest = (p) => re.test(p);
    } else {
      nameTest = (p) => p === want || (!want.includes('/') && p.endsWith(`/${want}`));
    }
  }
  return (v) => {
    if (f.anon && !isAnonVma(v)) return false;
    if (f.file && !isFileVma(v)) return false;
    if (f.text && v.perms[2] !== 'x') return false;
    if (f.data && (v.perms[1] !== 'w' || v.perms[2] === 'x')) return false;
    if (f.minPages !== undefined && v.pages < f.minPages) return false;
    if (f.kinds !== undefined && !f.kinds.includes(v.kind)) return false;
    if (nameTest && !nameTest(v.path)) return false;
    return true;
  };
}
