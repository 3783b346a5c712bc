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
      withStore(cmd, (service) => {
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
      withStore(cmd, (service) => {
        const p = service.draft(proposalId(id));
        io.out(opts.json ? json(p) : `${renderProposal(p)}\n`);
      });
    });
  drafts
    .command('edit')
    .description('Edit a proposed draft in $EDITOR (first line: To:)')
    .argument('<id>')
    .action((id: string, _o: unknown, cmd: Cmd) => {
      withStore(cmd, (service) => {
        const p = service.draft(proposalId(id));
        if (p.status !== 'pending') throw new OfferwatchError('EUSAGE', `cannot edit draft #${p.id}: it is ${p.status}`);
        const dir = mkdtempSync(join(tmpdir(), 'offerwatch-edit-'));
        const file = join(dir, `draft-${p.id}.txt`);
        try {
          writeFileSync(file, `To: ${p.to ? (p.to.name ? `${p.to.name} <${p.to.address}>` : p.to.address) : ''}\n\n${p.body}`, { mode: 0o600 });
          const editor = io.env.VISUAL || io.env.EDITOR || 'vi';
          const r = spawnSync(editor, [file], { stdio: 'inherit', shell: true });
          if (r.status !== 0) throw new OfferwatchError('EUSAGE', `cannot edit draft #${p.id}: ${editor} exited with ${r.status}`);
          const text = readFileSync(file, 'utf8').replace(/\r\n?/g, '\n');
          const m = /^To:[ \t]*(.*)\n\n?([\s\S]*)$/.exec(text);
          if (!m) throw new OfferwatchError('EUSAGE', `cannot read the edited draft #${p.id}: keep the "To:" line and a blank line before the text`);
          const edited = service.editDraft(p.id, { to: m[1]!, body: m[2]! });
          io.out(`Draft #${p.id} updated.${edited.needsEdit.length ? ` Still needs your edit: ${edited.needsEdit.join('; ')}` : ''}\n`);
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
    .description('Discard a proposed draft')
    .argument('<id>')
    .action((id: string, _o: unknown, cmd: Cmd) => {
      withStore(cmd, (service) => {
        const p = service.discard(proposalId(id));
        io.out(`Draft #${p.id} discarded.\n`);
      });
    });
}
