/**
 * One parser for every text form of a mempolicy a user meets.
 *
 *     policy   := ws* body [ws+ home] ws*
 *     body     := mode [ '=' flags ':' nodes     kernel numa_maps / tmpfs mpol=: bind=static:0-1
 *                      | '=' flags               flags, no nodes: interleave=static (needs a context)
 *                      | '=' ':' nodes           5.12-6.10 kernels print balancing alone as "bind=:0-3"
 *                      | '=' nodes               seeds / 2.6.16-2.6.25 numa_maps: bind=0,2-5, interleave={2,3}
 *                      | ':' nodes ]             kernel numa_maps / tmpfs mpol=: interleave:0-3, prefer:1
 *     nodes    := '{' nodelist '}' | nodelist    (nodelist: see nodelist.ts: 0-3,5  0x3  all  !1  +0-1)
 *     flags    := flag ('|' flag)*               flag: static | relative | balancing, any order
 *     home     := 'home' ('=' | ':') node        numapol's own: the set_mempolicy_home_node node
 *     mode     := default
 *               | local | localalloc
 *               | prefer | preferred
 *               | bind | membind
 *               | interleave
 *               | 'prefer (many)' | preferred_many | preferred-many | prefer_many | prefer-many
 *               | 'weighted interleave' | weighted_interleave | weighted-interleave
 *
 * Mode names and flags are case-insensitive. As in the kernel's mpol_parse_str, `prefer` without a
 * node means `local`, and `interleave` / `weighted interleave` without nodes mean every allowed node
 * (which needs a machine context). `3/normal` (the seeds' per-zone notation) is refused: per-zone
 * policies no longer exist. The result has the model's shape (validate.ts shapeProblem: node counts
 * per mode); the kernel's flag rules (balancing only with bind and preferred_many, no flags on
 * local/default, home node only with bind and preferred_many) are left to checkPolicy, so that
 * every policy any kernel prints reads back. With a machine context the nodes must exist
 * (checkNodes). Every failure is a one-line ParseError naming the character position, or the
 * NumapolError ENODE of checkNodes.
 */
import { ParseError } from '../errors.js';
import { mempolicy, type Mempolicy, type MempolicyFlags, type MempolicyMode, type NodeSet, type NodesRemap } from './model.js';
import { quote, scanNodeList, type NodeContext, type NodeListSource } from './nodelist.js';
import { checkNodes, shapeProblem, type PolicyPart } from './validate.js';

const WHAT = 'mempolicy';

/** Every accepted spelling of each mode, lower case. The first is the kernel's numa_maps name. */
export const MODE_SPELLINGS: Readonly<Record<MempolicyMode, readonly string[]>> = {
  default: ['default'],
  local: ['local', 'localalloc'],
  preferred: ['prefer', 'preferred'],
  bind: ['bind', 'membind'],
  interleave: ['interleave'],
  preferred_many: ['prefer (many)', 'preferred_many', 'preferred-many', 'prefer_many', 'prefer-many'],
  weighted_interleave: ['weighted interleave', 'weighted_interleave', 'weighted-interleave'],
};

const MODE_BY_SPELLING: ReadonlyMap<string, MempolicyMode> = new Map(
  (Object.entries(MODE_SPELLINGS) as [MempolicyMode, readonly string[]][]).flatMap(([mode, names]) =>
    names.map((name) => [name, mode] as const),
  ),
);

const KNOWN_MODES = 'default, local, prefer, bind, interleave, prefer (many), weighted interleave';

export interface ScannedPolicy {
  readonly policy: Mempolicy;
  /** Offset just past the policy in the input. */
  readonly end: number;
}

const isLetter = (c: string | undefined): boolean =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/**
 * Read one policy (without the `home=` clause) starting at `start`, stopping before the whitespace
 * or end that follows it. For numa_maps lines, where the policy is followed by `anon=3 N0=3 ...`
 * and may itself contain a space (`prefer (many):0,2`). The policy obeys the kernel's rules; its
 * nodes are not checked against the machine (parsePolicy does that when given a context).
 */
export function scanPolicy(input: string, start: number, ctx?: NodeContext): ScannedPolicy {
  return scanBody({ input, what: WHAT }, start, ctx);
}

/**
 * Parse a mempolicy in any of its text forms (see the grammar above): kernel (`bind=static:0-1`,
 * `prefer (many):0,2`), seeds' (`bind=0,2-5`, `interleave={2,3}`) or CLI (`membind=0x3`,
 * `preferred-many=+0-1`). `ctx` resolves `all`, `!` and `+`, and makes every node be checked
 * against the machine (NumapolError ENODE). Other failures are ParseError.
 */
export function parsePolicy(text: string, ctx?: NodeContext): Mempolicy {
  const source: NodeListSource = { input: text, what: WHAT };
  const fail = (at: number, problem: string): never => {
    throw new ParseError(WHAT, text, at, problem);
  };
  let p = skipSpace(text, 0);
  if (p >= text.length) fail(p, `empty: expected a mode (${KNOWN_MODES}), e.g. bind:0-1`);
  const body = scanBody(source, p, ctx);
  let policy = body.policy;
  p = body.end;
  const afterBody = p;
  p = skipSpace(text, p);
  if (p > afterBody && text.slice(p, p + 4).toLowerCase() === 'home' && (text[p + 4] === '=' || text[p + 4] === ':')) {
    p += 5;
    const home = scanNodeList(source, p, ctx);
    if (home.nodes.length !== 1) fail(p, `a home node is one node, not ${quote(text.slice(p, home.end))}`);
    policy = { ...policy, homeNode: home.nodes[0] as number };
    p = skipSpace(text, home.end);
  }
  if (p < text.length) {
    const rest = text.slice(p);
    fail(p, `unexpected ${quote(rest)}: expected the end${policy.homeNode === undefined ? ' or "home=N"' : ''}`);
  }
  if (ctx) checkNodes(policy, ctx.nodes);
  return policy;
}

