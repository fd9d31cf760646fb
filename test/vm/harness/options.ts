import { HarnessError } from './exit-codes.js';

/** Everything the CLI can ask for. */
export interface VmOptions {
  readonly nodes: number;
  readonly memMiB: readonly number[];
  readonly dist: string | undefined;
  readonly cpuless: readonly number[];
  readonly kvm: boolean;
  readonly timeoutSec: number;
  readonly verbose: boolean;
  readonly append: readonly string[];
  readonly outDir: string | undefined;
  readonly refresh: boolean;
  readonly printOnly: boolean;
  readonly help: boolean;
  /** Shell command run in the repo directory in the guest; undefined means none was given. */
  readonly command: string | undefined;
}

/** The command `--tests` runs in the guest: every compiled test under dist/test/vm. */
export const TESTS_COMMAND = 'node scripts/run-tests.mjs vm';
export const DEFAULT_TIMEOUT_SEC = 1800;

export const USAGE = `usage: npm run vm -- [options] '<shell command>'
       node dist/test/vm/harness/main.js [options] ('<shell command>' | --tests)
Boots a QEMU guest with emulated NUMA nodes and runs the command in the current directory there.
  --nodes N          number of NUMA nodes (default 4)
  --mem-mib M[,M..]  MiB per node, one value or one per node (default 1024)
  --dist D           distance matrix: preset line (default: 10 local, 20 neighbour, 30 far) or
                     uniform, or rows like '10,20;20,10'
  --cpuless LIST     nodes with memory but no CPU, e.g. 3 or 2,3 or 2-3 (CXL-like tiers)
  --timeout S        kill the guest after S seconds (default ${DEFAULT_TIMEOUT_SEC}; exit 124)
  --kvm              use KVM and -cpu host (real hardware; TCG is the default)
  --append ARGS      extra kernel command-line words
  --verbose          show kernel messages
  --out DIR          copy what the command wrote to $NUMAPOL_VM_OUT into DIR
  --refresh          fetch the kernel and build the initramfs again
  --print            print the qemu command line and exit
  --tests            run the VM test suite (${TESTS_COMMAND})
Exit status: the command's own; 124 guest timed out; 125 guest never ran the command.`;

/** Parses "3", "2,3", "1-3,5" into node numbers. */
export function parseNodeList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new HarnessError(`--cpuless: "${part}" is not a node number or range`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new HarnessError(`--cpuless: range "${part}" is backwards`);
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}

function positiveInt(flag: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) <= 0) throw new HarnessError(`${flag}: expected a positive whole number, got "${v}"`);
  return Number(v);
}

/** Parses the harness command line (options first, then the command words). */
export function parseOptions(argv: readonly string[]): VmOptions {
  let nodes = 4;
  let memMiB: number[] = [1024];
  let dist: string | undefined;
  let cpuless: number[] = [];
  let kvm = false;
  let timeoutSec = DEFAULT_TIMEOUT_SEC;
  let verbose = false;
  const append: string[] = [];
  let outDir: string | undefined;
  let refresh = false;
  let printOnly = false;
  let help = false;
  let tests = false;
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new HarnessError(`${a} needs a value`);
      return v;
    };
    if (words.length > 0) { words.push(a); continue; }
    switch (a) {
      case '--nodes': nodes = positiveInt(a, value()); break;
      case '--mem-mib': memMiB = value().split(',').map((s) => positiveInt(a, s.trim())); break;
      case '--dist': dist = value(); break;
      case '--cpuless': cpuless = parseNodeList(value()); break;
      case '--kvm': kvm = true; break;
      case '--timeout': timeoutSec = positiveInt(a, value()); break;
      case '--verbose': verbose = true; break;
      case '--append': append.push(...value().split(/\s+/).filter((s) => s !== '')); break;
      case '--out': outDir = value(); break;
      case '--refresh': refresh = true; break;
      case '--print': printOnly = true; break;
      case '--tests': tests = true; break;
      case '-h': case '--help': help = true; break;
      case '--': words.push(...argv.slice(i + 1)); i = argv.length; break;
      default:
        if (a.startsWith('--')) throw new HarnessError(`unknown option ${a}\n${USAGE}`);
        words.push(a);
    }
  }
  if (tests && words.length > 0) throw new HarnessError('give either --tests or a command, not both');
  const command = tests ? TESTS_COMMAND : words.length > 0 ? words.join(' ') : undefined;
  return { nodes, memMiB, dist, cpuless, kvm, timeoutSec, verbose, append, outDir, refresh, printOnly, help, command };
}
