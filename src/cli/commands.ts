/**
 * The subcommands. Each resolves its inputs, calls the service, and prints. What a command needs
 * beyond the command line is imported when it runs, so that `--help` stays light.
 */
import { Command } from 'commander';
import { readFileSync, rmSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EXIT, OfferwatchError } from '../errors.js';
import { renderAlertRows, renderBoard, renderExplain, renderProposal, renderProposals, type RenderOptions } from './render.js';
import { clockFrom, setExitCode, type Io } from './main.js';
import { DEMO_DIR } from '../paths.js';
import { DECISIONS, type Decision } from '../model/types.js';
import type { AppSpec, Service } from '../app/index.js';
import { systemClock } from '../clock.js';
import { timestamped } from '../util/log.js';
import { globals, loadConfigFile, printReport, progress, specFromConfig, viewOptions, withApp, withStore, type Cmd } from './context.js';
import { registerDrafts } from './drafts.js';
import { registerOffers } from './offers.js';
import { registerServe } from './serve.js';
import { registerCorrect } from './correct.js';

export function registerCommands(program: Command, io: Io): void {
  program
    .command('scan')
    .description('Run one cycle over a mailbox file with no config and print the tracked threads')
    .requiredOption('--source <spec>', `the mailbox, as TYPE:SPEC (${SCAN_TYPES.map((t) => `${t}:…`).join(', ')}), e.g. mbox:PATH for a Google Takeout .mbox file`)
    .requiredOption('--me <addresses>', 'your address and aliases, comma-separated')
    .option('--json', 'print a JSON array, one object per thread')
    .option('--all', 'include threads that are not about your job search (stage none)')
    .option('--rules <files...>', 'personal rule files layered over the built-in rules')
    .action(async (opts: { source: string; me: string; json?: boolean; all?: boolean; rules?: string[] }, cmd: Cmd) => {
      const [{ isValidAddress }, { connectorDefinition }, { DEFAULT_DEADLINES }, { ruleSourcesFromFiles }, { openService }] = await Promise.all([
        import('../util/address.js'), import('../connectors/registry.js'), import('../classify/classify.js'), import('./app.js'), import('../app/index.js'),
      ]);
      const addresses = opts.me.split(',').map((a) => a.trim().toLowerCase()).filter(Boolean);
      const bad = addresses.find((a) => !isValidAddress(a));
      if (bad !== undefined || addresses.length === 0) throw new OfferwatchError('EUSAGE', `cannot use --me: ${bad === undefined ? 'give your address' : `"${bad.slice(0, 80)}" is not an email address`} (e.g. --me you@example.com,alias@example.org)`);
      const m = /^([a-z][a-z0-9-]*):(.+)$/.exec(opts.source);
      const def = m ? connectorDefinition(m[1]!) : undefined;
      if (!m || !def?.fromScanSpec) {
        throw new OfferwatchError('EUSAGE', `cannot scan ${opts.source}: scan reads ${await scanTypes()}; other sources need a config file (offerwatch once)`);
      }
      const source = def.fromScanSpec(m[2]!, m[1]!);
      const clock = clockFrom(globals(cmd).now);
      const spec: AppSpec = {
        owner: { name: null, addresses, signature: null },
        // The definition's own schema shaped it; the config union holds every definition's shape.
        sources: [source as AppSpec['sources'][number]],
        stateDir: null,
        deadlines: DEFAULT_DEADLINES,
        ruleSources: ruleSourcesFromFiles(opts.rules ?? []),
        disabledRules: [],
        responses: [],
        channels: [],
        autoSave: false,
        resolvePath: (p) => resolve(p),
      };
      const bar = progress(io);
      const opened = await openService(spec, { clock, log: (l) => io.err(`${l}\n`), write: () => {}, onProgress: bar?.update });
      try {
        const service = opened.service;
        const reports = await service.scan();
        bar?.end();
        const warning = service.ownerWarning('--me');
        if (warning) io.err(`${warning}\n`);
        const failed = reports.find((r) => r.error);
        if (failed) throw new OfferwatchError('ESOURCE', failed.error!);
        const threads = service.threads({ all: opts.all });
        if (opts.json) io.out(`${JSON.stringify(threads, null, 2)}\n`);
        else io.out(`${renderBoard(threads, clock.now(), { ...viewOptions(io), skipped: reports[0]!.failures })}\n`);
      } finally {
        await opened.close();
      }
    });

  program
    .command('init')
    .description('Write a minimal config for you (your name, addresses and mailbox) at --config; asks on a terminal for what flags leave out')
    .option('--name <name>', 'your name, for the sign-off of drafts')
    .option('--address <address...>', 'an address you send from (repeat for aliases; the first is the drafts\' From)')
    .option('--mbox <path>', 'a mailbox file to read (a Google Takeout .mbox)')
    .option('--timezone <zone>', 'the time zone to show times in (IANA name such as Europe/Berlin; default: the system\'s)')
    .option('--force', 'replace an existing config')
    .action(async (opts: { name?: string; address?: string[]; mbox?: string; timezone?: string; force?: boolean }, cmd: Cmd) => {
      const file = resolve(globals(cmd).config);
      let { name, address: addresses, mbox } = opts;
      if (!addresses?.length) {
        if (!io.ask) throw new OfferwatchError('EUSAGE', 'cannot write the config: give your address with --address you@example.com (stdin is not a terminal to ask on)');
        name ??= (await io.ask('Your name (for the sign-off of drafts): ')).trim() || undefined;
        addresses = (await io.ask('Your email addresses, comma-separated (the first is the From of drafts): ')).split(',').map((a) => a.trim()).filter(Boolean);
        mbox ??= (await io.ask('A mailbox file to read, e.g. a Google Takeout .mbox (empty: fill in later): ')).trim() || undefined;
      }
      const { writeInitialConfig } = await import('../config/init.js');
      writeInitialConfig(file, { name: name ?? null, addresses, mbox: mbox ? resolve(mbox) : null, timezone: opts.timezone ?? null }, { force: opts.force });
      io.out(`Wrote ${file}.\nYour own reply templates go in ${join(dirname(file), 'templates')}; every other key is explained in config.example.yaml.\nNext: offerwatch once\n`);
    });

  program
    .command('once')
    .description('Run one cycle with your config: sync, classify, alert, propose drafts; then print the board')
    .option('--json', 'print the board as JSON (and nothing else on stdout)')
    .action(async (opts: { json?: boolean }, cmd: Cmd) => {
      await withApp(cmd, io, async (service, loaded, session) => {
        const { report } = await service.cycle({ holder: 'offerwatch once' });
        session.endProgress();
        printReport(io, report);
        const warning = service.ownerWarning(`owner.addresses in ${loaded.file}`);
        if (warning) io.err(`${warning}\n`);
        if (opts.json) io.out(`${JSON.stringify(service.threads(), null, 2)}\n`);
        else {
          io.out(`${renderBoardOf(service, session.view)}\n`);
          const pending = service.drafts();
          if (pending.length) io.out(`\nDrafts waiting for your review (offerwatch drafts show ID):\n${renderProposals(pending, session.view)}\n`);
        }
        if (report.sources.some((s) => s.error)) setExitCode(cmd, EXIT.SOURCE);
      });
    });

  program
    .command('run')
    .description('Run as a daemon: a cycle on the configured schedule (node-cron), one at a time (a tick during a cycle runs when it ends); timestamped lines; stops on SIGINT/SIGTERM')
    .action(async (_opts: unknown, cmd: Cmd) => {
      // Every line the daemon prints carries the time (of the machine, not of --now).
      const log: Io = { ...io, out: timestamped(io.out, systemClock), err: timestamped(io.err, systemClock) };
      await withApp(cmd, log, async (service, loaded, session) => {
        const [{ default: cron }, { cronScheduler, startDaemon }] = await Promise.all([import('node-cron'), import('../app/daemon.js')]);
        const schedule = loaded.config.schedule;
        if (!cron.validate(schedule)) throw new OfferwatchError('EUSAGE', `cannot start: schedule "${schedule}" in ${loaded.file} is not a cron expression`);
        const digest = loaded.config.alerts.digest;
        if (digest && !cron.validate(digest)) throw new OfferwatchError('EUSAGE', `cannot start: alerts.digest "${digest}" in ${loaded.file} is not a cron expression`);
        const line = (l: string) => log.err(`${l}\n`);
        let warned = false;
        line(`offerwatch running: cycles on "${schedule}"${digest ? `, digest on "${digest}"` : ''}. Ctrl-C stops.`);
        const daemon = startDaemon({
          scheduler: cronScheduler(line),
          schedule,
          digest,
          log: line,
          cycle: async (signal) => {
            const { report } = await service.cycle({ holder: 'offerwatch run', signal });
            session.endProgress();
            printReport(log, report);
            const warning = warned ? null : service.ownerWarning(`owner.addresses in ${loaded.file}`);
            if (warning) { warned = true; line(warning); }
          },
          sendDigest: () => service.deliverDigest(line, session.view.time),
        });
        await new Promise<void>((resolveStop) => {
          const stop = () => {
            line('stopping…');
            void daemon.stop().finally(() => resolveStop());
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      });
    });

  program
    .command('status')
    .description('Show the board from state: threads grouped by stage, overdue first')
    .option('--json', 'print JSON')
    .option('--failures', 'list the messages that could not be read, with the reason')
    .action((opts: { json?: boolean; failures?: boolean }, cmd: Cmd) => {
      return withStore(cmd, (service, loaded) => {
        if (opts.failures) {
          const f = service.failures();
          io.out(f.length ? `${f.map((x) => `${x.ref}: ${x.reason}`).join('\n')}\n` : 'No unreadable messages.\n');
          return;
        }
        if (opts.json) io.out(`${JSON.stringify(service.threads(), null, 2)}\n`);
        else io.out(`${renderBoardOf(service, viewOptions(io, loaded))}\n`);
      });
    });

  program
    .command('explain')
    .description("Show a thread's stage history: for each change, the rule that fired and the sentence that triggered it")
    .argument('<thread>', 'thread id (source:id, or an unambiguous prefix)')
    .option('--json', 'print JSON: the thread, its messages, stage history, alerts and drafts')
    .action((spec: string, opts: { json?: boolean }, cmd: Cmd) => {
      return withStore(cmd, (service, loaded) => {
        const t = service.thread(spec, loaded.owner);
        if (opts.json) return io.out(`${JSON.stringify(t, null, 2)}\n`);
        const view = viewOptions(io, loaded);
        io.out(`${renderExplain(t, service.now(), view)}\n`);
        if (t.proposals.length) io.out(`\n${renderProposals(t.proposals, view)}\n`);
      });
    });

  const rules = program.command('rules').description('Work with stage rules');
  rules
    .command('test')
    .description('Run the tests written inside the built-in rule files, your rule files and your config')
    .option('--file <files...>', 'extra rule files to load (as personal rules)')
    .action(async (opts: { file?: string[] }, cmd: Cmd) => {
      const [{ loadRules, ruleSourcesFromFiles }, { runRuleTests }] = await Promise.all([import('./app.js'), import('../rules/selftest.js')]);
      const g = globals(cmd);
      const personal = ruleSourcesFromFiles(opts.file ?? []);
      let disabled: string[] = [];
      if (existsSync(g.config)) {
        const loaded = await loadConfigFile(g.config);
        personal.unshift(loaded.personalRules, ...ruleSourcesFromFiles(loaded.ruleFiles));
        disabled = loaded.config.rules.disable;
      }
      const results = runRuleTests(loadRules(personal, disabled));
      for (const r of results) {
        io.out(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.name}  (${r.origin})\n`);
        for (const p of r.problems) io.out(`        ${p}\n`);
      }
      const failed = results.filter((r) => !r.ok).length;
      io.out(`${results.length - failed} passed, ${failed} failed\n`);
      if (failed) setExitCode(cmd, EXIT.FAILURE);
    });

  program
    .command('alerts')
    .description('List open alerts: threads waiting on your reply past their deadline')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }, cmd: Cmd) => {
      return withStore(cmd, (service) => {
        const rows = service.alerts();
        const hint = rows.length === 0 && service.isEmpty() ? ' The state is empty: run offerwatch once first.' : '';
        io.out(opts.json ? `${JSON.stringify(rows, null, 2)}\n` : `${renderAlertRows(rows)}${hint}\n`);
      });
    });

  program
    .command('snooze')
    .description('Silence a thread\'s alerts for a while: `snooze THREAD 2d`, or `snooze THREAD until 2026-12-01T09:00Z`')
    .argument('<thread>', 'thread id')
    .argument('<when...>', 'a duration (90m, 36h, 2d, 1w) or "until ISO"')
    .action(async (spec: string, when: string[], _o: unknown, cmd: Cmd) => {
      await withApp(cmd, io, async (service, _l, session) => {
        const r = await service.snooze(spec, when);
        const id = `${r.source}:${r.threadId}`;
        io.out(`Snoozed ${id} until ${session.view.time(r.until)}; a new message or your reply ends the snooze (offerwatch unsnooze ${id} ends it now).\n`);
      });
    });

  program
    .command('unsnooze')
    .description("End a thread's snooze now: its alerts come back if it is still overdue")
    .argument('<thread>', 'thread id')
    .action(async (spec: string, _o: unknown, cmd: Cmd) => {
      await withApp(cmd, io, async (service) => {
        const r = await service.unsnooze(spec);
        io.out(r.wasSnoozed ? `Snooze of ${r.source}:${r.threadId} ended.\n` : `${r.source}:${r.threadId} was not snoozed.\n`);
      });
    });

  program
    .command('decide')
    .description('Record your decision on a thread and propose the matching draft for review')
    .argument('<thread>', 'thread id')
    .addArgument(new Command().createArgument('<decision>', 'what you decided').choices(DECISIONS))
    .option('--reason <reason>', 'why, which picks the template: a reason a template is written for, such as accepted-elsewhere or compensation (an unknown one is refused with the list); none gives the neutral template')
    .option('--template <id>', 'use this template instead of the one the decision and reason pick')
    .option('--after-call [date]', 'you already told them on a call (optionally when, e.g. "Tuesday"): the draft confirms it in writing')
    .option('--force', 'propose even though the decision, reason or template does not fit the thread\'s stage')
    .option('--json', 'print JSON')
    .action(async (spec: string, decision: Decision, opts: { reason?: string; template?: string; afterCall?: string | boolean; force?: boolean; json?: boolean }, cmd: Cmd) => {
      await withApp(cmd, io, async (service) => {
        const r = service.decide(spec, decision, { reason: opts.reason ?? null, template: opts.template, afterCall: opts.afterCall, force: opts.force });
        if (opts.json) return io.out(`${JSON.stringify(r, null, 2)}\n`);
        const { proposal, created, superseded } = r;
        if (superseded) io.out(`This supersedes draft #${superseded.id} (${superseded.templateId}), which can no longer be approved.\n`);
        io.out(`${created ? 'Proposed' : 'Already proposed'}:\n\n${renderProposal(proposal)}\n`);
        io.out(`\nReview it, then: offerwatch drafts edit ${proposal.id} · offerwatch drafts approve ${proposal.id}\n`);
      });
    });

  registerDrafts(program, io);
  registerOffers(program, io);
  registerServe(program, io);
  registerCorrect(program, io);

  program
    .command('auth')
    .description(`Authorise offerwatch to read a mailbox and create drafts (${AUTH_TYPES.join(', ')}); for Gmail it prints an address to open, and a loopback listener on 127.0.0.1 receives the answer; for Outlook it prints a Microsoft address and a code to enter there (device-code sign-in)`)
    .argument('<type>', `the source type: ${AUTH_TYPES.join(', ')}`)
    .option('--account <name>', 'the source name (or account) from your config; needed when there are several')
    .action(async (type: string, opts: { account?: string }, cmd: Cmd) => {
      const { connectorDefinition } = await import('../connectors/registry.js');
      const def = connectorDefinition(type);
      if (!def?.authorize) throw new OfferwatchError('EUSAGE', `cannot authorise ${type}: offerwatch authorises ${await authTypes()}`);
      const g = globals(cmd);
      const loaded = await loadConfigFile(g.config);
      const mine = loaded.config.sources.filter((s) => s.type === type);
      const named = (s: (typeof mine)[number]) => s.name === opts.account || (s as { account?: string }).account === opts.account;
      const cfg = opts.account ? mine.find(named) : mine.length === 1 ? mine[0] : undefined;
      if (!cfg) throw new OfferwatchError('EUSAGE', `cannot authorise: ${mine.length === 0 ? `no ${type} source in ${loaded.file}` : 'name the source with --account'}`);
      const clock = clockFrom(g.now);
      await def.authorize(cfg, {
        stateDir: loaded.stateDir,
        clock,
        log: (l) => io.err(`${l}\n`),
        resolvePath: loaded.resolvePath,
        print: (l) => io.out(`${l}\n`),
      });
      io.out(`Source ${cfg.name} (${type}) is authorised.\n`);
    });

  program
    .command('demo')
    .description('Run the main job on the bundled demo mailbox (what `npm start` does): no account needed; starts from fresh state each time')
    .option('--state <dir>', 'where to keep the demo state (default: state.dir of demo/config.yaml)')
    .action(async (opts: { state?: string }, cmd: Cmd) => {
      const g = globals(cmd);
      const demo = JSON.parse(readFileSync(join(DEMO_DIR, 'demo.json'), 'utf8')) as { now: string };
      const clock = clockFrom(g.now ?? demo.now);
      const configFile = join(DEMO_DIR, 'config.yaml');
      const loaded = await loadConfigFile(configFile);
      const stateDir = opts.state ? resolve(opts.state) : loaded.stateDir;
      // Fresh demo state each run: only the files the demo itself writes are removed.
      for (const f of ['offerwatch.db', 'offerwatch.db-wal', 'offerwatch.db-shm']) rmSync(join(stateDir, f), { force: true });
      rmSync(join(stateDir, 'drafts', 'demo'), { recursive: true, force: true });
      const { openService } = await import('../app/index.js');
      const spec = { ...(await specFromConfig(loaded)), stateDir };
      const view = viewOptions(io, loaded);
      io.out(`offerwatch demo — mailbox ${join(DEMO_DIR, 'demo.mbox')}, as of ${view.time(clock.now().toISOString())}\n\nAlerts raised this cycle:\n`);
      const bar = progress(io);
      const opened = await openService({ ...spec, time: view.time }, { clock, log: (l) => io.err(`${l}\n`), write: (l) => io.out(`  ${l}\n`), onProgress: bar?.update });
      try {
        const service = opened.service;
        const { report } = await service.cycle({ holder: 'offerwatch demo' });
        bar?.end();
        if (report.raised.length === 0) io.out('  (none)\n');
        io.out(`\n${renderBoardOf(service, view)}\n`);
        const pending = service.drafts();
        io.out(`\nDrafts waiting for your review:\n${renderProposals(pending, view)}\n`);
        for (const p of pending.slice(0, 1)) io.out(`\n    ${renderProposal(p).replace(/\n/g, '\n    ')}\n`);
        const stateFlag = opts.state ? ` --state ${stateDir}` : '';
        io.out(`\nState is in ${stateDir}. Next, as the owner would:\n`);
        io.out(`  npx offerwatch --config ${configFile} --now ${demo.now} explain ${pending[0]?.threadId ?? 'THREAD'}\n`);
        io.out(`  npx offerwatch --config ${configFile} --now ${demo.now} drafts approve ${pending[0]?.id ?? 'ID'}   # writes an .eml draft; nothing is sent\n`);
        io.out(`  npx offerwatch --config ${configFile} --now ${demo.now} serve   # the same board as a local web page\n`);
        if (stateFlag) io.out(`  (add state.dir ${stateDir} to a copy of the config to reuse this state)\n`);
      } finally {
        await opened.close();
      }
    });
}

/** The board as the service has it (cards with snoozes and drafts), rendered for a person. */
function renderBoardOf(service: Service, view: RenderOptions): string {
  const b = service.board();
  return renderBoard(b.threads, new Date(b.now), { ...view, skipped: b.skipped, empty: b.empty });
}

/**
 * The source types `scan --source` reads and `auth` signs in to, as the help shows them. Written
 * out so that `--help` does not load every connector; a test checks them against the registry.
 */
export const SCAN_TYPES: readonly string[] = ['mbox'];
export const AUTH_TYPES: readonly string[] = ['gmail', 'outlook'];

/** Source types `scan --source` reads, from the registry, as `type:SPEC`. */
async function scanTypes(): Promise<string> {
  const { connectorDefinitions } = await import('../connectors/registry.js');
  return connectorDefinitions().filter((d) => d.fromScanSpec).map((d) => `${d.type}:…`).join(', ');
}

/** Source types `auth` knows, from the registry. */
async function authTypes(): Promise<string> {
  const { connectorDefinitions } = await import('../connectors/registry.js');
  return connectorDefinitions().filter((d) => d.authorize).map((d) => d.type).join(', ');
}

