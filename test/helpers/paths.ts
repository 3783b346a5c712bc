import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const SHARED_CORPUS = resolve(REPO, '..', 'shared', 'corpus');
export const SHARED_MBOX = join(SHARED_CORPUS, 'sample.mbox');
export const HAS_SHARED = existsSync(SHARED_MBOX);
