/**
 * Renders labelled corpora (test/corpora/<name>/) into their mbox and labels.json.
 *   npx tsx scripts/corpus/build.ts [NAME|DIR ...]           write the files (default: every corpus)
 *   npx tsx scripts/corpus/build.ts --check [NAME|DIR ...]   exit 1 if a committed file differs
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { corpusDirs, CorpusLoadError, REPO_ROOT, renderCorpusFiles, staleFiles } from './load.js';

function main(argv: string[]): number {
  const check = argv.includes('--check');
  let bad = 0;
  for (const dir of corpusDirs(argv.filter((a) => a !== '--check'))) {
    try {
      if (check) {
        for (const f of staleFiles(dir)) {
          bad += 1;
          console.error(`out of date: ${f} (run npx tsx scripts/corpus/build.ts)`);
        }
        continue;
      }
      for (const f of renderCorpusFiles(dir).files) {
        const same = existsSync(f.path) && readFileSync(f.path).equals(f.bytes);
        if (!same) {
          mkdirSync(dirname(f.path), { recursive: true });
          writeFileSync(f.path, f.bytes);
        }
        console.log(`${same ? 'unchanged' : 'wrote    '} ${relative(REPO_ROOT, f.path)} (${f.bytes.length} bytes)`);
      }
    } catch (e) {
      if (!(e instanceof CorpusLoadError)) throw e;
      console.error(e.message);
      bad += 1;
    }
  }
  return bad ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
