/**
 * seq_path() escapes: the kernel writes chosen characters of a path as backslash + 3 octal digits
 * (numa_maps escapes "\n\t= ", maps only "\n"). A backslash itself is not escaped, so only the
 * sequences the kernel could have produced are decoded; anything else stays as written.
 */

const NUMA_MAPS_ESCAPES: Record<string, string> = { '\\012': '\n', '\\011': '\t', '\\075': '=', '\\040': ' ' };
const MAPS_ESCAPES: Record<string, string> = { '\\012': '\n' };

function unescapeWith(s: string, table: Record<string, string>): string {
  if (s.indexOf('\\') < 0) return s;
  let out = '';
  let pos = 0;
  for (;;) {
    const bs = s.indexOf('\\', pos);
    if (bs < 0) break;
    const rep = table[s.slice(bs, bs + 4)];
    if (rep === undefined) {
      out += s.slice(pos, bs + 1);
      pos = bs + 1;
    } else {
      out += s.slice(pos, bs) + rep;
      pos = bs + 4;
    }
  }
  return out + s.slice(pos);
}

/** Decode a `file=` path of numa_maps. */
export function unescapeNumaMapsPath(s: string): string {
  return unescapeWith(s, NUMA_MAPS_ESCAPES);
}

/** Encode a path the way numa_maps prints it (for fixtures and round-trip tests). */
export function escapeNumaMapsPath(s: string): string {
  return s.replace(/[\n\t= ]/g, (c) => '\\' + c.charCodeAt(0).toString(8).padStart(3, '0'));
}

/** Decode a path of /proc/PID/maps. */
export function unescapeMapsPath(s: string): string {
  return unescapeWith(s, MAPS_ESCAPES);
}
