/**
 * Node lists: the text a user types for a set of NUMA nodes, and the kernel's range form.
 *
 * Grammar (numactl's, with sharper edges):
 *
 *     nodelist := ['!'] ['+'] ( 'all' | item (',' item)* )
 *     item     := number ['-' number]
 *     number   := decimal | '0x' hex          (numactl reads numbers with strtoul base 0)
 *
 * - `all`  is every node the cpuset allows (numactl: numa_all_nodes).
 * - `!`    inverts against the machine's real node ids. numactl flips bits 0..configured-1,
 *          which is wrong when node ids are sparse (nodes 0,2,4): we use the ids themselves.
 * - `+`    makes the numbers indices into the cpuset's allowed nodes: `+0-1` is the first two
 *          allowed nodes, whatever their ids.
 * - A multi-digit number with a leading zero (`010`) is rejected: numactl reads it as octal 8,
 *          the kernel's bitmap_parselist as decimal 10; guessing either would surprise someone.
 * - `3/normal` (the 2005 node/zone notation of the seeds) is rejected with a clear reason:
 *          per-zone policies do not exist in Linux any more.
 */
import { NumapolError, ParseError } from '../errors.js';
import { formatRanges } from '../kernel/range-list.js';
import { nodeSet, type NodeSet } from './model.js';

/**
 * The kernel's largest node count (CONFIG_NODES_SHIFT is at most 10). Node ids at or above it
 * can never exist; refusing them early also keeps `0-4294967295` from building a huge array.
 */
export const MAX_NUMNODES = 1024;

/** What `all`, `!` and `+` need to know about the machine. */
export interface NodeContext {
  /** The machine's node ids (online, or possible): what `!` inverts against. */
  readonly nodes: NodeSet;
  /** The cpuset's Mems_allowed: what `all` means and what `+N` indexes. Defaults to `nodes`. */
  readonly allowed?: NodeSet;
}

/** Where a node list sits inside a larger text, so errors point at the right character. */
export interface NodeListSource {
  /** The whole text, as the user gave it. */
  readonly input: string;
  /** Name of the whole text for error messages: "node list", "mempolicy". */
  readonly what: string;
}

export interface ScannedNodeList {
  readonly nodes: NodeSet;
  /** Offset just past the node list in `source.input`. */
  readonly end: number;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isLetter = (c: string | undefined): boolean =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isHexDigit = (c: string | undefined): boolean =>
  isDigit(c) || (c !== undefined && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));

/** Quote a piece of user text for a one-line message (JSON escapes newlines and controls). */
export function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/**
 * Read a node list starting at `start` in `source.input`; stops at the first character that cannot
 * continue it and returns where it stopped, so callers embed node lists in larger grammars.
 * Throws ParseError naming the character position inside `source.input`.
 */
