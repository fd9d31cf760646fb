import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NumapolError, ProcessGoneError, UsageError } from '../../src/errors.js';
import { defineCommand, type CommandInput } from '../../src/cli/command.js';
import { helpText, parseCommandArgs, reportError, runCommand, type Io } from '../../src/cli/runner.js';

function memIo(): Io & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (t: string) => {
      io.out += t;
    },
    stderr: (t: string) => {
      io.err += t;
    },
  };
  return io;
}

const echo = defineCommand<{ n: number; addr: bigint; input: CommandInput }>({
  name: 'echo',
  summary: 'Echo its input.',
  usage: 'numapol echo [--n N] ARGS',
  options: {
    n: { type: 'string', short: 'n', valueName: 'N', description: 'a number' },
    flag: { type: 'boolean', short: 'f', description: 'a flag' },
    multi: { type: 'string', short: 'p', multiple: true, description: 'repeatable' },
  },
  details: 'JSON fields: n, addr.',
  run: (input) => {
    if (input.positionals[0] === 'usage') throw new UsageError('echo: bad thing');
    if (input.positionals[0] === 'gone') throw new ProcessGoneError(4242);
    if (input.positionals[0] === 'bug') throw new TypeError('x is not a function\nsecond line');
    if (input.positionals[0] === 'string') throw 'thrown string';
    return { n: Number(input.values['n'] ?? 0), addr: 0xffn, input };
  },
  render: (d) => `n=${d.n}`,
  exitCode: (d) => (d.n === 3 ? 3 : 0),
});

const run = defineCommand<{ rest: readonly string[]; values: CommandInput['values'] }>({
  name: 'run',
  summary: 'Options first.',
  usage: 'numapol run [OPTS] PROGRAM',
  optionsFirst: true,
  options: {
    interleave: { type: 'string', short: 'i', description: 'nodes' },
    localalloc: { type: 'boolean', short: 'l', description: 'local' },
  },
  run: (input) => ({ rest: input.rest, values: input.values }),
  render: (d) => d.rest.join(' '),
});

test('runCommand: renders to stdout with a final newline, exit 0', async () => {
  const io = memIo();
  assert.equal(await runCommand(echo, ['-n', '5', 'a'], io), 0);
  assert.equal(io.out, 'n=5\n');
  assert.equal(io.err, '');
});

test('runCommand --json: the data, bigint as hex', async () => {
  const io = memIo();
  assert.equal(await runCommand(echo, ['--json', '--n=2'], io), 0);
  const data = JSON.parse(io.out) as { n: number; addr: string };
  assert.equal(data.n, 2);
  assert.equal(data.addr, '0xff');
});

test('runCommand --help: help on stdout, exit 0, run not called', async () => {
  const io = memIo();
  assert.equal(await runCommand(echo, ['--help', 'usage'], io), 0);
  assert.equal(io.out, helpText(echo));
  assert.match(io.out, /^Usage: numapol echo/);
  assert.match(io.out, /-n, --n=N\s+a number/);
  assert.match(io.out, /--json/);
  assert.match(io.out, /JSON fields: n, addr\./);
  assert.equal(io.err, '');
});

test('runCommand: exit statuses — usage error 2, operation error 1, exitCode hook', async () => {
  const cases: [string[], number, RegExp][] = [
    [['usage'], 2, /^numapol: echo: bad thing\n$/],
    [['gone'], 1, /^numapol: pid 4242 is gone\n$/],
    [['--bogus'], 2, /^numapol: echo: Unknown option '--bogus'\n$/],
    [['-n'], 2, /^numapol: echo: .*-n/],
    [['bug'], 1, /^numapol: internal error: x is not a function \(run with --debug for details\)\n$/],
    [['string'], 1, /^numapol: internal error: thrown string/],
  ];
  for (const [argv, status, err] of cases) {
    const io = memIo();
    assert.equal(await runCommand(echo, argv, io), status, argv.join(' '));
    assert.match(io.err, err, argv.join(' '));
    assert.equal(io.out, '');
    assert.doesNotMatch(io.err, /\n\s+at /, 'no stack without --debug');
  }
  const io = memIo();
  assert.equal(await runCommand(echo, ['-n', '3'], io), 3);
});

test('runCommand --debug: the stack follows the one-line message', async () => {
  for (const what of ['gone', 'bug']) {
    const io = memIo();
    await runCommand(echo, [what, '--debug'], io);
    const [first, ...more] = io.err.split('\n');
    assert.match(first!, /^numapol: /);
    assert.match(more.join('\n'), /\n\s+at /);
  }
});

test('reportError: NumapolError usage flag decides 2 or 1', () => {
  const io = memIo();
  assert.equal(reportError(new NumapolError('EX', 'boom', { usage: true }), false, io), 2);
  assert.equal(reportError(new NumapolError('EX', 'boom\nmore'), false, io), 1);
  assert.equal(io.err, 'numapol: boom\nnumapol: boom\n');
});

test('parseCommandArgs: repeatable options, bundled shorts, and -- ends options', () => {
  const a = parseCommandArgs(echo, ['-p', '1', '-p', 'x', '-f', 'pos', '--', '--n', 'y']);
  assert.deepEqual(a.values['multi'], ['1', 'x']);
  assert.equal(a.values['flag'], true);
  assert.deepEqual(a.positionals, ['pos']);
  assert.deepEqual(a.rest, ['--n', 'y']);
});

test('parseCommandArgs optionsFirst: the program starts at the first non-option', () => {
  const cases: [string[], string[], Record<string, unknown>][] = [
    [['-i', '0', 'prog', '-l', '--x'], ['prog', '-l', '--x'], { interleave: '0' }],
    [['--interleave', '0-1', 'prog'], ['prog'], { interleave: '0-1' }],
    [['--interleave=0', '-l', 'prog', '--', 'a'], ['prog', '--', 'a'], { interleave: '0', localalloc: true }],
    [['-i0,1', 'prog'], ['prog'], { interleave: '0,1' }],
    [['-l', '--', 'prog', '-i', '0'], ['prog', '-i', '0'], { localalloc: true }],
    [['-l', '-', 'x'], ['-', 'x'], { localalloc: true }],
    [['-l'], [], { localalloc: true }],
  ];
  for (const [argv, rest, values] of cases) {
    const p = parseCommandArgs(run, argv);
    assert.deepEqual(p.rest, rest, argv.join(' '));
    for (const [k, v] of Object.entries(values)) assert.equal(p.values[k], v, `${argv.join(' ')}: ${k}`);
    assert.deepEqual(p.positionals, []);
  }
});

test('runCommand optionsFirst: the program\'s own --help and --json are not ours', async () => {
  const io = memIo();
  assert.equal(await runCommand(run, ['-l', 'prog', '--help', '--json'], io), 0);
  assert.equal(io.out, 'prog --help --json\n');
});

test("runCommand: a --debug that belongs to the program (after -- or the program name) is not numapol's", async () => {
  const failing = defineCommand<never>({
    name: 'fail',
    summary: 'Always fails.',
    usage: 'numapol fail [-- ARGS]',
    options: {},
    run: () => {
      throw new ProcessGoneError(7);
    },
    render: () => '',
  });
  for (const [cmd, argv] of [
    [failing, ['--', '--debug']],
    [failing, ['--', 'x', '--debug']],
  ] as const) {
    const io = memIo();
    await runCommand(cmd, argv, io);
    assert.equal(io.err, 'numapol: pid 7 is gone\n', argv.join(' '));
  }
  const io = memIo();
  await runCommand(failing, ['--debug', '--', 'x'], io);
  assert.match(io.err, /\n\s+at /);
});
