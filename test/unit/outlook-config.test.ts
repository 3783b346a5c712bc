/** The `type: outlook` source schema, and the rule that Graph and MSAL stay inside their folder. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { outlookSourceSchema, OUTLOOK_SCOPES } from '../../src/connectors/outlook/index.js';
import { REPO } from '../helpers/paths.js';

const base = { type: 'outlook', name: 'work', clientId: '8c1f6a2e-7b3d-4e5f-9a0b-1c2d3e4f5a6b' };

describe('outlook source config', () => {
  it('applies defaults', () => {
    expect(outlookSourceSchema.parse(base)).toEqual({ ...base, tenant: 'common', replyDueCategory: 'Reply due' });
  });

  it('accepts the tenant forms and refuses anything else', () => {
    for (const tenant of ['common', 'consumers', 'organizations', '9188040d-6c67-4c5b-b112-36a304b66dad']) expect(outlookSourceSchema.safeParse({ ...base, tenant }).success).toBe(true);
    for (const tenant of ['contoso.onmicrosoft.com', 'Common ', '']) expect(outlookSourceSchema.safeParse({ ...base, tenant }).success).toBe(false);
  });

  it('is strict: unknown keys, a malformed client id, a non-https base URL are errors', () => {
    expect(outlookSourceSchema.safeParse({ ...base, clientSecret: 'x' }).success).toBe(false);
    expect(outlookSourceSchema.safeParse({ ...base, clientId: 'my-app' }).success).toBe(false);
    expect(outlookSourceSchema.safeParse({ ...base, baseUrl: 'http://127.0.0.1:1' }).success).toBe(false);
    expect(outlookSourceSchema.safeParse({ ...base, lookbackDays: 0 }).success).toBe(false);
  });

  it('never asks for Mail.Send', () => {
    expect(OUTLOOK_SCOPES.map((s) => s.scope)).toEqual(['Mail.ReadWrite', 'User.Read', 'offline_access']);
  });
});

describe('provider boundary', () => {
  it('nothing outside src/connectors/outlook imports the Graph SDK, Graph types or MSAL', () => {
    const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.ts') ? [join(dir, n)] : []));
    const hits = files(join(REPO, 'src'))
      .filter((f) => !relative(REPO, f).startsWith(join('src', 'connectors', 'outlook')))
      .filter((f) => /from ['"](@microsoft\/microsoft-graph|@azure\/msal)/.test(readFileSync(f, 'utf8')));
    expect(hits).toEqual([]);
  });
});
