/**
 * A real Dovecot IMAP server for tests, started from a temporary configuration:
 * its own base_dir, state and log file in a temporary directory, one passwd-file user,
 * Maildir storage, SPECIAL-USE mailboxes (or foreign-language names without them),
 * CONDSTORE/QRESYNC on (or hidden from the capability list), and TLS with a certificate
 * made for the test by `openssl`. It listens on free loopback ports: `port` (plaintext and
 * STARTTLS) and `tlsPort` (implicit TLS). Readiness is detected by polling the port for the
 * IMAP greeting, never by sleeping a fixed time.
 *
 * Runs as root (CI) as well as an ordinary user: every Dovecot service, the mail processes
 * included, runs as the user who started it (first_valid_uid = that uid, also 0).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const DOVECOT_USER = 'sam';
export const DOVECOT_PASSWORD = 'correct horse battery staple';

/** Where the dovecot binary is, or null (tests that need it skip with a message). */
export function findDovecot(): string | null {
  for (const p of [process.env.DOVECOT_BIN, '/usr/sbin/dovecot', '/usr/local/sbin/dovecot', '/usr/bin/dovecot']) {
    if (p && existsSync(p)) return p;
  }
  try {
    const p = execFileSync('sh', ['-c', 'command -v dovecot'], { encoding: 'utf8' }).trim();
    return p || null;
  } catch {
    return null;
  }
}

export const DOVECOT_BIN = findDovecot();
export const HAS_DOVECOT = DOVECOT_BIN !== null;
export const NO_DOVECOT_REASON = 'dovecot is not installed (apt-get install -y dovecot-imapd); IMAP tests against the real server are skipped';

export interface DovecotOptions {
  /** Advertise CONDSTORE and QRESYNC (default true). Off: they are left out of the capability list. */
  qresync?: boolean;
  /** Advertise LIST-STATUS (default true). Only with `qresync: false` (both edit the capability list). */
  listStatus?: boolean;
  /** Mark Sent, Drafts, Junk, Trash and Archive with SPECIAL-USE (default true). */
  specialUse?: boolean;
  /** Mailbox names to auto-create (default Sent, Drafts, Junk, Trash, Archive). */
  mailboxes?: { sent?: string; drafts?: string; junk?: string; trash?: string; archive?: string };
  /** Hierarchy separator (default '/'). */
  separator?: string;
}

export interface Dovecot {
  host: '127.0.0.1';
  /** Plaintext and STARTTLS. */
  port: number;
  /** Implicit TLS. */
  tlsPort: number;
  user: string;
  password: string;
  /** PEM of the test certificate (to trust it in a TLS client). */
  ca: string;
  dir: string;
  logFile: string;
  /** Maildir root of the user. */
  maildir: string;
  log(): string;
  stop(): Promise<void>;
}

/** A free loopback TCP port (bound and released; Dovecot binds it right after). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once something on host:port sends an IMAP greeting. */
export async function waitForGreeting(port: number, opts: { timeoutMs?: number; exited?: () => string | null; tls?: boolean } = {}): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    const why = opts.exited?.();
    if (why) throw new Error(why);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = opts.tls ? tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }) : connect({ host: '127.0.0.1', port });
      let buf = '';
      const done = (v: boolean) => {
        sock.destroy();
        resolve(v);
      };
      sock.setTimeout(2000, () => done(false));
      sock.on('data', (d) => {
        buf += d.toString('latin1');
        if (buf.includes('\n')) done(buf.startsWith('* OK'));
      });
      sock.on('error', () => done(false));
      sock.on('close', () => done(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`dovecot did not greet on 127.0.0.1:${port}`);
    // Poll the port again shortly (the poll itself is the wait, not a fixed sleep before use).
    await new Promise((r) => setTimeout(r, 50));
  }
}

function systemUser(name: string): { name: string; uid: number; gid: number } | null {
  try {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
    if (!line) return null;
    const f = line.split(':');
    return { name, uid: Number(f[2]), gid: Number(f[3]) };
  } catch {
    return null;
  }
}

function makeCert(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
    '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  chmodSync(key, 0o600);
  return { cert, key };
}

/** Dovecot 2.3's post-login capabilities without CONDSTORE and QRESYNC. */
const CAPS_WITHOUT_QRESYNC =
  'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE';

