/**
 * `match:` of a rule: which processes it applies to. Every given selector must hold.
 */
import * as z from 'zod';
import { describeValue, expected, integer, isPlainObject, MISSING, size, strict, text } from './fields.js';
import type { MachineChecks } from './machine.js';
import type { RuleMatch, UserSelector } from './types.js';

/** TASK_COMM_LEN is 16: a command name has at most 15 characters. */
const COMM_MAX = 15;
const GLOB_CHARS = /[*?[\]{}!()@+]/;

export const MATCH_KEYS = ['comm', 'exe', 'cmdline', 'user', 'cgroup', 'min-rss', 'min-threads', 'pid'] as const;

function commGlob() {
  return text('Glob on the command name (/proc/PID/comm, at most 15 characters), e.g. "memcached" or "java*".', 'a glob on the command name').superRefine(
    (v, ctx) => {
      if (v.length > COMM_MAX && !GLOB_CHARS.test(v)) {
        ctx.addIssue({
          code: 'custom',
          message: `a command name has at most ${COMM_MAX} characters (the kernel cuts it): ${JSON.stringify(v)} never matches; match the executable with exe`,
        });
      }
    },
  );
}

/** A JavaScript regular expression, compiled now so a bad one is an error at load. */
function cmdlineRegex() {
  return z
    .string(expected('a regular expression'))
    .transform((source, ctx): RegExp => {
      try {
        return new RegExp(source);
      } catch (e) {
        const prefix = `Invalid regular expression: /${source}/: `;
        const msg = (e as Error).message;
        ctx.addIssue({ code: 'custom', message: `bad regular expression ${JSON.stringify(source)}: ${msg.startsWith(prefix) ? msg.slice(prefix.length) : msg}` });
        return z.NEVER;
      }
    })
    .meta({
      description: 'Regular expression (JavaScript syntax) searched in the command line, its arguments joined by single spaces, e.g. "--big" or "^/usr/bin/python3 .*serve".',
    });
}

function user(machine: MachineChecks) {
  return z
    .union([z.number(), z.string()], expected('a user name or uid'))
    .transform((v, ctx): UserSelector => {
      const text = String(v);
      if (/^\d+$/.test(text)) {
        const uid = Number(text);
        if (uid > 0xfffffffe) ctx.addIssue({ code: 'custom', message: `uid ${text} is out of range (0-4294967294)` });
        return { text, uid };
      }
      if (typeof v === 'number' || text === '' || /[:\s]/.test(text)) {
        ctx.addIssue({ code: 'custom', message: `expected a user name or uid, got ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      return { text, uid: machine.uid(text) };
    })
    .meta({ description: 'User name (looked up in /etc/passwd) or uid of the process (its real uid).', anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', minLength: 1 }] });
}

function cgroupGlob() {
  return text('Glob on the process\'s cgroup v2 path, e.g. "/system.slice/legacy.service" or "/user.slice/**".', 'a cgroup path glob').refine(
    (v) => v.startsWith('/') || v.startsWith('*'),
    { error: 'a cgroup path starts with "/" (as in /proc/PID/cgroup: /system.slice/x.service)' },
  );
}

const MAX_PID = 0x400000; // PID_MAX_LIMIT

/** A pid, or a non-empty list of them; a bad element is reported at its place in the list. */
function pids() {
  const problem = (v: unknown): string | undefined =>
    typeof v !== 'number' || !Number.isInteger(v) ? `expected a pid (a whole number), got ${describeValue(v)}` : v < 1 || v > MAX_PID ? `pid ${v} is out of range (1-${MAX_PID})` : undefined;
  return z
    .union([z.number(), z.array(z.unknown())], expected('a pid or a list of pids'))
    .transform((v, ctx): number[] => {
      if (!Array.isArray(v)) {
        const p = problem(v);
        if (p !== undefined) ctx.addIssue({ code: 'custom', message: p });
        return [v];
      }
      if (v.length === 0) ctx.addIssue({ code: 'custom', message: 'expected at least one pid' });
      v.forEach((e, i) => {
        const p = problem(e);
        if (p !== undefined) ctx.addIssue({ code: 'custom', path: [i], message: p });
      });
      return v as number[];
    })
    .meta({
      description: 'A process id, or a list of them: the process is one of these.',
      anyOf: [
        { type: 'integer', minimum: 1, maximum: MAX_PID },
        { type: 'array', minItems: 1, items: { type: 'integer', minimum: 1, maximum: MAX_PID } },
      ],
    });
}

export function matchSchema(machine: MachineChecks) {
  return strict(
    {
      comm: commGlob().optional(),
      exe: text('Glob on the path of the executable (/proc/PID/exe), e.g. "/opt/batch/bin/*".', 'a glob on the executable path').optional(),
      cmdline: cmdlineRegex().optional(),
      user: user(machine).optional(),
      cgroup: cgroupGlob().optional(),
      'min-rss': size('Resident set size at least this, e.g. 300MB or 1GiB (a bare number is bytes).').optional(),
      'min-threads': integer('At least this many threads.', 1).optional(),
      pid: pids().optional(),
    },
    'Which processes the rule applies to: every selector given must hold.',
    'a map of selectors (comm, exe, cmdline, user, cgroup, min-rss, min-threads, pid)',
  )
    .superRefine(
      (value, ctx) => {
        if (!MATCH_KEYS.some((k) => Object.hasOwn(value, k))) {
          ctx.addIssue({ code: 'custom', message: `match needs at least one selector: ${MATCH_KEYS.join(', ')}`, params: MISSING });
        }
      },
      { when: (p) => isPlainObject(p.value) },
    )
    .meta({ minProperties: 1 })
    .transform((m): RuleMatch => {
      const out: { -readonly [K in keyof RuleMatch]: RuleMatch[K] } = {};
      if (m.comm !== undefined) out.comm = m.comm;
      if (m.exe !== undefined) out.exe = m.exe;
      if (m.cmdline !== undefined) out.cmdline = m.cmdline;
      if (m.user !== undefined) out.user = m.user;
      if (m.cgroup !== undefined) out.cgroup = m.cgroup;
      if (m['min-rss'] !== undefined) out.minRss = m['min-rss'];
      if (m['min-threads'] !== undefined) out.minThreads = m['min-threads'];
      if (m.pid !== undefined) out.pid = m.pid;
      return out;
    });
}
