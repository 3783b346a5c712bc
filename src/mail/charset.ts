/**
 * Charset repairs the MIME library cannot do on its own:
 * - Node 20's TextDecoder decodes `windows-1252` as ISO-8859-1, leaving C1 control
 *   characters where curly quotes, dashes and the euro sign should be;
 * - raw 8-bit bytes in headers that are not UTF-8 (old mailers write Latin-1 there);
 * - UTF-8 bytes decoded as Latin-1/windows-1252 because the charset label was unknown.
 */

/** windows-1252 bytes 0x80–0x9F; undefined positions map to themselves. */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178,
];
const CP1252_INVERSE = new Map<number, number>(CP1252_HIGH.map((cp, i) => [cp, 0x80 + i]));

/** Replaces C1 control characters (U+0080–U+009F) with their windows-1252 meaning. */
export function fixC1(s: string): string {
  if (!/[\u0080-\u009f]/.test(s)) return s;
  return s.replace(/[\u0080-\u009f]/g, (c) => {
    const cp = CP1252_HIGH[c.charCodeAt(0) - 0x80];
    return cp >= 0xa0 ? String.fromCharCode(cp) : '';
  });
}

/** Decodes bytes as windows-1252. */
export function decodeCp1252(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    const slice = bytes.subarray(i, i + 8192);
    out += String.fromCharCode(...Array.from(slice, (b) => (b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80] : b)));
  }
  return out;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Typical signature of UTF-8 read as Latin-1/windows-1252: a lead byte followed by a continuation byte. */
const MOJIBAKE =
  /[\u00c2-\u00f4][\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178]/;

/**
 * When parts of `s` read like UTF-8 that was decoded as Latin-1 or windows-1252 (`cafÃ©`)
 * and their bytes really are valid UTF-8, returns them in the UTF-8 reading (`café`).
 * Works word by word, so one correctly decoded word does not block the repair of another.
 */
export function repairMojibake(s: string): string {
  if (!MOJIBAKE.test(s)) return s;
  return s.replace(/\S+/g, (w) => (MOJIBAKE.test(w) ? repairWord(w) : w));
}

function repairWord(s: string): string {
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0xff) bytes[i] = c;
    else {
      const b = CP1252_INVERSE.get(c);
      if (b === undefined) return s;
      bytes[i] = b;
    }
  }
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return s;
  }
}

/** Index just past the header block's terminating blank line, or -1 when there is none. */
export function headerBlockEnd(raw: Uint8Array, limit = raw.length): number {
  const n = Math.min(raw.length, limit);
  for (let i = 0; i < n; i++) {
    if (raw[i] !== 0x0a) continue;
    if (raw[i + 1] === 0x0a) return i + 2;
    if (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

/**
 * Raw 8-bit header bytes that are not UTF-8 are re-encoded from windows-1252 to UTF-8
 * (the parser reads headers as UTF-8 and would otherwise produce U+FFFD). The body is
 * left untouched.
 */
export function transcodeLegacyHeaders(raw: Uint8Array, limit = 2 * 1024 * 1024): Uint8Array {
  let end = headerBlockEnd(raw, limit);
  if (end < 0) end = Math.min(raw.length, limit);
  const head = raw.subarray(0, end);
  if (!head.some((b) => b >= 0x80) || isValidUtf8(head)) return raw;
  // Line by line, so that lines already in UTF-8 stay as they are.
  const lines: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i <= head.length; i++) {
    if (i < head.length && head[i] !== 0x0a) continue;
    const line = head.subarray(start, Math.min(i + 1, head.length));
    lines.push(line.some((b) => b >= 0x80) && !isValidUtf8(line) ? Buffer.from(decodeCp1252(line), 'utf8') : line);
    start = i + 1;
  }
  return Buffer.concat([...lines, raw.subarray(end)]);
}
