/** The loopback Gmail API emulator used by the Gmail connector's tests and benchmark. */
export { startGmailEmulator, EMULATOR_UNITS, Counters, type GmailEmulator, type EmulatorOptions, type RequestLogEntry } from './server.js';
export { Mailbox, type AddMessageOptions, type StoredMessage } from './mailbox.js';
export { DEMO_MBOX, DEMO_LABELS, DEMO_OWNER, DEMO_OWNER_MAILBOX, REPO_ROOT, splitMboxrd } from './mbox.js';
export type { FaultRule, FaultKind } from './faults.js';
