/** The review queue: list, show, edit in $EDITOR, approve (save as a draft, exactly once), discard. */
import { Command } from 'commander';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { OfferwatchError } from '../errors.js';
import { saveProposal } from '../respond/save.js';
import { editableText, parseEditedDraft } from '../drafts/edit.js';
import { discardProposal } from '../respond/discard.js';
import { renderProposal, renderProposals } from './render.js';
import { proposalId, withApp, withStore, type Cmd } from './context.js';
import type { Io } from './main.js';

export function registerDrafts(program: Command, io: Io): void {
  const drafts = program.command('drafts').description('The review queue of proposed drafts');
  drafts
    .command('list', { isDefault: true })
    .description('List proposed drafts')
    .option('--all', 'include saved, sent (by you) and discarded ones')
    .action((opts: { all?: boolean }, cmd: Cmd) => {
      withStore(cmd, (store) => io.out(`${renderProposals(store.proposals.list(opts.all ? undefined : 'pending'))}\n`));
    });
  drafts
    .command('show')
    .description('Print a proposed draft as it will be saved')
    .argument('<id>')
    .action((id: string, _o: unknown, cmd: Cmd) => {
      withStore(cmd, (store) => {
        const p = store.proposals.get(proposalId(id));
        if (!p) throw new OfferwatchError('ENOTFOUND', `cannot find draft #${id}`);
        io.out(`${renderProposal(p)}\n`);
      });
    });
  drafts
    .command('edit')
    .description('Edit a proposed draft in $EDITOR (first line: To:, one address); an invalid result is refused and the draft kept as it was')
    .argument('<id>')
    .action((id: string, _o: unknown, cmd: Cmd) => {
      withStore(cmd, (store, now) => {
        const p = store.proposals.get(proposalId(id));
        if (!p) throw new OfferwatchError('ENOTFOUND', `cannot find draft #${id}`);
        if (p.status !== 'pending') throw new OfferwatchError('EUSAGE', `cannot edit draft #${p.id}: it is ${p.status}`);
        const dir = mkdtempSync(join(tmpdir(), 'offerwatch-edit-'));
        const file = join(dir, `draft-${p.id}.txt`);
        try {
          writeFileSync(file, editableText(p), { mode: 0o600 });
          const editor = io.env.VISUAL || io.env.EDITOR || 'vi';
          const r = spawnSync(editor, [file], { stdio: 'inherit', shell: true });
          if (r.status !== 0) throw new OfferwatchError('EUSAGE', `cannot edit draft #${p.id}: ${editor} exited with ${r.status}`);
          const result = parseEditedDraft(p.id, p, readFileSync(file, 'utf8'));
          if (!result.changed) {
            io.out(`Draft #${p.id} unchanged.\n`);
            return;
          }
          const { needsEdit } = result.draft;
          store.proposals.edit(p.id, result.draft, now);
          io.out(`Draft #${p.id} updated.${needsEdit.length ? ` Still needs your edit: ${needsEdit.join('; ')}` : ''}\n`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    });
  drafts
    .command('approve')
    .description('Save a proposed draft into your mailbox (as an unsent draft in its thread)')
    .argument('<id>')
    .option('--force', 'save even though it still has "needs your edit" placeholders')
    .action(async (id: string, opts: { force?: boolean }, cmd: Cmd) => {
      await withApp(cmd, io, async (app) => {
        const p = app.store.proposals.get(proposalId(id));
        if (!p) throw new OfferwatchError('ENOTFOUND', `cannot find draft #${id}`);
        if (p.status === 'pending' && p.needsEdit.length && !opts.force) {
          throw new OfferwatchError('EUSAGE', `cannot save draft #${p.id} yet: it needs your edit (${p.needsEdit.join('; ')}); run offerwatch drafts edit ${p.id}, or approve with --force`);
        }
        const connector = app.ctx.connectors.find((c) => c.name === p.source);
        const r = await saveProposal(app.store, connector, p, app.ctx.owner, app.ctx.clock.now());
        if (r.proposal.status === 'sent') {
          io.out(`Draft #${p.id} was already sent by you${r.proposal.sentAt ? ` (seen ${r.proposal.sentAt})` : ''}; nothing was saved.\n`);
          return;
        }
        const verb = r.outcome === 'created' ? 'Saved' : r.outcome === 'adopted' ? 'Found the draft already saved' : 'Already saved';
        io.out(`${verb}: draft #${p.id} → ${r.proposal.draftLocation}. Nothing was sent.\n`);
      });
    });
  drafts
    .command('discard')
    .description('Discard a proposed draft (a saved one only once you have deleted it in your mail program)')
    .argument('<id>')
    .action(async (id: string, _o: unknown, cmd: Cmd) => {
      await withApp(cmd, io, async (app) => {
        const p = app.store.proposals.get(proposalId(id));
        if (!p) throw new OfferwatchError('ENOTFOUND', `cannot find draft #${id}`);
        const r = await discardProposal(app.store, app.ctx.connectors.find((c) => c.name === p.source), p, app.ctx.owner, app.ctx.clock.now());
        io.out(r.status === p.status && p.status !== 'saved' ? `Draft #${p.id} was already ${p.status === 'sent' ? 'sent by you' : p.status}; nothing to discard.\n` : `Draft #${p.id} discarded.\n`);
      });
    });
}
