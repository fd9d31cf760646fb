/**
 * The README's commands are the ones the CLI takes: every option a README example or usage line
 * gives a command is one of that command's options, and every example line that is a plain
 * command parses as the CLI would parse it. A renamed or dropped option fails here, not in a
 * user's shell.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from '../../src/cli/command.js';
import { commandOptions, parseCommandArgs, restStart } from '../../src/cli/runner.js';

const README = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');

interface Use {
  readonly command: string;
  readonly args: string;
  /** From a shell block (an example to run) rather than a usage line in the text. */
  readonly example: boolean;
  readonly line: number;
}

/** `numapol CMD ARGS` in shell blocks (up to a comment or a shell operator) and in `code` spans. */
function uses(text: string): Use[] {
  const out: Use[] = [];
  let inShell = false;
  text.split('\n').forEach((raw, i) => {
    if (raw.startsWith('```')) {
      inShell = raw === '```sh';
      return;
    }
    if (inShell) {
      const m = /(?:^|\|\s*)numapol ([a-z-]+)(.*)$/.exec(raw);
      if (m !== null && !raw.trimStart().startsWith('#')) out.push({ command: m[1]!, args: stripComment(m[2]!), example: true, line: i + 1 });
      return;
    }
    for (const m of raw.matchAll(/`numapol ([a-z-]+)([^`]*)`/g)) out.push({ command: m[1]!, args: m[2]!.replace(/\\\|/g, '|'), example: false, line: i + 1 });
  });
  return out;
}

/** The text before an unquoted `#` or a shell operator. */
function stripComment(s: string): string {
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' || c === ';' || (c === '|' && s[i + 1] === ' ') || c === '>' || (c === '&' && s[i + 1] === '&')) return s.slice(0, i);
  }
  return s;
}

/** Shell words: blanks split, single and double quotes group and are removed. */
function words(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

async function command(name: string): Promise<Command<unknown>> {
  const url = new URL(`../../src/cli/commands/${name}.js`, import.meta.url);
  assert.ok(existsSync(fileURLToPath(url)), `README names a command numapol does not have: ${name}`);
  return ((await import(url.href)) as { default: Command<unknown> }).default;
}

test('the README shows the commands and options the CLI has', async () => {
  const found = uses(README).filter((u) => u.command !== 'COMMAND');
  // Enough to mean the extraction works: every command appears in the CLI table.
  assert.ok(found.length >= 40, `only ${found.length} uses of numapol found`);
  const named = new Set(found.map((u) => u.command));
  for (const c of ['hardware', 'show', 'maps', 'stat', 'run', 'set', 'home-node', 'apply', 'migrate', 'move', 'shm']) assert.ok(named.has(c), `README never shows numapol ${c}`);
  for (const u of found) {
    const cmd = await command(u.command);
    const options = commandOptions(cmd);
    const longs = new Set(Object.keys(options));
    const shorts = new Set(Object.values(options).map((o) => o.short).filter((s) => s !== undefined));
    // The words of an example of `run` after its own options are the program's.
    const all = words(u.args);
    const cut = u.example && cmd.optionsFirst ? restStart(cmd, all) : -1;
    const own = (cut < 0 ? all : all.slice(0, cut)).join(' ');
    for (const w of own.matchAll(/(?:^|[\s[(|])--([a-z][a-z-]*)/g)) {
      assert.ok(longs.has(w[1]!), `README line ${u.line}: numapol ${u.command} has no option --${w[1]}`);
    }
    for (const w of own.matchAll(/(?:^|[\s[(|])-([a-zA-Z])\b/g)) {
      assert.ok(shorts.has(w[1]!), `README line ${u.line}: numapol ${u.command} has no option -${w[1]}`);
    }
    // A plain example (no [optional] parts, alternatives or ellipses) must parse as the CLI parses it.
    if (u.example && !/[[\]|…]|\.\.\./.test(u.args)) {
      assert.doesNotThrow(() => parseCommandArgs(cmd, all), `README line ${u.line}: numapol ${u.command}${u.args}`);
    }
  }
});

test("the README's TypeScript examples compile against the library's published types", async () => {
  const ts = (await import('typescript')).default;
  const repo = fileURLToPath(new URL('../../../', import.meta.url));
  const blocks = [...README.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  assert.ok(blocks.length >= 2, `only ${blocks.length} TypeScript examples found`);
  const dir = mkdtempSync(join(tmpdir(), 'numapol-readme-'));
  try {
    // .mts: ES modules (top-level await) outside any package.json; `numapol` is what `exports` names.
    const files = blocks.map((code, i) => {
      const f = join(dir, `example-${i}.mts`);
      writeFileSync(f, `${code}\nexport {};\n`);
      return f;
    });
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true, noUncheckedIndexedAccess: true, noEmit: true, skipLibCheck: true,
      types: ['node'], typeRoots: [join(repo, 'node_modules/@types')],
      baseUrl: repo, paths: { numapol: ['dist/src/index.d.ts'] },
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      return `${d.file?.fileName.split('/').pop() ?? ''}${at ? `:${at.line + 1}` : ''} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    assert.deepEqual(problems, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
