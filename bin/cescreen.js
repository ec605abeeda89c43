#!/usr/bin/env node
// Runs the compiled CLI (dist/, built at `npm install` by scripts/build.mjs): no TypeScript is
// transpiled at start-up. Without a build, or when a source file is newer than it (a developer's
// edit), the sources run through tsx instead, so the launcher never runs stale code.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../', import.meta.url).pathname;

function buildIsCurrent() {
  let built;
  try {
    built = Number(readFileSync(join(root, 'dist/BUILT_FROM'), 'utf8'));
  } catch {
    return false;
  }
  const newer = (dir) =>
    readdirSync(dir, { withFileTypes: true }).some((e) => (e.isDirectory() ? newer(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs > built));
  return !newer(join(root, 'src'));
}

if (buildIsCurrent()) {
  await import('../dist/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
