/**
 * The one runner every command goes through: parses options, prints `--help` to stdout, prints
 * data as an aligned table or as `--json`, turns errors into one line on stderr (a stack only with
 * `--debug`) and maps them to exit statuses: 0 ok, 1 operation failed, 2 bad usage. A command
 * may pick its status for a run that returned data (Command.exitCode): the drop-in front ends
 * return numactl's, numastat's and migratepages' own, having written their output to `input.io`.
 */
import { parseArgs } from 'node:util';
import { NumapolError, UsageError } from '../errors.js';
import type { Command, CommandInput, Io, OptionSpec, ParsedValues } from './command.js';
import { getoptLong, isProblem, type GetoptOption } from './getopt.js';
import { toJson } from './json.js';

export type { Io } from './command.js';

export const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

const COMMON: Readonly<Record<string, OptionSpec>> = {
  help: { type: 'boolean', short: 'h', description: 'show this help' },
  json: { type: 'boolean', description: 'print the result as JSON (stable fields, see --help)' },
  debug: { type: 'boolean', description: 'print a stack trace with errors' },
};

/** Every option `cmd` takes: its own and the ones every command has. */
export function commandOptions(cmd: Command<unknown>): Readonly<Record<string, OptionSpec>> {
  return { ...cmd.options, ...COMMON };
}

export function helpText(cmd: Command<unknown>): string {
  const opts = commandOptions(cmd);
  const lines = Object.entries(opts).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? `=${o.valueName ?? 'VALUE'}` : ''}`;
    return `  ${flag.padEnd(30)} ${o.description}`;
  });
  return [`Usage: ${cmd.usage}`, '', cmd.summary, '', 'Options:', ...lines, ...(cmd.details ? ['', cmd.details] : []), ''].join(
    '\n',
  );
}

/** Where the program's argv starts for an `optionsFirst` command: at `--` or the first non-option; -1 for none. */
export function restStart(cmd: Command<unknown>, argv: readonly string[]): number {
  const opts = commandOptions(cmd);
  const takesValue = (tok: string): boolean => {
    if (tok.includes('=')) return false;
    const o = tok.startsWith('--') ? opts[tok.slice(2)] : Object.values(opts).find((x) => x.short === tok.slice(1));
    // A bundled short option with its value (-i0,1) has more than one character after '-'.
    return o?.type === 'string' && (tok.startsWith('--') || tok.length === 2);
  };
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === '--') return i;
    if (!tok.startsWith('-') || tok === '-') return i;
    if (takesValue(tok)) i++;
  }
  return -1;
}

/** GNU getopt_long over the command's options (Command.grammar). */
function getoptArgs(cmd: Command<unknown>, argv: readonly string[]): CommandInput {
  const exact = cmd.grammar === 'exact';
  const specs = Object.entries(exact ? cmd.options : commandOptions(cmd));
  const options: GetoptOption[] = specs.map(([name, o]) => ({
    name,
    ...(o.short ? { short: o.short } : {}),
    ...(o.shortOnly ? { shortOnly: true } : {}),
    arg: o.type === 'boolean' ? 'none' : o.optionalValue ? 'optional' : 'required',
  }));
  const r = getoptLong(argv, options, { stopAtOperand: cmd.optionsFirst === true });
  const values: Record<string, string | boolean | string[] | undefined> = {};
  for (const e of r.events) {
    if (isProblem(e)) {
      if (!exact) throw new UsageError(`${cmd.name}: ${e.problem}`);
      continue;
    }
    const spec = specs.find(([name]) => name === e.name)?.[1];
    if (spec?.type === 'string' && spec.multiple) values[e.name] = [...((values[e.name] as string[] | undefined) ?? []), e.value ?? ''];
    else values[e.name] = e.value ?? true;
  }
  return { values, positionals: r.operands, rest: r.rest, sequence: r.events, argc: argv.length };
}

export function parseCommandArgs(cmd: Command<unknown>, argv: readonly string[]): CommandInput {
  if (cmd.grammar !== undefined) return getoptArgs(cmd, argv);
  let dashdash = argv.indexOf('--');
  if (cmd.optionsFirst) {
    const at = restStart(cmd, argv);
    if (at >= 0 && argv[at] !== '--') argv = [...argv.slice(0, at), '--', ...argv.slice(at)];
    dashdash = at;
  }
  const head = dashdash < 0 ? argv : argv.slice(0, dashdash);
  const rest = dashdash < 0 ? [] : argv.slice(dashdash + 1);
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, o] of Object.entries(commandOptions(cmd))) {
    options[name] = {
      type: o.type,
      ...(o.short ? { short: o.short } : {}),
      ...(o.type === 'string' && o.multiple ? { multiple: true } : {}),
    };
  }
  try {
    const { values, positionals } = parseArgs({ args: [...head], options, allowPositionals: true, strict: true });
    return { values: values as ParsedValues, positionals, rest };
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] ?? e.message : String(e);
    throw new UsageError(`${cmd.name}: ${msg.replace(/\. To specify a positional.*$/, '')}`, { cause: e });
  }
}

/** Runs one command and returns its exit status; never throws, never exits. */
export async function runCommand(cmd: Command<unknown>, argv: readonly string[], io: Io = processIo): Promise<number> {
  // Only numapol's own --debug: `numapol run -- prog --debug` passes it to prog.
  const end = cmd.optionsFirst ? restStart(cmd, argv) : argv.indexOf('--');
  let debug = cmd.grammar !== 'exact' && (end < 0 ? argv : argv.slice(0, end)).includes('--debug');
  try {
    const parsed = parseCommandArgs(cmd, argv);
    if (cmd.grammar !== undefined) debug = parsed.values['debug'] === true;
    const input: CommandInput = { ...parsed, io };
    if (cmd.grammar !== 'exact' && input.values['help']) {
      io.stdout(helpText(cmd));
      return 0;
    }
    const data = await cmd.run(input);
    const text = input.values['json'] ? toJson(data) : cmd.render(data, input);
    if (text.length > 0) io.stdout(text.endsWith('\n') ? text : `${text}\n`);
    return cmd.exitCode ? cmd.exitCode(data) : 0;
  } catch (e) {
    return reportError(e, debug, io);
  }
}

export function reportError(e: unknown, debug: boolean, io: Io = processIo): number {
  if (e instanceof NumapolError) {
    io.stderr(`numapol: ${firstLine(e.message)}\n`);
    if (debug && e.stack) io.stderr(`${e.stack}\n`);
    return e.usage ? 2 : 1;
  }
  const msg = e instanceof Error ? e.message : String(e);
  io.stderr(`numapol: internal error: ${firstLine(msg)}${debug ? '' : ' (run with --debug for details)'}\n`);
  if (debug && e instanceof Error && e.stack) io.stderr(`${e.stack}\n`);
  return 1;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
