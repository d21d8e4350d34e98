import { Argument, type Command } from 'commander';
import { newCommand } from '../command-setup.js';
import { runCommand, type RunCommand } from '../command-runner.js';
import { loadCommandTree } from '../completion/command-tree.js';
import { completionData, type CompletionData } from '../completion/completion-data.js';
import { bashScript, zshScript } from '../completion/posix-scripts.js';
import { fishScript } from '../completion/fish-script.js';
import { powershellScript } from '../completion/powershell-script.js';
import { writeStdout } from '../io/standard-streams.js';

const SCRIPTS: Record<string, (data: CompletionData) => string> = {
  bash: bashScript,
  zsh: zshScript,
  fish: fishScript,
  powershell: powershellScript,
};

export function buildCommand(): Command {
  return newCommand(
    'completion',
    'Print a completion script for your shell: commands, flags, fixed flag values and file names.',
    [
      "echo 'source <(qs-jwt completion bash)' >> ~/.bashrc",
      "echo 'source <(qs-jwt completion zsh)' >> ~/.zshrc",
      'qs-jwt completion fish > ~/.config/fish/completions/qs-jwt.fish',
      'qs-jwt completion powershell >> $PROFILE',
    ],
  )
    .addArgument(new Argument('<shell>', 'the shell').choices(Object.keys(SCRIPTS)))
    .action(async (shell: string) => {
      const render = SCRIPTS[shell] as (data: CompletionData) => string;
      writeStdout(render(completionData(await loadCommandTree())));
    });
}

export const run: RunCommand = (args, debug) => runCommand(buildCommand, args, debug);
