/** Every connector the contract suite runs against. Adding a connector: one line here (see /work/spec/contract.md). */
import type { ConnectorDriver } from './driver.js';
import { mboxDriver } from './mbox.js';
import { gmailDriver } from './gmail.js';
import { imapDriver } from './imap.js';
import { HAS_DOVECOT, NO_DOVECOT_REASON } from '../helpers/dovecot.js';

export const DRIVERS: ConnectorDriver[] = [
  mboxDriver,
  gmailDriver,
  // A real Dovecot; skipped (with a message) only where it is not installed.
  ...(HAS_DOVECOT ? [imapDriver] : (console.warn(`contract suite: imap driver skipped: ${NO_DOVECOT_REASON}`), [])),
];
