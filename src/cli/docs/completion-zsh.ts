/**
 * The zsh completion function (_numapol), from the commands' specs, through zsh's _arguments:
 * commands with their summaries, each command's options with their descriptions, values and
 * arguments by what they name (_pids, NUMA nodes, _files, programs for `run`, policy names).
 */
import type { CommandSpec, OptionInfo, PositionalInfo, ValueHint } from './spec.js';
import { shellQuote } from './completion-bash.js';

/** Text inside an _arguments [explanation]: it ends at the first `]` not behind a backslash. */
export function zshExplanation(text: string): string {
  return text.replace(/[\\\]]/g, (c) => `\\${c}`);
}

/** A message between colons: no colon of its own. */
function message(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
}

function action(h: ValueHint): string {
  switch (h.kind) {
    case 'pid':
      return '_pids';
    case 'node':
      return '_numapol_nodes';
    case 'file':
      return '_files';
    case 'command':
      return '_command_names -e';
    case 'policy':
      return '_numapol_policies';
    case 'words':
      return `(${h.words.join(' ')})`;
    case 'none':
      return ' ';
  }
}

function optionSpecs(o: OptionInfo): string[] {
  const explanation = `[${zshExplanation(o.description)}]`;
  const value = o.takesValue ? `:${message(o.valueName ?? 'VALUE')}:${action(o.hint)}` : '';
  // A value may follow in the same word (-p1, --top=5) or the next.
  const long = `--${o.long}${o.takesValue ? '=' : ''}`;
  const short = o.short === undefined ? undefined : `-${o.short}${o.takesValue ? '+' : ''}`;
  if (short === undefined) return [shellQuote(`${o.multiple ? '*' : ''}${long}${explanation}${value}`)];
  const exclude = o.multiple ? '*' : `(-${o.short} --${o.long})`;
  return [`${shellQuote(exclude)}{${short},${long}}${shellQuote(`${explanation}${value}`)}`];
}

function positionalSpec(p: PositionalInfo, i: number): string {
  return shellQuote(`${i + 1}:${p.optional ? ':' : ''}${message(p.name)}:${action(p.hint)}`);
}

function commandArm(s: CommandSpec): string {
  const specs = [
    ...s.options.flatMap(optionSpecs),
    ...s.positionals.filter((p) => !(s.program && p.hint.kind === 'file')).map(positionalSpec),
    // run: the program's own arguments, completed as that program's.
    ...(s.program ? [shellQuote('*::arguments:_normal')] : []),
  ];
  // -S: "--" ends the options; -A "-*": for run, options stop at the program.
  const flags = s.program ? "-s -S -A '-*'" : '-s -S';
  return [`    ${shellQuote(s.name)})`, `      _arguments ${flags} \\`, ...specs.map((x) => `        ${x} \\`), '        && ret=0', '      ;;'].join('\n');
}

export function zshCompletion(specs: readonly CommandSpec[]): string {
  const commands = specs.map((s) => `    ${shellQuote(`${s.name}:${s.brief}`)}`).join('\n');
  return `#compdef numapol
# zsh completion for numapol(8), generated from numapol's command definitions: do not edit.
# Install: numapol completion zsh > /usr/local/share/zsh/site-functions/_numapol
# (any directory of $fpath; then restart zsh or run compinit)

_numapol_nodes() {
  local -a nodes
  nodes=(/sys/devices/system/node/node<->(N:t))
  nodes=(\${nodes#node} all)
  _wanted nodes expl 'NUMA node' compadd -a nodes
}

_numapol_policies() {
  compadd -- default local
  compadd -S '' -- bind= interleave= prefer= preferred-many= weighted-interleave=
}

_numapol_command() {
  local -a commands
  commands=(
${commands}
  )
  _describe -t commands 'numapol command' commands
}

_numapol() {
  local curcontext="$curcontext" state line ret=1
  typeset -A opt_args
  _arguments -C \\
    '(- :)'{-h,--help}'[show the commands]' \\
    '(- :)'{-V,--version}'[print the version]' \\
    '1: :_numapol_command' \\
    '*:: :->args' \\
    && ret=0
  [[ $state == args ]] || return ret
  curcontext="\${curcontext%:*:*}:numapol-\${words[1]}:"
  case \${words[1]} in
${specs.map(commandArm).join('\n')}
  esac
  return ret
}

_numapol "$@"
`;
}
