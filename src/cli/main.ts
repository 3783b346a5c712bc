/** The `offerwatch` command line. Every command is a thin layer over the parts in src/. */
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT, OfferwatchError, exitCodeFor, isOfferwatchError } from '../errors.js';
import { fixedClock, parseInstant, systemClock, type Clock } from '../clock.js';
import { defaultConfigPath } from '../config/location.js';
import { PACKAGE_ROOT } from '../paths.js';
import { registerCommands } from './commands.js';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** stdout is a terminal (colour). */
  isTTY?: boolean;
  /** stderr is a terminal (progress). */
  errIsTTY?: boolean;
  /** Asks a person a question on the terminal; absent when stdin is not one. */
  ask?: (question: string) => Promise<string>;
}

export interface GlobalOptions {
  config: string;
  now?: string;
  debug?: boolean;
}

export function clockFrom(now: string | undefined): Clock {
  if (!now) return systemClock;
  const d = parseInstant(now);
  if (!d) throw new OfferwatchError('EUSAGE', `cannot use --now: "${now.slice(0, 60)}" is not an ISO 8601 instant such as 2026-11-20T12:00:00Z (a real date, a time and a zone)`);
  return fixedClock(d);
}

export function buildProgram(io: Io): Command {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  const program = new Command('offerwatch')
    .description('Watches your mailbox for job applications, interviews and offers; tells you who is waiting on your reply; prepares decline and withdrawal drafts for you to review. Never sends mail.')
    .version(pkg.version)
    .addOption(new Option('-c, --config <file>', 'config file').default(defaultConfigPath(io.env)))
    .option('--now <iso>', 'the time to act as if it were now (ISO 8601 with a zone, e.g. 2026-11-20T12:00:00Z), for reproducible runs')
    .option('--debug', 'print the stack trace of an unexpected error')
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
    // Actions set the code on the program with setExitCode.
    return (program as Command & { exitCodeValue?: number }).exitCodeValue ?? EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    const debug = argv.includes('--debug');
    const first = (s: string) => s.split('\n')[0]!.trim();
    if (isOfferwatchError(e)) io.err(`offerwatch: ${first(e.message)}${e.overridable ? ' (or use --force to go ahead anyway)' : ''}\n`);
    else io.err(`offerwatch: internal error: ${first(e instanceof Error ? e.message : String(e))} (run again with --debug for details)\n`);
    if (debug && e instanceof Error && e.stack) io.err(`${e.stack}\n`);
    return exitCodeFor(e);
  }
}

/** Sets the exit code of the whole run from inside a (sub)command; the highest code wins. */
export function setExitCode(cmd: Command, code: number): void {
  let root: Command = cmd;
  while (root.parent) root = root.parent;
  const r = root as Command & { exitCodeValue?: number };
  r.exitCodeValue = Math.max(r.exitCodeValue ?? 0, code);
}

function defaultIo(): Io {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
    errIsTTY: Boolean(process.stderr.isTTY),
    ask: process.stdin.isTTY ? askOnTerminal : undefined,
  };
}

async function askOnTerminal(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}
