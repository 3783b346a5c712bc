/** Where the config and the state live by default (XDG base directories). Kept light: `--help` reads it. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'offerwatch', 'config.yaml');
}

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'offerwatch');
}
