/**
 * Drafts for a file-backed mailbox: one `.eml` file per draft key in a private
 * directory. A draft file is created once and never overwritten: the owner may have
 * edited it. Nothing here sends mail.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, linkSync, openSync, readdirSync, readSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DraftRequest, DraftWriter, SavedDraft, ThreadHandle } from '../port.js';
import { DRAFT_KEY_HEADER, headerField } from '../../mail/headers.js';
import { OfferwatchError } from '../../errors.js';
import { ensurePrivateDir, writePrivateFile } from '../../util/secure-fs.js';

/** How much of a draft file is read to find its header block. */
const HEADER_SCAN_BYTES = 64 * 1024;

/** A file name for a key: safe characters kept, anything else replaced, plus a hash when the key was changed. */
export function draftFileName(key: string): string {
  const safe = key.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 120);
  const changed = safe !== key || safe === '';
  const suffix = changed ? `-${createHash('sha256').update(key).digest('hex').slice(0, 12)}` : '';
  return `${safe}${suffix}.eml`;
}

/** The value of DRAFT_KEY_HEADER in a message's header block, or null. */
export function draftKeyOf(head: string): string | null {
  return headerField(head, DRAFT_KEY_HEADER);
}

function readHead(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(HEADER_SCAN_BYTES);
    const n = readSync(fd, buf, 0, HEADER_SCAN_BYTES, 0);
    return buf.subarray(0, n).toString('latin1');
  } finally {
    closeSync(fd);
  }
}

export class EmlDraftWriter implements DraftWriter {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  private saved(file: string): SavedDraft {
    return { draftId: file, location: file };
  }

  async findDraftByKey(_thread: ThreadHandle, key: string): Promise<SavedDraft | null> {
    const file = join(this.dir, draftFileName(key));
    if (existsSync(file)) return this.saved(file);
    // The owner may have renamed the file: look for the key in the headers.
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new OfferwatchError('EPROVIDER', `cannot read drafts directory: ${this.dir}: ${(e as Error).message}`, { cause: e });
    }
    for (const name of names.sort()) {
      if (!name.toLowerCase().endsWith('.eml') || name.startsWith('.')) continue;
      const path = join(this.dir, name);
      try {
        if (draftKeyOf(readHead(path)) === key) return this.saved(path);
      } catch {
        // Unreadable or vanished file: not ours to worry about.
      }
    }
    return null;
  }

  async createDraft(req: DraftRequest): Promise<SavedDraft> {
    const existing = await this.findDraftByKey(req.thread, req.key);
    if (existing) return existing;
    ensurePrivateDir(this.dir);
    const file = join(this.dir, draftFileName(req.key));
    // Written privately under a temporary name, then linked into place: link() fails when
    // the target exists, so a draft that appeared meanwhile is never replaced.
    const tmp = join(this.dir, `.draft-${randomBytes(6).toString('hex')}.tmp`);
    // X-Unsent: 1 makes mail programs (Outlook, Thunderbird, Apple Mail) open the file as a
    // draft to review and send yourself, not as a received message.
    writePrivateFile(tmp, Buffer.concat([Buffer.from('X-Unsent: 1\r\n'), req.mime]));
    try {
      linkSync(tmp, file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new OfferwatchError('EPROVIDER', `cannot save draft: ${file}: ${(e as Error).message}`, { cause: e });
      }
    } finally {
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
    }
    return this.saved(file);
  }
}
