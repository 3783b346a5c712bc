import { startDovecot } from '../test/helpers/dovecot.ts';
import { seedFromMbox } from '../test/helpers/imap.ts';
const d = await startDovecot();
try { console.log(await seedFromMbox(d, 'demo/demo.mbox', ['jordan@example.com'])); } catch (e) { console.log(e.responseText, e.response, e.message); console.log(d.log().slice(-1500)); }
await d.stop();
