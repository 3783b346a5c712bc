/**
 * Scores the classifier on labelled mailboxes through the product's `scan --json` path:
 *   npx tsx scripts/eval-corpus.ts [CORPUS ...] [--verbose] [--json]
 *   npx tsx scripts/eval-corpus.ts MBOX LABELS.json ME NOW [--verbose] [--json]
 * CORPUS is a folder with a corpus.yaml or a name under test/corpora/; none means every corpus
 * that is not blind. A blind corpus is scored only when named, and its misses are never listed.
 */
import { corpusDirs, CorpusLoadError, loadCorpus } from './corpus/load.js';
import { type Mailbox, type Score, scoreMailbox } from './corpus/score.js';

interface Target {
  name: string;
  box: Mailbox;
  blind: boolean;
}

function targets(args: string[]): Target[] {
  if (args.length === 4 && args[0]!.endsWith('.mbox')) {
    const [mbox, labels, me, now] = args as [string, string, string, string];
    return [{ name: mbox, box: { mbox, labels, me: me.split(','), now }, blind: false }];
  }
  return corpusDirs(args)
    .map((dir) => loadCorpus(dir))
    .filter((c) => args.length > 0 || !c.meta.blind)
    .map((c) => ({ name: c.name, blind: c.meta.blind, box: { mbox: c.mboxPath, labels: c.labelsPath, me: c.me, now: c.def.now } }));
}

async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const json = argv.includes('--json');
  let list: Target[];
  try {
    list = targets(argv.filter((a) => !a.startsWith('--')));
  } catch (e) {
    if (!(e instanceof CorpusLoadError)) throw e;
    console.error(e.message);
    return 2;
  }
  const blindVerbose = list.find((t) => t.blind && verbose);
  if (blindVerbose) {
    console.error(`${blindVerbose.name} is blind: its misses are not listed (leave out --verbose)`);
    return 2;
  }
  const results: Array<{ name: string } & Score> = [];
  for (const t of list) {
    const s = await scoreMailbox(t.box);
    results.push({ name: t.name, ...s });
    if (json) continue;
    console.log(`${t.name}: ${s.summary}`);
    if (verbose) for (const m of s.mistakes) console.log(`  ${m}`);
  }
  if (json) {
    const rows = results.map(({ summary: _summary, mistakes, ...r }) => (verbose ? { ...r, mistakes } : r));
    console.log(JSON.stringify(rows, null, 2));
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
