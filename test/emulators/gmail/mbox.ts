/**
 * mboxrd reading for the emulator (its own, so it does not lean on the code under test),
 * and removal of the Takeout-only headers that Gmail's API `raw` does not carry.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (test/emulators/gmail → ../../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/**
 * The mailbox the emulator serves by default: the repository's own demo mailbox (Takeout-style,
 * with X-GM-THRID and X-Gmail-Labels; owner jordan@example.com), so that the Gmail tests need
 * nothing outside the repository. Its labelled verdicts are in demo/labels.json.
 */
export const DEMO_MBOX = resolve(REPO_ROOT, 'demo/demo.mbox');
export const DEMO_LABELS = resolve(REPO_ROOT, 'demo/labels.json');
export const DEMO_OWNER = 'jordan@example.com';
export const DEMO_OWNER_MAILBOX = 'Jordan Okafor <jordan@example.com>';

/** Splits an mboxrd byte string into raw messages, removing one `>` from `>From ` lines. */
export function splitMboxrd(buf: Buffer): Buffer[] {
  const s = buf.toString('latin1');
  const out: Buffer[] = [];
  const starts: number[] = [];
  const re = /(^|\n)From [^\n]*\n/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) starts.push(m.index + m[1].length, m.index + m[0].length);
  for (let i = 0; i < starts.length; i += 2) {
    const bodyStart = starts[i + 1];
    const end = i + 2 < starts.length ? starts[i + 2] : s.length;
    let text = s.slice(bodyStart, end);
    if (text.endsWith('\n\n')) text = text.slice(0, -1);
    text = text.replace(/^>(>*From )/gm, '$1');
    out.push(Buffer.from(text, 'latin1'));
  }
  return out;
}

/** Removes X-GM-THRID and X-Gmail-Labels from the header block. */
export function stripTakeoutHeaders(raw: Buffer): Buffer {
  const s = raw.toString('latin1');
  const sep = /\r?\n\r?\n/.exec(s);
  const end = sep ? sep.index : s.length;
  const head = s
    .slice(0, end)
    .split(/(?=\r?\n(?![ \t]))/)
    .filter((line) => !/^\r?\n?(X-GM-THRID|X-Gmail-Labels):/i.test(line))
    .join('');
  const cleaned = head.replace(/^\r?\n/, '');
  return Buffer.from(cleaned + s.slice(end), 'latin1');
}
