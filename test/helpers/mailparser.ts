/** mailparser ships no types; this is the little of it the tests use (a second MIME parser). */
import { createRequire } from 'node:module';

export interface ParsedAddress {
  value: { address?: string; name: string }[];
}

export interface ParsedMail {
  subject?: string;
  from?: ParsedAddress;
  inReplyTo?: string;
  references?: string | string[];
  messageId?: string;
  text?: string;
  to?: ParsedAddress;
  headers: Map<string, unknown>;
}

const require = createRequire(import.meta.url);
const mp = require('mailparser') as { simpleParser(input: Buffer | string): Promise<ParsedMail> };
export const simpleParser = (input: Buffer | string) => mp.simpleParser(input);
