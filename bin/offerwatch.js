#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build`, which `npm install` runs (prepare); after editing src/, build again.
import { main } from '../dist/cli/main.js';

// `offerwatch status | head` closes the pipe early: stop quietly instead of crashing.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err?.stack ?? String(err)); process.exitCode = 1; },
);
