/**
 * A throwaway self-signed certificate for 127.0.0.1, made with Debian's `openssl` in a
 * private temp dir, once per test process. It is its own certificate authority: the
 * connector trusts it through the test-only `caFile` source key.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCert {
  key: string;
  cert: string;
  /** Path of the PEM certificate (for `caFile`). */
  caFile: string;
}

let made: TestCert | null = null;

export function testCertificate(): TestCert {
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), 'ow-graph-cert-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-addext', 'basicConstraints=critical,CA:TRUE',
  ], { stdio: 'pipe' });
  made = { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), caFile: certFile };
  return made;
}
