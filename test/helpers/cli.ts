/** Runs the CLI in-process, capturing what it prints. */
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** `tty`: act as if stdout and stderr were a terminal; `answers`: what a person types at prompts. */
export async function cli(args: string[], env: NodeJS.ProcessEnv = {}, opts: { tty?: boolean; answers?: string[] } = {}): Promise<CliResult> {
  let out = '';
  let err = '';
  const answers = [...(opts.answers ?? [])];
  const code = await main(['node', 'offerwatch', ...args], {
    out: (t) => { out += t; },
    err: (t) => { err += t; },
    env: { HOME: process.env.HOME, TZ: 'UTC', ...env }, // times shown in UTC unless a test sets TZ: same output on every machine
    isTTY: opts.tty ?? false,
    errIsTTY: opts.tty ?? false,
    ask: opts.tty ? async (q) => { out += q; return answers.shift() ?? ''; } : undefined,
  });
  return { code, out, err };
}
