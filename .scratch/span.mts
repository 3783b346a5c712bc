import { generateMailItems } from '../scripts/lib/gen-mbox.ts';
const items = [...generateMailItems({ seed: 2026, messages: 10000, jobShare: 0.02, owner: 'Sam Lee <sam.lee@example.net>' })];
const last = Date.parse(items.at(-1)!.date);
const start = last + 3600_000 - 181 * 86400_000;
const job = new Set(items.filter(m => m.job).map(m => m.threadId));
const inWin = new Set(items.filter(m => m.job && Date.parse(m.date) >= start).map(m => m.threadId));
console.log(items[0].date, items.at(-1)!.date, job.size, inWin.size);
