/** Entry point for tests that run the CLI as a separate process (to kill it). */
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv);
