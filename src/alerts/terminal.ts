/** Prints one line per raised alert and one per cleared alert. */
import { formatAlert, formatCleared } from './format.js';
import type { AlertChannel, TextSink } from './types.js';

export function terminalChannel(write: (line: string) => void, time?: (iso: string) => string): AlertChannel & TextSink {
  return {
    name: 'terminal',
    async raise(alert, now) {
      write(formatAlert(alert, now));
    },
    async clear(alert) {
      write(formatCleared(alert, { time }));
    },
    async sendText(text) {
      for (const line of text.split('\n')) write(line);
    },
  };
}
