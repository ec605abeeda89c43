import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from './helpers.ts';

const hasClang = (() => {
  try {
    execFileSync('clang', ['--version'], { stdio: 'ignore' });
    execFileSync('wasm-ld', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

test('the embedded WebAssembly is what src/util/wasm.c compiles to', { skip: hasClang ? false : 'clang/wasm-ld not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cescreen-wasm-'));
  try {
    const out = join(dir, 'wasm-bytes.ts');
    execFileSync('bash', [repoPath('scripts/build-wasm.sh')], { env: { ...process.env, WASM_BYTES_TS: out }, stdio: 'ignore' });
    assert.equal(readFileSync(out, 'utf8'), readFileSync(repoPath('src/util/wasm-bytes.ts'), 'utf8'), 'run scripts/build-wasm.sh after editing wasm.c');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
