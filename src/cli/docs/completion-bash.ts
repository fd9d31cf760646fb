/**
 * The bash completion script, from the commands' specs: command names; each command's options;
 * option values and arguments by what they name (process ids from /proc, NUMA nodes from /sys,
 * files, programs for `run`, policy names). No bash-completion package needed.
 */
import type { CommandSpec, ValueHint } from './spec.js';

/** A hint as the script's one-word form: pid, node, file, command, policy, words:a,b, none. */
export function hintWord(h: ValueHint): string {
  return h.kind === 'words' ? `words:${h.words.join(',')}` : h.kind;
}

/** Single-quoted for bash: nothing inside is special; a quote is closed, escaped, reopened. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function caseArm(s: CommandSpec): string {
  const words = s.options.flatMap((o) => [`--${o.long}`, ...(o.short !== undefined ? [`-${o.short}`] : [])]);
  const values = s.options.filter((o) => o.takesValue).flatMap((o) => {
    const h = hintWord(o.hint);
    return [`--${o.long}:${h}`, ...(o.short !== undefined ? [`-${o.short}:${h}`] : [])];
  });
  const args = s.positionals.map((p) => hintWord(p.hint));
  return [
    `        ${shellQuote(s.name)})`,
    `            opts=${shellQuote(words.join(' '))}`,
    `            vals=${shellQuote(values.join(' '))}`,
    `            args=${shellQuote(args.join(' '))}`,
    `            prog=${s.program ? 1 : 0}`,
    '            ;;',
  ].join('\n');
}

export function bashCompletion(specs: readonly CommandSpec[]): string {
  const names = specs.map((s) => s.name).join(' ');
  return `# bash completion for numapol(8), generated from numapol's command definitions: do not edit.
# Install: numapol completion bash > /etc/bash_completion.d/numapol
# (or source it from ~/.bashrc: source <(numapol completion bash))

_numapol_pids() {
    local d
    for d in /proc/[0-9]*; do
        printf '%s\\n' "\${d#/proc/}"
    done
}

_numapol_nodes() {
    local d
    for d in /sys/devices/system/node/node[0-9]*; do
        [[ -e $d ]] && printf '%s\\n' "\${d##*/node}"
    done
    printf '%s\\n' all
}

# Adds to COMPREPLY the values of kind $1 (pid, node, file, command, policy, words:a,b) that
# start with $2.
_numapol_offer() {
    local w
    case $1 in
        pid) COMPREPLY+=( $(compgen -W "$(_numapol_pids)" -- "$2") ) ;;
        node) COMPREPLY+=( $(compgen -W "$(_numapol_nodes)" -- "$2") ) ;;
        file)
            compopt -o filenames 2>/dev/null
            local IFS=$'\\n'
            COMPREPLY+=( $(compgen -f -- "$2") )
            ;;
        command) COMPREPLY+=( $(compgen -c -- "$2") ) ;;
        policy)
            COMPREPLY+=( $(compgen -W "default local bind= interleave= prefer= preferred-many= weighted-interleave=" -- "$2") )
            # bind= wants its nodes right after it.
            [[ \${#COMPREPLY[@]} -eq 1 && \${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
            ;;
        words:*)
            w=\${1#words:}
            COMPREPLY+=( $(compgen -W "\${w//,/ }" -- "$2") )
            ;;
    esac
    return 0
}

# Prints the value kind of option $1 from the list $2 ("--opt:kind ..."); fails when $1 takes no value.
_numapol_hint() {
    local p
    for p in $2; do
        if [[ \${p%%:*} == "$1" ]]; then
            printf '%s\\n' "\${p#*:}"
            return 0
        fi
    done
    return 1
}

_numapol() {
    COMPREPLY=()
    # Words as typed: bash splits --opt=value at '=' (COMP_WORDBREAKS); join them back.
    local -a w=()
    local i t
    for (( i = 0; i <= COMP_CWORD; i++ )); do
        t=\${COMP_WORDS[i]}
        if (( i > 1 )) && [[ $t == '=' || \${COMP_WORDS[i-1]} == '=' ]]; then
            w[\${#w[@]}-1]+=$t
        else
            w+=("$t")
        fi
    done
    local n=$(( \${#w[@]} - 1 ))
    local cur=\${w[n]}
    if (( n <= 1 )); then
        if [[ $cur == -* ]]; then
            _numapol_offer words:--help,-h,--version,-V "$cur"
        else
            _numapol_offer words:${names.split(' ').join(',')} "$cur"
        fi
        return 0
    fi
    local opts vals args prog
    case \${w[1]} in
${specs.map(caseArm).join('\n')}
        *) return 0 ;;
    esac
    # Which argument the current word is: options and their values do not count.
    local k=0 dashdash=0 skip=0 hint
    for (( i = 2; i < n; i++ )); do
        t=\${w[i]}
        if (( skip )); then
            skip=0
        elif (( prog && k >= 1 )); then
            break
        elif (( !dashdash )) && [[ $t == -- ]]; then
            dashdash=1
        elif (( !dashdash )) && [[ $t == -?* ]]; then
            [[ $t != *=* ]] && _numapol_hint "$t" "$vals" >/dev/null && skip=1
        else
            k=$(( k + 1 ))
        fi
    done
    # After run's program: the program's own arguments.
    if (( prog && k >= 1 )); then
        _numapol_offer file "$cur"
        return 0
    fi
    if (( !dashdash )); then
        # --opt=VALUE: readline completes what follows the '='.
        if [[ $cur == -?*=* ]]; then
            hint=$(_numapol_hint "\${cur%%=*}" "$vals") && _numapol_offer "$hint" "\${cur#*=}"
            return 0
        fi
        if (( skip )); then
            hint=$(_numapol_hint "\${w[n-1]}" "$vals") && _numapol_offer "$hint" "$cur"
            return 0
        fi
        if [[ $cur == -* ]]; then
            _numapol_offer "words:\${opts// /,}" "$cur"
            return 0
        fi
    fi
    local -a a=($args)
    if (( k < \${#a[@]} )); then
        hint=\${a[k]}
        if [[ $hint == policy && $cur == *=* ]]; then
            _numapol_offer node "\${cur#*=}"
        else
            _numapol_offer "$hint" "$cur"
        fi
    fi
    # Nothing typed yet: the options too.
    [[ -z $cur ]] && (( !dashdash )) && _numapol_offer "words:\${opts// /,}" ''
    return 0
}

complete -F _numapol numapol
`;
}