function skipSpace(text: string, p: number): number {
  while (isSpace(text[p])) p++;
  return p;
}

function scanBody(source: NodeListSource, start: number, ctx?: NodeContext): ScannedPolicy {
  const { input } = source;
  const fail = (at: number, problem: string): never => {
    throw new ParseError(source.what, input, at, problem);
  };

  // Mode: a word, plus the two kernel names that contain a space.
  let p = start;
  const modeAt = p;
  while (isLetter(input[p]) || input[p] === '_' || input[p] === '-') p++;
  if (p === modeAt) {
    const c = input[p];
    fail(p, `expected a mode (${KNOWN_MODES}), found ${c === undefined ? 'the end' : quote(c)}`);
  }
  let spelling = input.slice(modeAt, p).toLowerCase();
  for (const [head, tail] of [['prefer', ' (many)'], ['weighted', ' interleave']] as const) {
    if (spelling === head && input.slice(p, p + tail.length).toLowerCase() === tail) {
      spelling += tail;
      p += tail.length;
    }
  }
  const modeEnd = p;
  let mode =
    MODE_BY_SPELLING.get(spelling) ??
    fail(modeAt, `unknown mode ${quote(input.slice(modeAt, p))}: expected one of ${KNOWN_MODES}`);

  let remap: NodesRemap | undefined;
  let balancing = false;
  let flagsAt = p;
  let nodes: NodeSet | undefined;
  let nodesAt = p;

  const readFlags = (): void => {
    flagsAt = p;
    for (;;) {
      const at = p;
      while (isLetter(input[p])) p++;
      const word = input.slice(at, p).toLowerCase();
      if (word === 'static' || word === 'relative') {
        if (remap === word) fail(at, `flag ${word} is given twice`);
        if (remap !== undefined) fail(at, 'static and relative exclude each other');
        remap = word;
      } else if (word === 'balancing') {
        if (balancing) fail(at, 'flag balancing is given twice');
        balancing = true;
      } else {
        const found = word === '' ? (input[at] === undefined ? 'the end' : quote(input[at] ?? '')) : quote(input.slice(at, p));
        fail(at, `unknown flag ${found}: expected static, relative or balancing`);
      }
      if (input[p] !== '|') return;
      p++;
    }
  };

  const readNodes = (after: string): void => {
    nodesAt = p;
    const braced = input[p] === '{';
    if (braced) p++;
    const c = input[p];
    if (c === undefined || isSpace(c) || c === '}') fail(p, `expected a node list after ${quote(after)}`);
    const scanned = scanNodeList(source, p, ctx);
    nodes = scanned.nodes;
    p = scanned.end;
    if (braced) {
      if (input[p] !== '}') fail(p, 'expected "}" to close "{"');
      p++;
    }
  };

  if (input[p] === '=') {
    p++;
    if (input[p] === ':') {
      // 5.12-6.10 kernels print "=" for any mode flag but name only static and relative:
      // an empty flag word before ":" can only have been MPOL_F_NUMA_BALANCING.
      flagsAt = p;
      balancing = true;
      p++;
      readNodes(':');
    } else if (isLetter(input[p]) && !/^all(?![A-Za-z])/i.test(input.slice(p, p + 4))) {
      readFlags();
      if (input[p] === ':') {
        p++;
        readNodes(':');
      }
    } else {
      readNodes('=');
    }
  } else if (input[p] === ':') {
    p++;
    readNodes(':');
  }

  const c = input[p];
  if (nodes === undefined && isSpace(c) && /^\s+[0-9!+{]/.test(input.slice(p, p + 64))) {
    fail(skipSpace(input, p), `a node list must be joined to the mode by ":" or "=" (e.g. ${spelling}:0-3)`);
  }
  if (c !== undefined && !isSpace(c)) {
    const hint =
      p === modeEnd
        ? ` after mode ${quote(input.slice(modeAt, p))}: expected ":" or "=" and then nodes`
        : c === ':'
          ? ': a policy has one node list'
          : c === '='
            ? ': flags come right after the mode'
            : '';
    fail(p, `unexpected ${quote(c)}${hint}`);
  }

  if (nodes === undefined) {
    if (mode === 'preferred' && remap === undefined && !balancing) {
      mode = 'local'; // mpol_parse_str: "prefer" without a node is local allocation
    } else if (mode === 'interleave' || mode === 'weighted_interleave') {
      // mpol_parse_str: interleave without a node list means every node with memory.
      const machine =
        ctx ??
        fail(p, `${spelling} without nodes means every node, which needs the machine's node list: give nodes, e.g. ${spelling}:0-3`);
      nodes = machine.allowed ?? machine.nodes;
    }
  }

  const flags: MempolicyFlags = {
    ...(remap === undefined ? {} : { remap }),
    ...(balancing ? { balancing: true } : {}),
  };
  const policy = mempolicy(mode, nodes ?? [], flags);
  const problem = shapeProblem(policy);
  if (problem) {
    const at: Record<PolicyPart, number> = { nodes: nodesAt, flags: flagsAt, home: p };
    fail(at[problem.part], problem.rule);
  }
  return { policy, end: p };
}
