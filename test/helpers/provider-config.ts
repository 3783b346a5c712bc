/** The config the provider end-to-end tests share: one source, a decline rule for offers, terminal and mailbox alerts. */
import { writeFileSync } from 'node:fs';

export function writeProviderConfig(file: string, source: Record<string, unknown>): void {
  writeFileSync(file, [
    'version: 1',
    'owner: { name: Jordan Okafor, addresses: [jordan@example.com] }',
    `sources: [${JSON.stringify(source)}]`,
    'state: { dir: state }',
    'responses: [{ name: decline-offers, when: { stage: offer }, propose: { decision: decline, reason: accepted-elsewhere } }]',
    'alerts: { channels: [{ type: terminal }, { type: mailbox }] }',
    '',
  ].join('\n'));
}
