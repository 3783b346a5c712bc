/** A separate process that takes the cycle lock in a state file and holds it until killed. */
import { randomBytes } from 'node:crypto';
import { Store } from '../../src/store/index.js';
import { CYCLE_LOCK } from '../../src/app/index.js';

const store = Store.open(process.argv[2]!);
const got = store.locks.acquire(CYCLE_LOCK, randomBytes(8).toString('hex'), 'test holder', Number(process.argv[3] ?? 600_000));
process.stdout.write(got.ok ? 'held\n' : 'refused\n');
setInterval(() => {}, 1000);
