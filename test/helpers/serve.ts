/** Starts `offerwatch serve` as a separate process over a config, and finds Chromium for browser tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { REPO } from './paths.js';

export interface Served {
  url: string;
  origin: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function serve(config: string, now: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test/helpers/run-cli.ts'), '--config', config, '--now', now, 'serve', '--port', '0', '--tz', 'Europe/Berlin', ...extra], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += String(d); });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += String(d);
      const m = /(http:\/\/\S+\?token=\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
  const u = new URL(url);
  return {
    url,
    origin: u.origin,
    port: Number(u.port),
    child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** A copy of the bundled demo (its config and mailbox) in a temporary directory, with its own state. */
export function demoCopy(): { dir: string; config: string; mbox: string; state: string; now: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ow-web-'));
  const mbox = join(dir, 'demo.mbox');
  copyFileSync(join(REPO, 'demo', 'demo.mbox'), mbox);
  const config = join(dir, 'config.yaml');
  writeFileSync(config, [
    'version: 1',
    'owner:',
    '  name: Jordan Okafor',
    '  addresses: [jordan@example.com]',
    'sources:',
    '  - { type: mbox, name: demo, path: demo.mbox }',
    'state: { dir: state }',
    'responses:',
    '  - name: decline-open-offers',
    '    when: { stage: offer }',
    '    propose: { decision: decline, reason: accepted-elsewhere }',
    'alerts:',
    '  channels:',
    '    - type: mailbox',
    '',
  ].join('\n'));
  return { dir, config, mbox, state: join(dir, 'state'), now: '2026-11-20T09:00:00Z' };
}

/** Debian's chromium, or CHROMIUM_PATH; null when none is installed. */
export function findChromium(): string | null {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[]) if (existsSync(p)) return p;
  return null;
}

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
