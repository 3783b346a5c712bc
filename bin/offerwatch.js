#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build`, which `npm install` runs (prepare).
let main;
try {
  ({ main } = await import('../dist/cli/main.js'));
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
  console.error('offerwatch: cannot start: dist/ is missing; run `npm run build` (npm install does it) first');
  process.exit(70);
}

// `offerwatch status | head` closes the pipe early: stop quietly instead of crashing.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`offerwatch: internal error: ${err?.message ?? String(err)}`); process.exitCode = 70; },
);
