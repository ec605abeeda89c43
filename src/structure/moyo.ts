import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { initSync } from '@spglib/moyo-wasm';

let ready = false;

/** Instantiate moyo's WebAssembly module once per process (synchronously, from the installed package). */
export function loadMoyo(): void {
  if (ready) return;
  const require = createRequire(import.meta.url);
  const wasm = require.resolve('@spglib/moyo-wasm/moyo_wasm_bg.wasm');
  initSync({ module: readFileSync(wasm) });
  ready = true;
}
