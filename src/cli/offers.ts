/** `offerwatch offers`: the open offers side by side, weighed by the owner's priorities. */
import { Command } from 'commander';
import { OfferwatchError } from '../errors.js';
import { renderOffers } from './render.js';
import { withStore, type Cmd } from './context.js';
import type { Io } from './main.js';

export function registerOffers(program: Command, io: Io): void {
  const print = (o: unknown, asJson: boolean | undefined, text: () => string) => io.out(asJson ? `${JSON.stringify(o, null, 2)}\n` : `${text()}\n`);
  const offers = program.command('offers').description('Compare open offers: your priorities, their weights and non-negotiables, 0–10 scores, weighted totals');
  offers
    .command('show', { isDefault: true })
    .description('Print the comparison table')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }, cmd: Cmd) => {
      return withStore(cmd, (service) => {
        const o = service.offers();
        print(o, opts.json, () => renderOffers(o));
      });
    });
  offers
    .command('priority')
    .description('Add or change a priority: `offers priority "Remote work" --weight 2 --non-negotiable`')
    .argument('<name>')
    .option('--weight <n>', 'how much it counts, 0–10')
    .option('--non-negotiable', 'a must-have (at most three)')
    .option('--negotiable', 'no longer a must-have')
    .option('--json', 'print JSON')
    .action((name: string, opts: { weight?: string; nonNegotiable?: boolean; negotiable?: boolean; json?: boolean }, cmd: Cmd) => {
      if (opts.nonNegotiable && opts.negotiable) throw new OfferwatchError('EUSAGE', 'cannot set a priority both --non-negotiable and --negotiable');
      const weight = opts.weight === undefined ? undefined : Number(opts.weight);
      return withStore(cmd, (service) => {
        const o = service.setPriority(name, { weight, nonNegotiable: opts.nonNegotiable ? true : opts.negotiable ? false : undefined });
        print(o, opts.json, () => renderOffers(o));
      });
    });
  offers
    .command('remove-priority')
    .description('Remove a priority (and its scores)')
    .argument('<name>')
    .action((name: string, _o: unknown, cmd: Cmd) => {
      return withStore(cmd, (service) => io.out(`${renderOffers(service.removePriority(name))}\n`));
    });
  offers
    .command('score')
    .description('Score an open offer on a priority, 0–10 (or "-" to clear): `offers score THREAD "Manager" 8`')
    .argument('<thread>')
    .argument('<priority>')
    .argument('<score>')
    .option('--json', 'print JSON')
    .action((thread: string, priority: string, score: string, opts: { json?: boolean }, cmd: Cmd) => {
      const n = score === '-' ? null : Number(score);
      return withStore(cmd, (service) => {
        const o = service.score(thread, priority, n);
        print(o, opts.json, () => renderOffers(o));
      });
    });
}
