/** The generated documents as the build makes them, and man/groff to read them. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from '../../../src/cli/command.js';
import { docFiles, loadCommandDir, type DocFile } from '../../../src/cli/docs/build.js';
import { configJsonSchema } from '../../../src/daemon/config/index.js';

/** The package root (tests run from dist/test/cli/docs). */
export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const COMMANDS_DIR = join(ROOT, 'dist/src/cli/commands');

export const commands: Command<unknown>[] = await loadCommandDir(COMMANDS_DIR);

export const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  man?: string[];
  files: string[];
  scripts: Record<string, string>;
};

export const files: DocFile[] = docFiles({
  commands,
  schema: configJsonSchema(),
  version: pkg.version,
  configMarkdown: readFileSync(join(ROOT, 'docs/config.md'), 'utf8'),
});

export function file(path: string): string {
  const f = files.find((x) => x.path === path);
  if (f === undefined) throw new Error(`no generated ${path}`);
  return f.text;
}

export const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

/** `text` written to a temporary file for `fn`. */
export function withFile<T>(name: string, text: string, fn: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'numapol-docs-'));
  try {
    const path = join(dir, name);
    writeFileSync(path, text);
    return fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** man without a terminal: no pager, a fixed width, English messages. */
const MAN_ENV = { ...process.env, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '160', LC_ALL: 'C.UTF-8', MAN_KEEP_FORMATTING: '' };

/** What `man -l` shows of a page, and what it (and groff under it) said on stderr. */
export function man(path: string, warnings = false): { text: string; stderr: string; status: number | null } {
  const r = spawnSync('man', [...(warnings ? ['--warnings'] : []), '-l', path], { encoding: 'utf8', env: MAN_ENV });
  return { text: r.stdout, stderr: r.stderr, status: r.status };
}

/** groff's every warning (-ww) on a page, formatting nothing (-z). */
export function groffWarnings(path: string): string {
  const r = spawnSync('groff', ['-man', '-ww', '-z', path], { encoding: 'utf8' });
  return `${r.stderr}${r.status === 0 ? '' : `(exit ${r.status})`}`;
}
