/**
 * Every generated document, as files relative to the package's dist/: the man pages (man/) and
 * the completion scripts (completion/). scripts/gen-docs.mjs writes them at build time; tests
 * compare them with what the CLI itself prints.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from '../command.js';
import { bashCompletion } from './completion-bash.js';
import { zshCompletion } from './completion-zsh.js';
import { commandPages, type PageMeta } from './man.js';
import { firstCodeBlock, tableUnder } from './markdown.js';
import { commandSpec, sortSpecs, type CommandSpec } from './spec.js';
import { yamlPage } from './yaml-man.js';

export interface DocFile {
  /** Relative to dist/: man/numapol.8, completion/numapol.bash... */
  readonly path: string;
  readonly text: string;
}

export interface DocsInput extends PageMeta {
  readonly commands: readonly Command<unknown>[];
  /** configJsonSchema() */
  readonly schema: Readonly<Record<string, unknown>>;
  /** docs/config.md, for numapol.yaml(5)'s example and units. */
  readonly configMarkdown?: string;
}

function isCommand(v: unknown): v is Command<unknown> {
  const c = v as Partial<Command<unknown>> | null;
  return typeof c === 'object' && c !== null && typeof c.name === 'string' && typeof c.usage === 'string' && typeof c.run === 'function';
}

/**
 * The commands of a directory of command modules (dist/src/cli/commands): each file's default
 * export. main.ts loads the same files; tests check that both lists name the same commands.
 */
export async function loadCommandDir(dir: string): Promise<Command<unknown>[]> {
  const out: Command<unknown>[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.js')).sort()) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { default?: unknown };
    if (!isCommand(mod.default)) throw new Error(`${join(dir, f)}: its default export is not a command`);
    out.push(mod.default);
  }
  return out;
}

export function specsOf(commands: readonly Command<unknown>[]): CommandSpec[] {
  return sortSpecs(commands.map(commandSpec));
}

export function docFiles(input: DocsInput): DocFile[] {
  const specs = specsOf(input.commands);
  const meta: PageMeta = { version: input.version, ...(input.date !== undefined ? { date: input.date } : {}) };
  const md = input.configMarkdown;
  const example = md === undefined ? undefined : firstCodeBlock(md, 'yaml');
  const units = md === undefined ? [] : tableUnder(md, 'Units');
  const yaml = yamlPage({ ...meta, schema: input.schema, ...(example !== undefined ? { example } : {}), units });
  return [
    ...[...commandPages(specs, meta), yaml].map((p) => ({ path: `man/${p.file}`, text: p.text })),
    { path: 'completion/numapol.bash', text: bashCompletion(specs) },
    { path: 'completion/_numapol', text: zshCompletion(specs) },
  ];
}
