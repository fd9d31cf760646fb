/**
 * Pages several members of a job map (shared anonymous memory after fork, SysV and POSIX shm,
 * tmpfs and other shared files, private pages still shared copy-on-write after fork) move once:
 * before anything moves, every member's pagemap is read, each such page gets one owner (the
 * first member, at the first address, that maps it), and every other mapping of it is skipped.
 * The owner's move_pages entry moves the page for everyone (MPOL_MF_MOVE_ALL, as root).
 *
 * A page is identified by its frame number, which pagemap shows to root (CAP_SYS_ADMIN). Without
 * it frames read as 0, and a page of a shared mapping (pagemap's file-or-shared-anon bit) is
 * identified by its file (device, inode) and page offset instead; copy-on-write anonymous pages
 * then cannot be recognised (and without CAP_SYS_NICE the kernel refuses to move a page others
 * map anyway). Pages pagemap marks exclusive (mapped once in the whole machine) are never shared.
 *
 * The owners are decided before the first page moves, because a moved page has a new frame: a
 * second member looking at it afterwards could not tell it was already moved, and with FROM and
 * TO overlapping (0-1 → 1-2) would move it on again.
 */
import { ProcessGoneError } from '../../errors.js';
import { openPagemap, type PagemapReader } from '../../procfs/pagemap.js';
import type { Segment } from '../address-range.js';

/** Base pages read from pagemap at a time. */
const CHUNK = 16384;

export interface MemberSegments {
  readonly pid: number;
  readonly segments: readonly Segment[];
}

export type PageIdentity = 'frame' | 'file' | 'none';

export interface SharedSurvey {
  /** Per pid: page numbers (address / page size) of units it leaves to their owner. */
  readonly skip: ReadonlyMap<number, ReadonlySet<number>>;
  /** Per pid: page numbers of shared units it moves for every member that maps them. */
  readonly owned: ReadonlyMap<number, ReadonlySet<number>>;
  /** Distinct pages mapped more than once in the job, in base pages. */
  readonly sharedPages: number;
  /** Mappings of them left to their owner, in base pages. */
  readonly skippedMappings: number;
  /** How pages were told apart: frame numbers, file identity, or not at all (no shared page seen). */
  readonly identity: PageIdentity;
}

/** The key that identifies one page across processes: see the module comment. */
type Key = number | string;

/**
 * Reads the pagemap of every member's segments and picks one owner per shared page. A member
 * that has exited is left out (its pages are gone with it).
 */
export function surveySharedPages(members: readonly MemberSegments[], pageBytes: number, root = '/'): SharedSurvey {
  const owners = new Map<Key, { pid: number; page: number; seen: number }>();
  const skip = new Map<number, Set<number>>();
  const owned = new Map<number, Set<number>>();
  let sharedPages = 0;
  let skipped = 0;
  let byFrame = false;
  let byFile = false;
  const ps = BigInt(pageBytes);
  for (const m of members) {
    let pm: PagemapReader;
    try {
      pm = openPagemap(m.pid, pageBytes, { root });
    } catch (e) {
      if (e instanceof ProcessGoneError) continue;
      throw e;
    }
    try {
      for (const s of m.segments) {
        const v = s.vma;
        // A hugetlb page is one unit: its first base page's word stands for it.
        const unit = v.hugetlb && v.pageSizeKiB !== undefined ? Math.max(1, (v.pageSizeKiB * 1024) / pageBytes) : 1;
        const first = s.start / ps;
        const pages = Number(s.end / ps - first);
        const fileBacked = v.inode !== 0;
        for (let i = 0; i < pages; i += CHUNK) {
          const n = Math.min(CHUNK, pages - i);
          const c = pm.read((first + BigInt(i)) * ps, n);
          for (let j = 0; j < n; j++) {
            const page = Number(first) + i + j;
            if (unit > 1 && page % unit !== 0) continue;
            if (!c.present(j) || c.exclusive(j)) continue;
            const pfn = c.pfn(j);
            let key: Key;
            if (pfn > 0) {
              key = pfn;
              byFrame = true;
            } else if (fileBacked && c.fileOrShared(j)) {
              key = `${v.dev}:${v.inode}:${Number(v.offset / ps) + (page - Number(s.start / ps))}`;
              byFile = true;
            } else continue;
            const o = owners.get(key);
            if (o === undefined) {
              owners.set(key, { pid: m.pid, page, seen: 1 });
              continue;
            }
            if (o.pid === m.pid && o.page === page) continue;
            if (++o.seen === 2) {
              sharedPages += unit;
              let os = owned.get(o.pid);
              if (os === undefined) owned.set(o.pid, (os = new Set()));
              os.add(o.page);
            }
            let sk = skip.get(m.pid);
            if (sk === undefined) skip.set(m.pid, (sk = new Set()));
            sk.add(page);
            skipped += unit;
          }
        }
      }
    } catch (e) {
      if (!(e instanceof ProcessGoneError)) throw e;
    } finally {
      pm.close();
    }
  }
  return { skip, owned, sharedPages, skippedMappings: skipped, identity: byFrame ? 'frame' : byFile ? 'file' : 'none' };
}
