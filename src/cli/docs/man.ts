/**
 * numapol(8) and numapol-COMMAND(8), written from the commands' own definitions: name, summary,
 * usage, options (with the ones every command has) and the details text that `--help` prints.
 */
import type { OptionInfo, CommandSpec } from './spec.js';
import { Page, bold, escapeText, italic, textLine } from './roff.js';

export interface PageMeta {
  /** numapol's version, for the footer. */
  readonly version: string;
  /** The date the pages show (YYYY-MM-DD); none when not given, so that builds are reproducible. */
  readonly date?: string;
}

export interface ManPage {
  /** numapol.8, numapol-show.8, numapol.yaml.5 */
  readonly file: string;
  readonly text: string;
}

const MANUAL = 'numapol manual';

function page(title: string, section: string, meta: PageMeta): Page {
  return new Page(title, section, { ...(meta.date !== undefined ? { date: meta.date } : {}), source: `numapol ${meta.version}`, manual: MANUAL });
}

/** `-d, --interval=SECONDS` in roff. */
export function optionTag(o: OptionInfo): string {
  const long = `${bold(`--${o.long}`)}${o.takesValue ? `=${italic(o.valueName ?? 'VALUE')}` : ''}`;
  return o.short !== undefined ? `${bold(`-${o.short}`)}, ${long}` : long;
}

type Block = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'pre'; readonly lines: readonly string[] };

/**
 * The details text as paragraphs and preformatted blocks. Lines are hand-wrapped: a line ending a
 * sentence ends a paragraph; indented lines are shown as written, with the line before them when
 * they line up under its words (a list that starts on it: "Examples: numapol run ...").
 */
export function detailBlocks(text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let para: string[] = [];
  let pre: string[] = [];
  const flushPara = (): void => {
    if (para.length > 0) blocks.push({ kind: 'text', text: para.join(' ') });
    para = [];
  };
  const flushPre = (): void => {
    if (pre.length > 0) blocks.push({ kind: 'pre', lines: pre });
    pre = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trimEnd();
    const indent = /^\s*/.exec(line)![0].length;
    if (line === '') {
      flushPara();
      flushPre();
    } else if (indent > 0) {
      flushPara();
      pre.push(line);
    } else {
      flushPre();
      const next = lines[i + 1] ?? '';
      if (/^\s{4,}\S/.test(next)) {
        flushPara();
        pre.push(line);
        continue;
      }
      para.push(line.trim());
      if (/[.:]$/.test(line) && !/\b(e\.g|i\.e|etc)\.$/.test(line)) flushPara();
    }
  }
  flushPara();
  flushPre();
  return blocks;
}

/** Splits details at the first line that starts "JSON": what the command does, and its JSON fields. */
export function splitDetails(details: string | undefined): { about: string; json: string } {
  if (details === undefined) return { about: '', json: '' };
  const lines = details.split('\n');
  const at = lines.findIndex((l) => /^JSON\b/.test(l));
  return at < 0 ? { about: details, json: '' } : { about: lines.slice(0, at).join('\n'), json: lines.slice(at).join('\n') };
}

function addBlocks(p: Page, text: string): void {
  for (const b of detailBlocks(text)) {
    if (b.kind === 'text') p.paragraph(b.text);
    else p.preformatted(b.lines);
  }
}

/** The usage line in roff: `numapol NAME` bold, the rest as written; alternatives one a line. */
function synopsis(p: Page, spec: CommandSpec): void {
  const alternatives = spec.usage.split(/\s\|\s(?=numapol\s)/);
  alternatives.forEach((alt, i) => {
    const head = `numapol ${spec.name}`;
    const rest = alt.startsWith(head) ? alt.slice(head.length).trim() : alt;
    if (i > 0) p.request('.br');
    p.raw(`${bold(head)}${rest === '' ? '' : ` ${escapeText(rest)}`}`);
  });
}

/** "Show the NUMA nodes" → "show the NUMA nodes", as NAME lines read; an acronym stays. */
export function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? `${text[0]!.toLowerCase()}${text.slice(1)}` : text;
}

const EXIT_STATUS: readonly [string, string][] = [
  ['0', 'Success.'],
  ['1', 'The operation failed (the error is one line on standard error).'],
  ['2', 'Bad usage: an unknown option, a missing or malformed argument.'],
];

function exitStatus(p: Page): void {
  p.section('exit status');
  for (const [code, text] of EXIT_STATUS) p.tagged(bold(code), textLine(text));
}

