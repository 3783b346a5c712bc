/** The `offerwatch` command line. Every command is a thin layer over the parts in src/. */
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, EXIT, OfferwatchError, isOfferwatchError } from '../errors.js';
import { fixedClock, systemClock, type Clock } from '../clock.js';
import { defaultConfigPath } from '../config/load.js';
import { PACKAGE_ROOT } from '../paths.js';
import { registerCommands } from './commands.js';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export interface GlobalOptions {
  config: string;
  now?: string;
}

export function clockFrom(now: string | undefined): Clock {
  if (!now) return systemClock;
  const d = new Date(now);
  if (Number.isNaN(d.getTime())) throw new OfferwatchError('EUSAGE', `cannot use --now: "${now}" is not an ISO 8601 time`);
  return fixedClock(d);
}

export function buildProgram(io: Io): Command {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  const program = new Command('offerwatch')
    .description('Watches your mailbox for job applications, interviews and offers; tells you who is waiting on your reply; prepares decline and withdrawal drafts for you to review. Never sends mail.')
    .version(pkg.version)
    .addOption(new Option('-c, --config <file>', 'config file').default(defaultConfigPath(io.env)))
    .option('--now <iso>', 'the time to act as if it were now (ISO 8601), for reproducible runs')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride()
    .showHelpAfterError();
  registerCommands(program, io);
  return program;
}

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    // Actions set the code on their own (sub)command, not on the program.
    const codeOf = (c: Command): number | undefined => (c as Command & { exitCodeValue?: number }).exitCodeValue ?? c.commands.map(codeOf).find((v) => v !== undefined);
    return codeOf(program) ?? EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.OK : EXIT.CONFIG;
    if (e instanceof ConfigError) {
      io.err(`offerwatch: ${e.message}\n`);
      return EXIT.CONFIG;
    }
    if (isOfferwatchError(e)) {
      io.err(`offerwatch: ${e.message}\n`);
      return e.code === 'EUSAGE' ? EXIT.CONFIG : EXIT.FAILURE;
    }
    throw e;
  }
}

function defaultIo(): Io {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    env: process.env,
  };
}
