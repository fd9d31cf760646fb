/**
 * What the man pages and the shell completions know of a command, read from its own definition:
 * its options (with every command's common ones), and the arguments its usage line names, each
 * with what can be offered for it (process ids for PID, node ids for NODES, files for FILE...).
 */
import type { Command, OptionSpec } from '../command.js';
import { commandOptions } from '../runner.js';

/** What to offer for a value: processes, NUMA nodes, files, programs, policy names, fixed words, nothing. */
export type ValueHint =
  | { readonly kind: 'pid' }
  | { readonly kind: 'node' }
  | { readonly kind: 'file' }
  | { readonly kind: 'command' }
  | { readonly kind: 'policy' }
  | { readonly kind: 'words'; readonly words: readonly string[] }
  | { readonly kind: 'none' };

export interface OptionInfo {
  /** Without dashes. */
  readonly long: string;
  readonly short?: string;
  readonly takesValue: boolean;
  readonly valueName?: string;
  readonly multiple: boolean;
  readonly description: string;
  readonly hint: ValueHint;
}

export interface PositionalInfo {
  readonly name: string;
  readonly optional: boolean;
  readonly hint: ValueHint;
}

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** The summary's head, for NAME lines and completion menus: up to its first colon or full stop. */
  readonly brief: string;
  readonly usage: string;
  readonly options: readonly OptionInfo[];
  /** Arguments by position; a position some usage alternatives give different words merges them. */
  readonly positionals: readonly PositionalInfo[];
  /** Arguments after the positionals go to a program (`run`): complete them as its own. */
  readonly program: boolean;
  readonly details?: string;
}

/** An entry of main.ts's COMMANDS: how the CLI loads a command. */
export interface CommandEntry {
  readonly load: () => Promise<{ default: Command<unknown> }>;
}

const PLACEHOLDER_HINTS: Readonly<Record<string, ValueHint>> = {
  PID: { kind: 'pid' },
  NODE: { kind: 'node' },
  NODES: { kind: 'node' },
  FROM: { kind: 'node' },
  TO: { kind: 'node' },
  FILE: { kind: 'file' },
  PATH: { kind: 'file' },
  PROGRAM: { kind: 'command' },
  POLICY: { kind: 'policy' },
  ARGS: { kind: 'file' },
};

/** The hint for a placeholder (PID, NODES, FILE|-...): by its first alternative. */
export function hintOf(placeholder: string): ValueHint {
  return PLACEHOLDER_HINTS[placeholder.split('|')[0] ?? ''] ?? { kind: 'none' };
}

/** The summary's head: "Show the NUMA nodes: CPUs, ..." → "Show the NUMA nodes". */
export function briefOf(summary: string): string {
  const cut = summary.search(/: |\. |\.$/);
  return (cut < 0 ? summary : summary.slice(0, cut)).trim();
}

/** Top-level tokens of a usage line: brackets and parentheses keep their words together. */
export function usageTokens(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const ch of text) {
    if (ch === '[' || ch === '(') depth++;
    else if (ch === ']' || ch === ')') depth = Math.max(0, depth - 1);
    if (/\s/.test(ch) && depth === 0) {
      if (cur !== '') out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur !== '') out.push(cur);
  return out;
}

interface Arg {
  readonly word: string;
  readonly optional: boolean;
}

/** The arguments one usage alternative names after `numapol NAME`. */
function usageArgs(alternative: string, name: string, options: Readonly<Record<string, OptionSpec>>): Arg[] {
  const tokens = usageTokens(alternative);
  const start = tokens[0] === 'numapol' && tokens[1] === name ? 2 : 0;
  const takesValue = (tok: string): boolean => {
    if (tok.includes('=')) return false;
    const o = tok.startsWith('--') ? options[tok.slice(2)] : Object.values(options).find((x) => x.short === tok.slice(1));
    return o?.type === 'string';
  };
  const args: Arg[] = [];
  for (let i = start; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok === '|' || tok === '--') continue;
    if (tok.startsWith('-')) {
      if (takesValue(tok)) i++;
      continue;
    }
    const group = /^[[(](.*)[\])](\.\.\.)?$/.exec(tok);
    if (group !== null) {
      const inner = group[1]!.trim();
      // Options in brackets, or words describing options ("[POLICY OPTIONS]"): not an argument.
      if (inner.startsWith('-') || /\s/.test(inner)) continue;
      args.push({ word: inner, optional: tok.startsWith('[') });
      continue;
    }
    args.push({ word: tok, optional: false });
  }
  return args;
}

function argHint(word: string): ValueHint {
  // Lower-case words are literal sub-commands ("status", "bash|zsh"); upper case, placeholders.
  if (/^[a-z][a-z0-9|-]*$/.test(word)) return { kind: 'words', words: word.split('|') };
  return hintOf(word);
}

function mergeHints(a: ValueHint, b: ValueHint): ValueHint {
  if (a.kind === 'words' && b.kind === 'words') return { kind: 'words', words: [...new Set([...a.words, ...b.words])] };
  return a.kind === 'none' ? b : a;
}

function optionValueHint(o: OptionSpec): ValueHint {
  if (o.type !== 'string') return { kind: 'none' };
  const name = o.valueName ?? '';
  if (name === 'PID|NAME') return { kind: 'pid' };
  return hintOf(name);
}

export function commandSpec(cmd: Command<unknown>): CommandSpec {
  const options = commandOptions(cmd);
  const infos: OptionInfo[] = Object.entries(options).map(([long, o]) => ({
    long,
    ...(o.short !== undefined ? { short: o.short } : {}),
    takesValue: o.type === 'string',
    ...(o.type === 'string' && o.valueName !== undefined ? { valueName: o.valueName } : o.type === 'string' ? { valueName: 'VALUE' } : {}),
    multiple: o.type === 'string' && o.multiple === true,
    description: o.description,
    hint: optionValueHint(o),
  }));
  // `numapol daemon ... | numapol daemon status ...`: alternatives, each its own argument list.
  const alternatives = cmd.usage.split(/\s\|\s(?=numapol\s)/);
  const positions: { names: string[]; optional: boolean; hint: ValueHint }[] = [];
  for (const alt of alternatives) {
    usageArgs(alt, cmd.name, options).forEach((a, i) => {
      const p = positions[i];
      if (p === undefined) positions[i] = { names: [a.word], optional: a.optional || alternatives.length > 1, hint: argHint(a.word) };
      else {
        if (!p.names.includes(a.word)) p.names.push(a.word);
        p.hint = mergeHints(p.hint, argHint(a.word));
      }
    });
  }
  const positionals = positions.map((p) => ({ name: p.names.join('|'), optional: p.optional, hint: p.hint }));
  return {
    name: cmd.name,
    summary: cmd.summary,
    brief: briefOf(cmd.summary),
    usage: cmd.usage,
    options: infos,
    positionals,
    program: positionals.some((p) => p.hint.kind === 'command'),
    ...(cmd.details !== undefined ? { details: cmd.details } : {}),
  };
}

/** Every command's spec, by name, from main.ts's COMMANDS (the running CLI's own list). */
export async function specsOfEntries(entries: Readonly<Record<string, CommandEntry>>): Promise<CommandSpec[]> {
  const specs: CommandSpec[] = [];
  for (const e of Object.values(entries)) specs.push(commandSpec((await e.load()).default));
  return sortSpecs(specs);
}

/** By name: the pages and scripts do not depend on where a list came from. */
export function sortSpecs(specs: readonly CommandSpec[]): CommandSpec[] {
  return [...specs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