export function commandPage(spec: CommandSpec, all: readonly CommandSpec[], meta: PageMeta): ManPage {
  const p = page(`NUMAPOL-${spec.name.toUpperCase()}`, '8', meta);
  p.section('name').raw(`${escapeText(`numapol-${spec.name}`)} \\- ${escapeText(lowerFirst(spec.brief))}`);
  p.section('synopsis');
  synopsis(p, spec);
  const { about, json } = splitDetails(spec.details);
  p.section('description').paragraph(spec.summary);
  addBlocks(p, about);
  p.section('options');
  for (const o of spec.options) p.tagged(optionTag(o), textLine(o.description));
  if (json !== '') {
    p.section('json output');
    addBlocks(p, json);
  }
  exitStatus(p);
  p.section('see also');
  const others = all.filter((s) => s.name !== spec.name).map((s) => `${bold(`numapol-${s.name}`)}(8)`);
  p.raw([`${bold('numapol')}(8)`, ...others].join(', '));
  return { file: `numapol-${spec.name}.8`, text: p.toString() };
}

/** The options every command takes: those of a command that has none of its own. */
function commonOptions(all: readonly CommandSpec[]): OptionInfo[] {
  const first = all[0];
  if (first === undefined) return [];
  return first.options.filter((o) => all.every((s) => s.options.some((x) => x.long === o.long)));
}

export function mainPage(all: readonly CommandSpec[], meta: PageMeta): ManPage {
  const p = page('NUMAPOL', '8', meta);
  p.section('name').raw(`numapol \\- ${escapeText("see and change where a running process's memory lives on a NUMA machine")}`);
  p.section('synopsis');
  p.raw(`${bold('numapol')} ${italic('COMMAND')} [${italic('OPTIONS')}] [${italic('ARGS')}]`).request('.br');
  p.raw(`${bold('numapol')} ${bold('--help')} | ${bold('--version')}`);
  p.section('description');
  p.paragraph(
    "numapol shows where a running Linux process's memory lives on a NUMA machine, per thread and per memory area (VMA), and changes it from outside the process while it runs: memory policies (set_mempolicy, mbind) run by the process's own threads, page migration of a whole process or of one range, shared memory objects, and programs launched under a policy as numactl does.",
  );
  p.paragraph('Every command has --help (its options and JSON fields) and --json (the result as stable JSON, addresses as "0x..." strings). Errors are one line on standard error.');
  p.section('commands');
  for (const s of all) p.tagged(`${bold(s.name)}`, `${textLine(`${s.brief}.`)} See ${bold(`numapol-${s.name}`)}(8).`);
  p.section('common options');
  for (const o of commonOptions(all)) p.tagged(optionTag(o), textLine(o.description));
  exitStatus(p);
  p.section('environment');
  p.tagged(bold('NUMAPOL_SOCKET'), textLine("The daemon's socket, for commands that talk to it (default /run/numapol/numapol.sock); --socket overrides it."));
  p.tagged(bold('NUMAPOL_CODE_CACHE'), textLine('Directory of the CLI\'s compiled-code cache, or "off" for none (default /var/cache/numapol for root, ~/.cache/numapol for others).'));
  p.section('files');
  p.tagged(bold('/etc/numapol/numapol.yaml'), `${textLine("The daemon's configuration: see")} ${bold('numapol.yaml')}(5).`);
  p.tagged(bold('/run/numapol/numapol.sock'), textLine("The daemon's API socket (root's, mode 0600)."));
  p.tagged(bold('/var/lib/numapol/journal.db'), textLine("The daemon's journal of every change it made."));
  p.section('shell completion');
  p.paragraph('numapol completion bash and numapol completion zsh print the completion scripts (they also ship in the package, under dist/completion). To install them:');
  p.preformatted(['numapol completion bash > /etc/bash_completion.d/numapol', 'numapol completion zsh > /usr/local/share/zsh/site-functions/_numapol']);
  p.section('see also');
  const pages = [...all.map((s) => `${bold(`numapol-${s.name}`)}(8)`), `${bold('numapol.yaml')}(5)`];
  const related = ['numactl(8)', 'numastat(8)', 'migratepages(8)', 'set_mempolicy(2)', 'mbind(2)', 'migrate_pages(2)', 'move_pages(2)', 'proc(5)'].map((r) => {
    const [name, sec] = r.split('(');
    return `${bold(name!)}(${sec}`;
  });
  p.raw([...pages, ...related].join(', '));
  return { file: 'numapol.8', text: p.toString() };
}

/** numapol.8 and a page per command. */
export function commandPages(all: readonly CommandSpec[], meta: PageMeta): ManPage[] {
  return [mainPage(all, meta), ...all.map((s) => commandPage(s, all, meta))];
}
