import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { initSync, analyze_cell } from '@spglib/moyo-wasm';
import { readStructure } from '../../src/structure/io.ts';
import { supercell } from '../../src/structure/supercell.ts';
const require = createRequire(import.meta.url);
initSync({ module: readFileSync(require.resolve('@spglib/moyo-wasm/moyo_wasm_bg.wasm')) });
const alpha = readStructure('structures/alpha-Nb5Si3/structure.cif', {});
for (const n of [2, 3, 4, 5]) {
  const cell = supercell(alpha, [[n, 0, 0], [0, n, 0], [0, 0, n]]);
  const m = cell.lattice.matrix;
  const c = { lattice: { basis: [...m[0], ...m[1], ...m[2]] }, positions: cell.sites.map((s) => s.frac), numbers: cell.sites.map((s) => (s.element === 'Nb' ? 41 : 14)) };
  const t = performance.now();
  const d = analyze_cell(JSON.stringify(c), 0.01, 'Standard');
  console.log(cell.length, 'moyo', ((performance.now() - t) / 1000).toFixed(2), d.number, d.operations.length);
}
