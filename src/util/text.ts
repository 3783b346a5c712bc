/** Text from mail made safe for a terminal: no escape sequences, no control or bidi-override characters. */

// ESC-introduced sequences: CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), and two-byte escapes; C1 CSI/OSC too.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]|\u009d[^\u0007\u009c]*[\u0007\u009c]?/g;
// C0 (except tab and newline), DEL, C1 controls and bidirectional overrides.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Removes escape sequences and control characters; keeps newlines (and tabs) unless `oneLine`. */
export function terminalSafe(value: string | null | undefined, opts: { oneLine?: boolean } = {}): string {
  if (!value) return '';
  const out = value.replace(ESCAPES, '').replace(UNSAFE, ' ');
  return opts.oneLine ? out.replace(/\s+/g, ' ').trim() : out;
}
