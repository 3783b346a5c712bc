/**
 * A loopback TCP proxy in front of a real server: counts bytes and round trips at the
 * socket (a round trip is a client write answered by server bytes), counts IMAP commands,
 * and can cut the connection when the traffic matches a condition (mid-fetch, mid-APPEND).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface Counters {
  connections: number;
  bytesUp: number;
  bytesDown: number;
  roundTrips: number;
  /** Tagged command lines from the client, by command name (FETCH, UID FETCH → 'UID FETCH'). */
  commands: Record<string, number>;
  /** The client's command lines (first 300 characters each, at most 5,000 kept). */
  lines: string[];
}

export interface CutRule {
  /** Cut when the client has sent this (a regex over the client's bytes of this connection). */
  afterClient?: RegExp;
  /** Cut when the server has sent this (over the server's bytes of this connection). */
  afterServer?: RegExp;
  /** Forward the matching chunk before cutting (true) or drop it (false, default). */
  forwardMatch?: boolean;
}

export interface Proxy {
  port: number;
  counters: Counters;
  reset(): void;
  /** The next connection that matches is cut once; later ones pass. */
  cutOnce(rule: CutRule): Promise<void>;
  close(): Promise<void>;
}

export async function startProxy(target: { host: string; port: number }): Promise<Proxy> {
  const counters: Counters = { connections: 0, bytesUp: 0, bytesDown: 0, roundTrips: 0, commands: {}, lines: [] };
  let rule: CutRule | null = null;
  let onCut: (() => void) | null = null;
  const sockets = new Set<Socket>();
  const server: Server = createServer((down) => {
    counters.connections++;
    const up = connect(target);
    sockets.add(down);
    sockets.add(up);
    let clientText = '';
    let serverText = '';
    let lastFromClient = false;
    let lineBuf = '';
    const cut = () => {
      rule = null;
      down.destroy();
      up.destroy();
      onCut?.();
      onCut = null;
    };
    down.on('data', (d: Buffer) => {
      counters.bytesUp += d.length;
      lastFromClient = true;
      lineBuf += d.toString('latin1');
      const lines = lineBuf.split('\r\n');
      lineBuf = lines.pop() ?? '';
      for (const l of lines) {
        const m = /^[A-Za-z0-9.]+ (UID [A-Z]+|[A-Z]+)\b/.exec(l);
        if (m && !/^DONE/.test(l)) {
          counters.commands[m[1]!] = (counters.commands[m[1]!] ?? 0) + 1;
          if (counters.lines.length < 5000) counters.lines.push(l.slice(0, 300));
        }
      }
      if (lineBuf.length > 4096) lineBuf = lineBuf.slice(-1024);
      if (rule?.afterClient) {
        clientText = (clientText + d.toString('latin1')).slice(-65536);
        if (rule.afterClient.test(clientText)) {
          if (rule.forwardMatch) up.write(d, () => setImmediate(cut));
          else cut();
          return;
        }
      }
      up.write(d);
    });
    up.on('data', (d: Buffer) => {
      counters.bytesDown += d.length;
      if (lastFromClient) counters.roundTrips++;
      lastFromClient = false;
      if (rule?.afterServer) {
        serverText = (serverText + d.toString('latin1')).slice(-65536);
        if (rule.afterServer.test(serverText)) {
          if (rule.forwardMatch) down.write(d, () => setImmediate(cut));
          else cut();
          return;
        }
      }
      down.write(d);
    });
    const end = () => {
      down.destroy();
      up.destroy();
      sockets.delete(down);
      sockets.delete(up);
    };
    down.on('close', end);
    up.on('close', end);
    down.on('error', end);
    up.on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    counters,
    reset() {
      counters.connections = 0;
      counters.bytesUp = 0;
      counters.bytesDown = 0;
      counters.roundTrips = 0;
      counters.commands = {};
      counters.lines = [];
    },
    cutOnce(r) {
      rule = r;
      return new Promise<void>((resolve) => (onCut = resolve));
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
