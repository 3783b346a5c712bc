/**
 * The IMAP password: from a file that only its owner can read (0600 or stricter; anything
 * looser is refused) or from an environment variable named in the config. Never from the
 * config itself, never logged, never part of an error message.
 */
import { readFileSync, statSync } from 'node:fs';
import { ConfigError } from '../../errors.js';
import type { ImapSourceConfig } from './config.js';

export function readPassword(cfg: ImapSourceConfig, resolvePath: (p: string) => string, env: NodeJS.ProcessEnv = process.env): string {
  if (cfg.passwordFile !== undefined) {
    const file = resolvePath(cfg.passwordFile);
    let mode: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new ConfigError({ file }, `source ${cfg.name}: passwordFile is not a file`);
      mode = st.mode & 0o777;
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      throw new ConfigError({ file }, `source ${cfg.name}: cannot read passwordFile (${code === 'ENOENT' ? 'it does not exist' : code ?? 'unreadable'})`, { cause: e });
    }
    if ((mode & 0o077) !== 0) {
      throw new ConfigError(
        { file },
        `source ${cfg.name}: passwordFile is readable by others (mode ${mode.toString(8).padStart(4, '0')}); refusing to use it: run chmod 600 ${file}`,
      );
    }
    let pw: string;
    try {
      pw = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError({ file }, `source ${cfg.name}: cannot read passwordFile (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`, { cause: e });
    }
    // One line: the trailing newline editors add is not part of the password.
    pw = pw.replace(/\r?\n$/, '');
    if (pw === '') throw new ConfigError({ file }, `source ${cfg.name}: passwordFile is empty`);
    return pw;
  }
  const name = cfg.passwordEnv!;
  const pw = env[name];
  if (pw === undefined || pw === '') {
    throw new ConfigError({ file: `environment variable ${name}` }, `source ${cfg.name}: passwordEnv names ${name}, which is not set`);
  }
  return pw;
}
