/** `offerwatch correct`: the owner fixes a verdict in one command, and never has to fix it twice. */
import { Command, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { OfferwatchError } from '../errors.js';
import { STAGES_OR_NONE, type StageOrNone } from '../model/types.js';
import { withApp, withStore, type Cmd } from './context.js';
import type { Io } from './main.js';

interface CorrectOpts {
  stage?: StageOrNone;
  notJobSearch?: boolean;
  noReplyNeeded?: boolean;
  clear?: boolean;
  list?: boolean;
  export?: string | boolean;
}

export function registerCorrect(program: Command, io: Io): void {
  program
    .command('correct')
    .description("Correct a thread's verdict; kept until a new message changes what the rules say (then re-evaluated)")
    .argument('[thread]', 'thread id (source:id, or an unambiguous prefix)')
    .addOption(new Option('--stage <stage>', 'the stage the thread is really at').choices(STAGES_OR_NONE as string[]))
    .option('--not-job-search', 'the thread is not about your job search (stop tracking it)')
    .option('--no-reply-needed', 'you owe no reply in this thread (clears "waiting on you" until a new message)')
    .option('--clear', "remove your corrections of the thread: the rules' verdict again")
    .option('--list', 'list your corrections')
    .option('--export [file]', 'write every correction as a rule test (rule-file YAML) to FILE, or to stdout')
    .addHelpText('after', '\nExamples:\n  offerwatch correct demo:1877 --stage offer\n  offerwatch correct demo:1877 --not-job-search\n  offerwatch correct --export my-corrections.yaml   # then add it to rules.files and run: offerwatch rules test\n')
    .action(async (spec: string | undefined, opts: CorrectOpts, cmd: Cmd) => {
      // commander turns --no-reply-needed into replyNeeded: false.
      const o = opts as CorrectOpts & { replyNeeded?: boolean };
      const noReply = o.replyNeeded === false;
      const changes = [o.stage !== undefined, !!o.notJobSearch, noReply, !!o.clear].filter(Boolean).length;
      if (o.list || o.export !== undefined) {
        if (spec || changes) throw new OfferwatchError('EUSAGE', 'cannot combine --list or --export with a correction');
        if (o.list) return listCorrections(cmd, io);
        return exportCorrections(cmd, io, typeof o.export === 'string' ? o.export : null);
      }
      if (!spec) throw new OfferwatchError('EUSAGE', 'cannot correct: name a thread (offerwatch status lists them), or use --list / --export');
      if (changes === 0) throw new OfferwatchError('EUSAGE', 'cannot correct: say what is wrong with --stage STAGE, --not-job-search, --no-reply-needed or --clear');
      if (o.stage !== undefined && o.notJobSearch) throw new OfferwatchError('EUSAGE', 'cannot correct: --stage and --not-job-search contradict each other');
      if (o.clear && changes > 1) throw new OfferwatchError('EUSAGE', 'cannot correct: --clear goes alone');

      await withApp(cmd, io, async (service) => {
        const stage = o.notJobSearch ? 'none' : o.stage;
        const r = await service.correct(spec, { stage, noReplyNeeded: noReply, clear: o.clear });
        if (o.clear && !r.hadCorrection) io.err(`${r.source}:${r.threadId} had no correction in force.\n`);
        const what = o.clear
          ? `back to the rules' verdict: ${r.thread?.stage ?? 'none'}`
          : [stage !== undefined ? (stage === 'none' ? 'not about your job search (no longer tracked)' : `stage ${stage} (the rules said ${r.rulesStage})`) : null, noReply ? 'no reply needed from you' : null].filter(Boolean).join('; ');
        io.out(`Corrected ${r.source}:${r.threadId}: ${what}.\n`);
        if (!o.clear) io.out('Kept until a new message arrives in the thread; then the rules look again, and your stage stays unless the new message changes what they say.\n');
      });
    });
}

function listCorrections(cmd: Cmd, io: Io): Promise<void> {
  return withStore(cmd, (service) => {
    const rows = service.corrections({ includeEnded: true });
    if (rows.length === 0) {
      io.out('No corrections. offerwatch correct THREAD --stage STAGE records one.\n');
      return;
    }
    for (const c of rows) {
      const what = c.kind === 'stage' ? (c.stage === 'none' ? 'not job search' : `stage ${c.stage}`) : 'no reply needed';
      io.out(`${c.source}:${c.threadId}  ${what}  (rules: ${c.rulesStage})  corrected ${c.correctedAt}${c.endedAt ? `  ended ${c.endedAt} by a new message` : ''}\n`);
    }
  });
}

function exportCorrections(cmd: Cmd, io: Io, file: string | null): Promise<void> {
  return withStore(cmd, (service, loaded) => {
    const { yaml, count } = service.exportCorrections(loaded.owner);
    if (!file) {
      io.out(yaml);
      return;
    }
    // The tests hold the text of your mail: readable by you only (the directory is yours to choose).
    writeFileSync(resolve(file), yaml, { mode: 0o600 });
    io.out(`Wrote ${count} rule test(s) to ${resolve(file)}. Add it to rules.files in your config and run: offerwatch rules test\n`);
  });
}
