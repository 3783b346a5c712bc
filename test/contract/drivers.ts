/** Every connector the contract suite runs against. Adding a connector: one line here (see /work/spec/contract.md). */
import type { ConnectorDriver } from './driver.js';
import { mboxDriver } from './mbox.js';
import { gmailDriver } from './gmail.js';

export const DRIVERS: ConnectorDriver[] = [
  mboxDriver,
  gmailDriver,
];
