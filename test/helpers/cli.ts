/** Runs the CLI in-process, capturing what it prints. */
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await main(['node', 'offerwatch', ...args], {
    out: (t) => { out += t; },
    err: (t) => { err += t; },
    env: { HOME: process.env.HOME, ...env },
  });
  return { code, out, err };
}
