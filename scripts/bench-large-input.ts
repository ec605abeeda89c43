/**
 * Large structure files: how long reading takes and how much memory it peaks at,
 * for files the reader refuses (too many atoms, too large) and for the largest it
 * accepts. Each read runs in a fresh process (peak RSS of that process).
 *
 *   node --import tsx scripts/bench-large-input.ts
 *
 * Then the other inputs' limits through the CLI (bin/cescreen.js, compiled), wall
 * time, CPU and peak RSS by /usr/bin/time: symmetry-operation lists, data sets
 * beyond the row and byte limits, a 1 GB model file.
 *
 * Files are generated in a temporary folder and removed afterwards (the 2 GB one
 * is sparse: it takes no disk space).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '../src/model/learn/random.ts';

const root = new URL('../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'cescreen-large-'));
const alpha = join(root, 'structures/alpha-Nb5Si3/structure.cif');

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

  const cli: [string, () => string[]][] = [
    ['CIF, 1 000 symmetry operations', () => ['structure', ops(1000)]],
    ['CIF, 1 000 000 symmetry operations', () => ['structure', ops(1_000_000)]],
    ['data set, 2 000 000 rows (240 MB)', () => ['train', '--data', dataset(2_000_000), '--structure', alpha, '-o', join(dir, 'm.json')]],
    ['data set, 150 000 rows (18 MB)', () => ['train', '--data', dataset(150_000), '--structure', alpha, '-o', join(dir, 'm.json')]],
    ['model file, 1 GB (sparse)', () => {
      const p = join(dir, 'big.json');
      writeFileSync(p, '');
      truncateSync(p, 2 ** 30);
      return ['predict', '--model', p, alpha];
    }],
  ];
  console.log('\n| CLI input | outcome | wall (s) | CPU (s) | peak RSS (MB) |\n|---|---|---|---|---|');
  for (const [what, make] of cli) {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, join(root, 'bin/cescreen.js'), ...make()], { cwd: root, encoding: 'utf8', env: { ...process.env, CESCREEN_QUIET: '1' } });
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('Command exited'));
    const [wall, user, sys, kb] = lines.pop()!.split(' ').map(Number);
    console.log(`| ${what} | exit ${r.status}: ${lines.join(' ').replace(/^cescreen: \S+: /, '').slice(0, 90)} | ${wall.toFixed(2)} | ${(user + sys).toFixed(2)} | ${(kb / 1024).toFixed(0)} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** A CIF listing n symmetry operations (x + k/n, y, z). */
function ops(n: number): string {
  const p = join(dir, `ops${n}.cif`);
  const fd = openSync(p, 'w');
  writeSync(fd, 'data_ops\n_cell_length_a 5\n_cell_length_b 5\n_cell_length_c 5\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\nloop_\n_symmetry_equiv_pos_as_xyz\n');
  for (let k = 0; k < n; k += 100_000) writeSync(fd, Array.from({ length: Math.min(100_000, n - k) }, (_, i) => `'x+${k + i}/${n},y,z'\n`).join(''));
  writeSync(fd, 'loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nNb1 0 0 0\n');
  closeSync(fd);
  return p;
}

/** The α data set's rows repeated to n rows. */
function dataset(n: number): string {
  const lines = readFileSync(join(root, 'structures/alpha-Nb5Si3/eds.csv'), 'utf8').trimEnd().split('\n');
  const p = join(dir, `rows${n}.csv`);
  const fd = openSync(p, 'w');
  writeSync(fd, lines[0] + '\n');
  const rows = lines.slice(1);
  for (let k = 0; k < n; k += rows.length) writeSync(fd, rows.slice(0, Math.min(rows.length, n - k)).join('\n') + '\n');
  closeSync(fd);
  return p;
}
