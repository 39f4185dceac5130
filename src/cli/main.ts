/**
 * `labelwise` dispatcher. A command is a module exporting `summary` (one line for --help) and
 * `run(args): Promise<number>` (the exit code). Register new commands in COMMANDS.
 */
import { errorMessage } from '../core/errors';
import { USAGE_ERROR } from './shared';

export interface Command {
  summary: string;
  run(args: string[]): Promise<number>;
}

const COMMANDS: Record<string, () => Promise<Command>> = {
  agree: () => import('./agree.ts'),
  classify: () => import('./classify.ts'),
  eval: () => import('./eval.ts'),
  import: () => import('./import.ts'),
  simulate: () => import('./simulate.ts'),
};

async function usage(): Promise<string> {
  const lines = ['Usage: labelwise <command> [options]', '', 'Commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) {
    lines.push(`  ${name.padEnd(10)}${(await load()).summary}`);
  }
  lines.push('', 'Run `labelwise <command> --help` for the options of a command.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const text = await usage();
    if (name === undefined) {
      process.stderr.write(`${text}\n`);
      return USAGE_ERROR;
    }
    process.stdout.write(`${text}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (load === undefined) {
    process.stderr.write(`labelwise: unknown command "${name}"\n\n${await usage()}\n`);
    return USAGE_ERROR;
  }
  let command: Command;
  try {
    command = await load();
  } catch (error) {
    process.stderr.write(`labelwise: the ${name} command is not available (${errorMessage(error)})\n`);
    return USAGE_ERROR;
  }
  return command.run(args);
}
