/** The loopback Microsoft Graph emulator used by the Outlook connector's tests and benchmark. */
export { startGraphEmulator, routeOf, CLIENT_ID, MAX_CONCURRENT, type GraphEmulator, type EmulatorOptions, type Counters } from './server.js';
export { GraphMailbox, splitMbox, type StoredMessage, type FolderName } from './mailbox.js';
export { testCertificate } from './cert.js';
export type { FaultRule, FaultKind } from './faults.js';
