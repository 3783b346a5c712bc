/** Sync cursors are JSON checked by each connector's own zod schema. */
import type { z } from 'zod';

/** The cursor; null for a first run; 'invalid' when the string is not one this version wrote (the caller resyncs). */
export function decodeJsonCursor<T>(schema: z.ZodType<T>, s: string | null): T | null | 'invalid' {
  if (s === null) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(s));
    return parsed.success ? parsed.data : 'invalid';
  } catch {
    return 'invalid';
  }
}
