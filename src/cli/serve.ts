/** `offerwatch serve`: the board, threads, drafts and offers as a local web page. */
import { Command } from 'commander';
import { OfferwatchError } from '../errors.js';
import { withApp, type Cmd } from './context.js';
import type { Io } from './main.js';

export function registerServe(program: Command, io: Io): void {
  program
    .command('serve')
    .description('Serve the board as a local web page (127.0.0.1 only; a token in the printed address); Ctrl-C stops')
    .option('--port <n>', 'the port on the loopback address (0: any free one)', '8787')
    .option('--host <address>', 'the address to bind (loopback unless --allow-remote)', '127.0.0.1')
    .option('--allow-remote', 'allow a non-loopback --host; needs a password in OFFERWATCH_PASSWORD')
    .option('--tz <zone>', 'time zone for the times shown (IANA name, e.g. Europe/Berlin); default: the config\'s timezone, else the machine\'s')
    .action(async (opts: { port: string; host: string; allowRemote?: boolean; tz?: string }, cmd: Cmd) => {
      const [{ startServer, isLoopback }, { validTimeZone }] = await Promise.all([import('../web/server.js'), import('../web/html.js')]);
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new OfferwatchError('EUSAGE', `cannot serve: --port ${opts.port} is not a port number`);
      const password = io.env.OFFERWATCH_PASSWORD || null;
      if (!isLoopback(opts.host)) {
        if (!opts.allowRemote) throw new OfferwatchError('EUSAGE', `cannot serve on ${opts.host}: it is not a loopback address; pass --allow-remote and set OFFERWATCH_PASSWORD to allow it`);
        if (!password) throw new OfferwatchError('EUSAGE', `cannot serve on ${opts.host}: a non-loopback address needs a password in OFFERWATCH_PASSWORD`);
      }
      if (opts.tz && !validTimeZone(opts.tz)) throw new OfferwatchError('EUSAGE', `cannot serve: --tz ${opts.tz} is not a time zone name such as Europe/Berlin`);
      await withApp(cmd, io, async (service, loaded) => {
        // --tz, else the config's timezone (when the config has that key), else TZ, else the machine's.
        const configured = (loaded.config as { timezone?: string }).timezone;
        const timeZone = opts.tz ?? configured ?? (io.env.TZ && validTimeZone(io.env.TZ) ? io.env.TZ : Intl.DateTimeFormat().resolvedOptions().timeZone);
        const s = await startServer(service, { host: opts.host, port, timeZone, password, allowRemote: opts.allowRemote, log: (l) => io.err(`${l}\n`) })
          .catch((e: NodeJS.ErrnoException) => {
            throw new OfferwatchError('EUSAGE', e.code === 'EADDRINUSE' ? `cannot serve on port ${port}: it is in use; choose another with --port` : `cannot serve: ${e.message}`);
          });
        io.out(`offerwatch serve: open this address in your browser (it holds this session's token):\n${s.url}\n`);
        if (password) io.err('Remote access is plain HTTP: use it only inside a network you trust, or behind a TLS proxy.\n');
        io.err('Ctrl-C stops.\n');
        await new Promise<void>((resolve) => {
          const stop = () => {
            io.err('stopping…\n');
            void s.close().finally(resolve);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      });
    });
}
