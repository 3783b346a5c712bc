/**
 * Scores the classifier on a labelled mbox (the shared corpus format):
 *   npx tsx scripts/eval-corpus.ts MBOX LABELS.json OWNER NOW [--verbose]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { splitMbox } from '../src/connectors/mbox/split.js';
import { parseMboxMessage } from '../src/connectors/mbox/takeout.js';
import { groupThreads, toThread } from '../src/pipeline/threading.js';
import { classifyThread, DEFAULT_DEADLINES } from '../src/classify/classify.js';
import { buildRuleSet, readRuleDir } from '../src/rules/load.js';
import { scoreVerdicts, type Label } from '../test/helpers/score.js';
import type { MailMessage } from '../src/model/types.js';

const [mbox, labelsPath, owner, now] = process.argv.slice(2);
const verbose = process.argv.includes('--verbose');
const rules = buildRuleSet(readRuleDir(resolve('rules')));
const msgs: MailMessage[] = [];
for await (const item of splitMbox(mbox!)) {
  if ('raw' in item) msgs.push(await parseMboxMessage(item.raw));
}
const me = { name: null, addresses: owner!.split(',') };
const verdicts = [...groupThreads(msgs, me)].map(([id, ms]) => classifyThread(toThread(id, 'eval', ms, me), rules, DEFAULT_DEADLINES, new Date(now!)));
const labels = JSON.parse(readFileSync(labelsPath!, 'utf8')) as Label[];
const score = scoreVerdicts(verdicts, labels);
for (const line of score.mistakes) if (verbose) console.log(line);
if (verbose) {
  const wrong = new Set(score.mistakes.filter((l) => /^(stage|waiting)/.test(l)).map((l) => l.split(' ').filter(Boolean)[1]));
  for (const v of verdicts) if (wrong.has(v.threadId)) {
    console.log(`  ${v.threadId}: ${v.history.map((h) => `${h.from}->${h.to} by ${h.rule}: "${h.sentence}"`).join(' | ')} awaitingRule=${v.awaitingRule} "${v.awaitingSentence}"`);
  }
}
console.log(score.summary);
