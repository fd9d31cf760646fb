import { NumapolError, UsageError } from '../../errors.js';
import { noExtraArgs } from '../args.js';
import { defineCommand, type Command } from '../command.js';
import { bashCompletion } from '../docs/completion-bash.js';
import { zshCompletion } from '../docs/completion-zsh.js';
import { specsOfEntries, type CommandEntry } from '../docs/spec.js';

interface Completion {
  readonly shell: 'bash' | 'zsh';
  readonly script: string;
}

/**
 * The command, for the CLI's list of commands (main.ts passes it): the script covers every
 * command that list has. The module's default has no list: it serves the docs and the README
 * test, which read its options, and refuses to run.
 */
export function completionCommand(commands?: Readonly<Record<string, CommandEntry>>): Command<unknown> {
  return defineCommand<Completion>({
    name: 'completion',
    summary: 'Print the bash or zsh completion script: commands, their options, process ids, nodes and files as values.',
    usage: 'numapol completion bash|zsh',
    options: {},
    details: `Install for every user:
    numapol completion bash > /etc/bash_completion.d/numapol
    numapol completion zsh > /usr/local/share/zsh/site-functions/_numapol
or for one bash user, in ~/.bashrc: source <(numapol completion bash).
The same scripts ship in the package, under dist/completion (numapol.bash, _numapol).
JSON: {shell, script}.`,
    run: async ({ positionals }) => {
      noExtraArgs(positionals, 1, 'completion');
      const shell = positionals[0];
      if (shell !== 'bash' && shell !== 'zsh') throw new UsageError(`completion: name the shell, bash or zsh${shell === undefined ? '' : `, not '${shell}'`}`);
      if (commands === undefined) throw new NumapolError('EINVAL', 'completion: no list of commands to complete (run it as numapol completion)');
      const specs = await specsOfEntries(commands);
      return { shell, script: shell === 'bash' ? bashCompletion(specs) : zshCompletion(specs) };
    },
    render: (c) => c.script,
  });
}

export default completionCommand();
