/**
 * Large structure files: how long reading takes and how much memory it peaks at,
 * for files the reader refuses (too many atoms, too large) and for the largest it
 * accepts. Each read runs in a fresh process (peak RSS of that process).
 *
 *   node --import tsx scripts/bench-large-input.ts
 *
 * Files are generated in a temporary folder and removed afterwards (the 2 GB one
 * is sparse: it takes no disk space).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '../src/model/learn/random.ts';

const root = new URL('../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'cescreen-large-'));

/** A P1 CIF of `rows` atom rows; distinct random positions unless `repeat`. */
function cif(path: string, rows: number, repeat: boolean): void {
  const fd = openSync(path, 'w');
  writeSync(fd, 'data_big\n_cell_length_a 500\n_cell_length_b 500\n_cell_length_c 500\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n');
  writeSync(fd, 'loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n');
  const rng = createRng(1);
  const row = () => (repeat ? 'Nb 0.123456 0.234567 0.345678\n' : `Nb ${rng.next().toFixed(6)} ${rng.next().toFixed(6)} ${rng.next().toFixed(6)}\n`);
  const chunk: string[] = [];
  for (let i = 0; i < rows; i++) {
    chunk.push(row());
    if (chunk.length === 100_000) writeSync(fd, chunk.splice(0).join(''));
  }
  writeSync(fd, chunk.join(''));
  closeSync(fd);
}

const reader = join(dir, 'read.mjs');
writeFileSync(
  reader,
  `import { readStructure } from ${JSON.stringify(join(root, 'src/structure/io.ts'))};\n` +
    `const t0 = performance.now(); let outcome;\n` +
    `try { outcome = readStructure(process.argv[2]).length + ' atoms read'; } catch (e) { outcome = e.message.replace(/^.*?: (.*?:\\d+: )?/, ''); }\n` +
    `console.log(JSON.stringify({ outcome, seconds: (performance.now() - t0) / 1000, peakMB: process.resourceUsage().maxRSS / 1024 }));\n`,
);

try {
  const cases: [string, () => string][] = [
    ['P1 CIF, 99 999 atoms (accepted)', () => (cif(join(dir, 'a.cif'), 99_999, false), join(dir, 'a.cif'))],
    ['P1 CIF, 1 000 000 atoms', () => (cif(join(dir, 'b.cif'), 1_000_000, true), join(dir, 'b.cif'))],
    ['P1 CIF, 5 000 000 atoms (150 MB)', () => (cif(join(dir, 'c.cif'), 5_000_000, true), join(dir, 'c.cif'))],
    ['2 GB file (sparse)', () => {
      const p = join(dir, 'd.cif');
      writeFileSync(p, '');
      truncateSync(p, 2 * 2 ** 30);
      return p;
    }],
    ['POSCAR declaring 5 000 000 atoms', () => {
      const p = join(dir, 'POSCAR');
      writeFileSync(p, 'big\n1.0\n100 0 0\n0 100 0\n0 0 100\nNb\n5000000\nDirect\n0 0 0\n');
      return p;
    }],
  ];
  console.log('| file | outcome | read (s) | peak RSS (MB) |\n|---|---|---|---|');
  for (const [what, make] of cases) {
    const path = make();
    const r = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', reader, path], { cwd: root, encoding: 'utf8' }));
    console.log(`| ${what} | ${r.outcome.slice(0, 90)} | ${r.seconds.toFixed(2)} | ${r.peakMB.toFixed(0)} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
