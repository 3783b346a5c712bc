/** Where the package's own data lives: built-in rules, templates and the demo mailbox. */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The package root, both from `src/` (tsx, tests) and from `dist/` (built CLI). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const BUILTIN_RULES_DIR = join(PACKAGE_ROOT, 'rules');
export const TEMPLATES_DIR = join(PACKAGE_ROOT, 'templates');
export const DEMO_DIR = join(PACKAGE_ROOT, 'demo');