export function scanNodeList(source: NodeListSource, start: number, ctx?: NodeContext): ScannedNodeList {
  const { input, what } = source;
  const fail = (at: number, problem: string): never => {
    throw new ParseError(what, input, at, problem);
  };
  const needContext = (at: number, feature: string): NodeContext =>
    ctx ?? fail(at, `${feature} needs the machine's node list, and no machine context was given`);

  let p = start;
  let invertAt = -1;
  let relativeAt = -1;
  if (input[p] === '!') invertAt = p++;
  if (input[p] === '+') relativeAt = p++;

  const readNumber = (): { value: number; at: number } => {
    const at = p;
    let text: string;
    let value: number;
    if (input[p] === '0' && (input[p + 1] === 'x' || input[p + 1] === 'X')) {
      p += 2;
      const digits = p;
      while (isHexDigit(input[p])) p++;
      if (p === digits) fail(at, 'expected hex digits after "0x"');
      text = input.slice(digits, p);
      value = parseInt(text, 16);
    } else if (isDigit(input[p])) {
      while (isDigit(input[p])) p++;
      text = input.slice(at, p);
      if (text.length > 1 && text.startsWith('0')) {
        fail(at, `${quote(text)} has a leading zero (octal to numactl, decimal to the kernel): write it without`);
      }
      value = parseInt(text, 10);
    } else {
      const c = input[p];
      return fail(at, c === undefined ? 'expected a node number, found the end' : `expected a node number, found ${quote(c)}`);
    }
    if (input[p] === '/') {
      fail(p, 'per-zone policies no longer exist (the 2005 node/zone notation such as 3/normal): give node numbers only');
    }
    if (isLetter(input[p]) || input[p] === '_') {
      fail(p, `unexpected ${quote(input[p] ?? '')} after node number ${quote(input.slice(at, p))}`);
    }
    if (value >= MAX_NUMNODES) {
      fail(at, `node ${input.slice(at, p)} is beyond the kernel's limit of ${MAX_NUMNODES} nodes (0-${MAX_NUMNODES - 1})`);
    }
    return { value, at };
  };

  /** `+N`: the N-th allowed node (0-based), as numactl's get_nr does. */
  const resolve = (n: number, at: number): number => {
    if (relativeAt < 0) return n;
    const allowed = allowedOf(needContext(relativeAt, '"+" (nodes relative to the cpuset)'));
    const node = allowed[n];
    if (node === undefined) {
      const has = allowed.length === 0 ? 'allows no nodes' : `allows only ${allowed.length} (${formatNodeList(allowed)})`;
      return fail(at, `relative node +${n} does not exist: the cpuset ${has}`);
    }
    return node;
  };

  const picked: number[] = [];
  if (isLetter(input[p])) {
    const at = p;
    while (isLetter(input[p])) p++;
    const word = input.slice(at, p);
    const lower = word.toLowerCase();
    if (lower === 'static' || lower === 'relative' || lower === 'balancing') {
      fail(at, `${quote(word)} is a flag, not a node: flags go between "=" and ":", e.g. bind=${lower}:0-1`);
    }
    if (lower !== 'all') fail(at, `unknown word ${quote(word)} in node list: expected node numbers or "all"`);
    picked.push(...allowedOf(needContext(at, '"all"')));
    if (input[p] === ',' || input[p] === '-') fail(p, '"all" cannot be combined with other nodes');
  } else {
    for (;;) {
      const first = readNumber();
      if (input[p] === '-') {
        p++;
        const last = readNumber();
        if (last.value < first.value) {
          fail(first.at, `range ${input.slice(first.at, p)} runs backwards: write ${last.value}-${first.value}`);
        }
        for (let n = first.value; n <= last.value; n++) picked.push(resolve(n, n === first.value ? first.at : last.at));
      } else {
        picked.push(resolve(first.value, first.at));
      }
      if (input[p] !== ',') break;
      p++;
    }
  }

  let nodes = nodeSet(picked);
  if (invertAt >= 0) {
    const machine = needContext(invertAt, '"!" (all nodes but these)').nodes;
    const drop = new Set(nodes);
    nodes = machine.filter((n) => !drop.has(n));
    if (nodes.length === 0) fail(invertAt, `${quote(input.slice(invertAt, p))} leaves no nodes`);
  }
  return { nodes, end: p };
}

function allowedOf(ctx: NodeContext): NodeSet {
  return ctx.allowed ?? ctx.nodes;
}

/**
 * Parse a whole node list (`0-3,5`, `0x3`, `all`, `!1`, `+0-1`, `{2,3}`). With a context, every
 * resulting node must exist on the machine (NumapolError ENODE otherwise); without one, `all`,
 * `!` and `+` are errors that say a machine context is needed.
 */
export function parseNodeList(text: string, ctx?: NodeContext): NodeSet {
  const source: NodeListSource = { input: text, what: 'node list' };
  let p = 0;
  while (text[p] === ' ' || text[p] === '\t') p++;
  const braced = text[p] === '{';
  if (braced) p++;
  if (p >= text.length || (braced && text[p] === '}')) throw new ParseError('node list', text, p, 'the node list is empty');
  const { nodes, end } = scanNodeList(source, p, ctx);
  p = end;
  if (braced) {
    if (text[p] !== '}') throw new ParseError('node list', text, p, 'expected "}" to close "{"');
    p++;
  }
  while (text[p] === ' ' || text[p] === '\t' || text[p] === '\n') p++;
  if (p < text.length) {
    throw new ParseError('node list', text, p, `unexpected ${quote(text[p] ?? '')}: node lists are numbers and ranges joined by ","`);
  }
  if (ctx) checkNodesExist(nodes, ctx.nodes);
  return nodes;
}

/**
 * Format nodes in the kernel's range form (`%*pbl`: `0-3,5`; two adjacent nodes are `2-3`).
 * `pairs: 'list'` writes two adjacent nodes as `2,3` instead, as the seeds' examples do.
 */
export function formatNodeList(nodes: Iterable<number>, options: { pairs?: 'range' | 'list' } = {}): string {
  return formatRanges(nodes, options);
}

/**
 * Throw NumapolError ENODE (a usage error) unless every node is one of `machineNodes`:
 * "node 7 does not exist: this machine has nodes 0-3".
 */
export function checkNodesExist(nodes: Iterable<number>, machineNodes: Iterable<number>): void {
  const machine = nodeSet(machineNodes);
  const known = new Set(machine);
  const missing = nodeSet([...nodes].filter((n) => !known.has(n)));
  if (missing.length === 0) return;
  const subject =
    missing.length === 1 ? `node ${missing[0]} does not exist` : `nodes ${formatNodeList(missing)} do not exist`;
  const has =
    machine.length === 0
      ? 'this machine has no nodes'
      : `this machine has ${machine.length === 1 ? 'node' : 'nodes'} ${formatNodeList(machine)}`;
  throw new NumapolError('ENODE', `${subject}: ${has}`, {
    usage: true,
    details: { missing, nodes: machine },
  });
}