/** Every ancestor of `dir` lets others traverse it (o+x). */
function traversable(dir: string): boolean {
  let d = resolve(dir);
  for (;;) {
    try {
      if ((statSync(d).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    const up = dirname(d);
    if (up === d) return true;
    d = up;
  }
}

/**
 * Where the server's directory goes: the system temp dir, unless (as on some CI machines)
 * it is 0700 — Dovecot's unprivileged processes must traverse every ancestor of the Maildir.
 */
function tempRoot(): string {
  for (const d of [tmpdir(), '/var/tmp', '/dev/shm']) if (traversable(d)) return d;
  return tmpdir();
}

export async function startDovecot(opts: DovecotOptions = {}): Promise<Dovecot> {
  if (!DOVECOT_BIN) throw new Error(NO_DOVECOT_REASON);
  const dir = mkdtempSync(join(tempRoot(), 'ow-dovecot-'));
  // Dovecot's helper processes run as the same user, but they traverse the directory.
  chmodSync(dir, 0o755);
  const me = userInfo();
  const run = join(dir, 'run');
  const state = join(dir, 'state');
  const home = join(dir, 'home', DOVECOT_USER);
  mkdirSync(run, { recursive: true });
  mkdirSync(state, { recursive: true });
  mkdirSync(home, { recursive: true });
  const maildir = join(home, 'Maildir');
  const logFile = join(dir, 'dovecot.log');
  const { cert, key } = makeCert(dir);
  const users = join(dir, 'users');
  // No uid/gid fields: passwd-file rejects UID 0 ("invalid UID '0'") even when
  // first_valid_uid allows it; mail_uid/mail_gid below give the mail processes their user.
  writeFileSync(users, `${DOVECOT_USER}:{PLAIN}${DOVECOT_PASSWORD}:::${home}::\n`, { mode: 0o600 });
  const port = await freePort();
  let tlsPort = await freePort();
  while (tlsPort === port) tlsPort = await freePort();

  const specialUse = opts.specialUse ?? true;
  const names = { sent: 'Sent', drafts: 'Drafts', junk: 'Junk', trash: 'Trash', archive: 'Archive', ...opts.mailboxes };
  const uses: Record<keyof typeof names, string> = { sent: '\\Sent', drafts: '\\Drafts', junk: '\\Junk', trash: '\\Trash', archive: '\\Archive' };
  const mailboxBlocks = (Object.keys(names) as (keyof typeof names)[])
    .map((role) => `  mailbox "${names[role]}" {\n    auto = subscribe\n${specialUse ? `    special_use = ${uses[role]}\n` : ''}  }`)
    .join('\n');
  // Dovecot refuses to run its login processes as root ("This process must not be run as
  // root"): as root they run as Debian's unprivileged dovenull/dovecot users (made by the
  // package), everything else stays root; as anyone else, every process runs as that user.
  // Mail processes may not run as root either ("Mail access not allowed for root"), so as
  // root the mailbox belongs to the dovecot user and its processes run as that user.
  const root = me.uid === 0;
  const nobody = { name: 'nobody', uid: 65534, gid: 65534 };
  const login = root ? systemUser('dovenull') ?? nobody : { name: me.username, uid: me.uid, gid: me.gid };
  const internal = root ? systemUser('dovecot') ?? nobody : login;
  const mailUser = internal;
  const loginUser = login.name;
  const internalUser = internal.name;
  const user = me.username;
  if (root) execFileSync('chown', ['-R', `${mailUser.uid}:${mailUser.gid}`, join(dir, 'home')]);
  const conf = `# Generated for one test run; see test/helpers/dovecot.ts
base_dir = ${run}
state_dir = ${state}
instance_name = ow-${port}
protocols = imap
listen = 127.0.0.1
log_path = ${logFile}
info_log_path = ${logFile}
debug_log_path = ${logFile}
ssl = yes
ssl_cert = <${cert}
ssl_key = <${key}
${existsSync('/usr/share/dovecot/dh.pem') ? 'ssl_dh = </usr/share/dovecot/dh.pem' : ''}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = ${internalUser}
default_login_user = ${loginUser}
first_valid_uid = ${Math.min(mailUser.uid, 1)}
first_valid_gid = 0
mail_uid = ${mailUser.uid}
mail_gid = ${mailUser.gid}
mail_location = maildir:${maildir}:LAYOUT=fs
mail_privileged_group =
login_greeting = Dovecot ready.
mail_max_userip_connections = 100
mail_fsync = never
${opts.qresync === false ? `imap_capability = ${opts.listStatus === false ? CAPS_WITHOUT_QRESYNC.replace(' LIST-STATUS', '') : CAPS_WITHOUT_QRESYNC}` : ''}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${users}
}
userdb {
  driver = passwd-file
  args = username_format=%u ${users}
}
namespace inbox {
  inbox = yes
  separator = ${opts.separator ?? '/'}
${mailboxBlocks}
}
service imap-login {
  chroot =
  user = ${loginUser}
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${tlsPort}
    ssl = yes
  }
}
service anvil {
  chroot =
}
service auth {
  user = ${user}
}
service auth-worker {
  user = ${user}
}
service stats {
  chroot =
}
${root ? '' : `service imap {\n  user = ${user}\n}\n`}`;
  const confFile = join(dir, 'dovecot.conf');
  writeFileSync(confFile, conf);
  const child: ChildProcess = spawn(DOVECOT_BIN, ['-F', '-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let exitedWith: string | null = null;
  child.stdout?.on('data', (d) => (stderr += d));
  child.stderr?.on('data', (d) => (stderr += d));
  const failed = (): string | null => {
    if (exitedWith) return exitedWith;
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    const fatal = /^.*(Fatal|Error): .*$/m.exec(log);
    return fatal ? `dovecot failed to start: ${fatal[0]}` : null;
  };
  // A test process that ends without stop() (a crash, a kill of the worker) takes its server along.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  const exited = new Promise<void>((resolve) => child.once('exit', (code, sig) => {
    process.off('exit', reap);
    exitedWith = `dovecot exited (${code ?? sig}): ${stderr.trim()}${existsSync(logFile) ? `\n${readFileSync(logFile, 'utf8').slice(-2000)}` : ''}`;
    resolve();
  }));
  try {
    await waitForGreeting(port, { exited: failed });
    await waitForGreeting(tlsPort, { exited: failed, tls: true });
  } catch (e) {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-3000) : '';
    if (!exitedWith) (e as Error).message += `\n${stderr}\n${log}`;
    child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    host: '127.0.0.1',
    port,
    tlsPort,
    user: DOVECOT_USER,
    password: DOVECOT_PASSWORD,
    ca: readFileSync(cert, 'utf8'),
    dir,
    logFile,
    maildir,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
