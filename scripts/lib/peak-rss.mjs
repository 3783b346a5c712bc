/**
 * Preloaded into a measured process (`node --import ./scripts/lib/peak-rss.mjs …`): when the
 * process exits, writes its own peak resident set size, as the kernel counted it
 * (getrusage ru_maxrss, the same figure as VmHWM), and the largest V8 heap it sampled, to the
 * file named by OFFERWATCH_PEAK_RSS_FILE as JSON. Plain JS so that it runs without a loader.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.OFFERWATCH_PEAK_RSS_FILE;
if (file) {
  let heapTotal = 0;
  const sample = () => { heapTotal = Math.max(heapTotal, process.memoryUsage().heapTotal); };
  setInterval(sample, 50).unref();
  process.on('exit', () => {
    sample();
    writeFileSync(file, JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024, heapTotalBytes: heapTotal }));
  });
}
