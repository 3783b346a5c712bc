/**
 * One process saving one proposal, for the two-process claim test. Its mailbox is a directory:
 * createDraft writes a file (so the test counts provider drafts), findDraftByKey looks for one.
 * `--slow`: after its lookup misses, it says so (`<dir>/slow-looked`) and waits until the other
 * process has finished (`<dir>/fast-done`) before creating: the window in which, without a
 * claim, both processes would create.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../src/store/index.js';
import { saveProposal } from '../../src/respond/save.js';
import type { Connector, DraftWriter } from '../../src/connectors/port.js';

const [stateFile, idText, dir, mode] = process.argv.slice(2) as [string, string, string, 'slow' | 'fast'];

async function until(file: string): Promise<void> {
  // Waits on an event (a file another process writes), with a generous bound.
  for (let i = 0; i < 6000 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 10));
}

const writer: DraftWriter = {
  async findDraftByKey(_thread, key) {
    const hit = readdirSync(dir).find((n) => n.startsWith(`draft-${key}-`));
    if (mode === 'slow' && !hit) {
      writeFileSync(join(dir, 'slow-looked'), '');
      await until(join(dir, 'fast-done'));
    }
    return hit ? { draftId: hit, location: join(dir, hit) } : null;
  },
  async createDraft(req) {
    const name = `draft-${req.key}-${process.pid}`;
    writeFileSync(join(dir, name), req.mime);
    return { draftId: name, location: join(dir, name) };
  },
};
const connector: Connector = { name: 'mail', reader: { sync: async function* () {} }, drafts: writer };

const store = Store.open(stateFile);
let outcome: string;
try {
  const p = store.proposals.get(Number(idText))!;
  const r = await saveProposal(store, connector, p, { name: 'Robin Hale', addresses: ['robin.hale@example.org'] }, new Date('2026-03-10T12:00:00Z'));
  outcome = r.outcome;
} catch (e) {
  outcome = (e as { code?: string }).code ?? String(e);
} finally {
  store.close();
}
writeFileSync(join(dir, `${mode}-done`), outcome);
process.stdout.write(outcome);
