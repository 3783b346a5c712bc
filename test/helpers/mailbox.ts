/** Writes small mbox files from message specs, for end-to-end tests. */
import { appendFileSync, writeFileSync } from 'node:fs';

export interface Spec {
  from: string;
  to: string;
  date: string;
  subject: string;
  id: string;
  replyTo?: string;
  thread?: string;
  inReplyTo?: string;
  body: string;
  headers?: Record<string, string>;
}

export function render(m: Spec): string {
  const lines = [
    `From ${/<([^>]+)>/.exec(m.from)?.[1] ?? m.from} ${new Date(m.date).toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+) (.*) GMT$/, '$1 $3 $2 $5 $4')}`,
    `From: ${m.from}`,
    `To: ${m.to}`,
    `Date: ${new Date(m.date).toUTCString().replace('GMT', '+0000')}`,
    `Subject: ${m.subject}`,
    `Message-ID: <${m.id}>`,
  ];
  if (m.thread) lines.push(`X-GM-THRID: ${m.thread}`);
  if (m.replyTo) lines.push(`Reply-To: ${m.replyTo}`);
  if (m.inReplyTo) lines.push(`In-Reply-To: <${m.inReplyTo}>`, `References: <${m.inReplyTo}>`);
  for (const [k, v] of Object.entries(m.headers ?? {})) lines.push(`${k}: ${v}`);
  lines.push('MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', ...m.body.split('\n').map((l) => (/^>*From /.test(l) ? `>${l}` : l)), '');
  return `${lines.join('\n')}\n`;
}

export function writeMailbox(path: string, specs: Spec[]): void {
  writeFileSync(path, specs.map(render).join(''));
}

export function appendMessage(path: string, spec: Spec): void {
  appendFileSync(path, render(spec));
}
