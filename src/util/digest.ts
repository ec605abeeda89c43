/** Content digests: a file's sha256 (recorded beside what was made from it) and a short name for a text. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const sha256File = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The first 16 hex digits of the text's sha256: a key, not a proof. */
export const shortDigest = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);
