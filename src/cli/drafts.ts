/** The review queue: list, show, edit in $EDITOR, approve (save as a draft, exactly once), discard. */
import { Command } from 'commander';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { OfferwatchError } from '../errors.js';
import { renderProposal, renderProposals } from './render.js';
import { proposalId, withApp, withStore, type Cmd } from './context.js';
import type { Io } from './main.js';

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

export function registerDrafts(program: Command, io: Io): void {
  const drafts = program.command('drafts').description('The review queue of proposed drafts');
  drafts
    .command('list', { isDefault: true })
    .description('List proposed drafts')
    .option('--all', 'include saved, sent (by you) and discarded ones')
    .option('--json', 'print JSON')
    .action((opts: { all?: boolean; json?: boolean }, cmd: Cmd) => {
      return withStore(cmd, (service) => {
        const list = service.drafts({ all: opts.all });
        io.out(opts.json ? json(list) : `${renderProposals(list)}\n`);
      });
    });
  drafts
    .command('show')
    .description('Print a proposed draft as it will be saved')
    .argument('<id>')
    .option('--json', 'print JSON')
    .action((id: string, opts: { json?: boolean }, cmd: Cmd) => {
      return withStore(cmd, (service) => {
        const p = service.draft(proposalId(id));
        io.out(opts.json ? json(p) : `${renderProposal(p)}\n`);
      });
    });
  drafts
    .command('edit')
    .description('Edit a proposed draft in $EDITOR (first line: To:, one address); an invalid result is refused and the draft kept as it was')
    .argument('<id>')
    .action((id: string, _o: unknown, cmd: Cmd) => {
      return withStore(cmd, async (service) => {
        const { editableText, parseEditedText } = await import('../drafts/edit.js');
        const p = service.draft(proposalId(id));
        if (p.status !== 'pending') throw new OfferwatchError('EUSAGE', `cannot edit draft #${p.id}: it is ${p.status}`);
        const dir = mkdtempSync(join(tmpdir(), 'offerwatch-edit-'));
        const file = join(dir, `draft-${p.id}.txt`);
        try {
          writeFileSync(file, editableText(p), { mode: 0o600 });
          const editor = io.env.VISUAL || io.env.EDITOR || 'vi';
          const r = spawnSync(editor, [file], { stdio: 'inherit', shell: true });
          if (r.status !== 0) throw new OfferwatchError('EUSAGE', `cannot edit draft #${p.id}: ${editor} exited with ${r.status}`);
          const edited = service.editDraft(p.id, parseEditedText(p.id, readFileSync(file, 'utf8')));
          if (!edited.changed) return io.out(`Draft #${p.id} unchanged.\n`);
          const { needsEdit } = edited.proposal;
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
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { force?: boolean; json?: boolean }, cmd: Cmd) => {
      await withApp(cmd, io, async (service) => {
        const r = await service.approve(proposalId(id), { force: opts.force });
        if (opts.json) return io.out(json(r));
        if (r.outcome === 'sent') {
          io.out(`Draft #${r.proposal.id} was already sent by you${r.proposal.sentAt ? ` (seen ${r.proposal.sentAt})` : ''}; nothing was saved.\n`);
          return;
        }
        const verb = r.outcome === 'created' ? 'Saved' : r.outcome === 'adopted' ? 'Found the draft already saved' : 'Already saved';
        io.out(`${verb}: draft #${r.proposal.id} → ${r.proposal.draftLocation}. Nothing was sent.\n`);
      });
    });
  drafts
    .command('discard')
    .description('Discard a proposed draft (a saved one only once you have deleted it in your mail program)')
    .argument('<id>')
    .action(async (id: string, _o: unknown, cmd: Cmd) => {
      await withApp(cmd, io, async (service) => {
        const { discarded, proposal: p } = await service.discard(proposalId(id));
        const was = p.status === 'sent' ? 'sent by you' : p.status;
        io.out(discarded ? `Draft #${p.id} discarded.\n` : `Draft #${p.id} was already ${was}; nothing to discard.\n`);
      });
    });
}
