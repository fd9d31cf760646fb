/**
 * The CLI's `--since TIME` (and `--until TIME`) forms, as an instant:
 *   2024-05-01, 2024-05-01T14:30, 2024-05-01 14:30:05.250   local time, like `date -d`
 *   2024-05-01T14:30:00Z, …+02:00                           that offset
 *   30s, 10m, 2h, 3d, 1w                                    that long ago (m is minutes)
 *   today, yesterday                                        local midnight
 *   @1700000000, @1700000000.5                              Unix time in seconds
 */
import { UsageError } from '../../errors.js';

export interface ParseSinceOptions {
  /** The instant relative forms count back from; default now. */
  readonly now?: Date;
  /** The option named in errors; default '--since'. */
  readonly option?: string;
}

const FORMS =
  'an ISO date or time (2024-05-01, 2024-05-01T14:30, 2024-05-01T14:30:00Z; local time unless it ends in Z or an offset such as +02:00), ' +
  'a time ago (30s, 10m, 2h, 3d, 1w), today, yesterday, or a Unix time (@1700000000)';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is this month's last day; UTC so no zone can shift it.
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

function localMidnight(now: Date, daysBack: number): Date {
  const d = new Date(now.getTime());
  // setDate, not minus 24 h: a day around a DST change is 23 or 25 hours long.
  d.setDate(d.getDate() - daysBack);
  d.setHours(0, 0, 0, 0);
  return d;
}

/** Minutes east of UTC in "Z", "+02", "-0530", "+05:30". */
function offsetMinutes(text: string): number | undefined {
  if (text.toUpperCase() === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(text)!;
  const h = Number(m[2]);
  const min = Number(m[3] ?? '0');
  if (h > 23 || min > 59) return undefined;
  return (m[1] === '-' ? -1 : 1) * (h * 60 + min);
}

export function parseSince(text: string, opts: ParseSinceOptions = {}): Date {
  const now = opts.now ?? new Date();
  const option = opts.option ?? '--since';
  const bad = (why?: string): UsageError =>
    new UsageError(`bad ${option} time ${JSON.stringify(text)}: ${why === undefined ? '' : `${why}; `}give ${FORMS}`, { details: { input: text } });
  const s = text.trim();
  const checked = (d: Date): Date => {
    if (!Number.isFinite(d.getTime())) throw bad('out of range');
    return d;
  };

  if (s === 'today') return localMidnight(now, 0);
  if (s === 'yesterday') return localMidnight(now, 1);

  const unix = /^@(\d+(?:\.\d+)?)$/.exec(s);
  if (unix) return checked(new Date(Math.round(Number(unix[1]) * 1000)));

  const ago = /^(\d+)([smhdw])$/.exec(s);
  if (ago) return checked(new Date(now.getTime() - Number(ago[1]) * UNIT_MS[ago[2]!]!));

  const iso = ISO.exec(s);
  if (!iso) throw bad();
  const [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  const [hour, minute, second] = [Number(iso[4] ?? '0'), Number(iso[5] ?? '0'), Number(iso[6] ?? '0')];
  const ms = Number((iso[7] ?? '').slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12) throw bad(`there is no month ${month}`);
  if (day < 1 || day > daysInMonth(year, month)) throw bad(`there is no day ${day} in ${iso[1]}-${iso[2]}`);
  if (hour > 23 || minute > 59 || second > 59) throw bad(`there is no time ${iso[4]}:${iso[5]}${iso[6] === undefined ? '' : `:${iso[6]}`}`);

  const d = new Date(0);
  if (iso[8] !== undefined) {
    const off = offsetMinutes(iso[8]);
    if (off === undefined) throw bad(`there is no offset ${iso[8]}`);
    // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
    d.setUTCFullYear(year, month - 1, day);
    d.setUTCHours(hour, minute, second, ms);
    return checked(new Date(d.getTime() - off * 60_000));
  }
  d.setFullYear(year, month - 1, day);
  d.setHours(hour, minute, second, ms);
  return checked(d);
}
