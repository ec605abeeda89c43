// The CLI as users run it (bin/cescreen.js, compiled): outputs it cannot clobber, inputs it
// cannot misread or choke on, and the first minute of a new phase.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALPHA, alphaSubset, BETA, ref, repoPath } from './helpers.ts';
import { MAX_MODEL_FILE_BYTES, MAX_SYMMETRY_OPERATIONS, MAX_TABLE_ROWS } from '../src/util/limits.ts';
import { DEFAULT_FAMILY_RULE } from '../src/predict/modelFile.ts';

const bin = repoPath('bin/cescreen.js');
const dir = mkdtempSync(join(tmpdir(), 'cescreen-behaviour-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function cescreen(...args: string[]) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, CESCREEN_QUIET: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr, seconds: (Date.now() - t0) / 1000 };
}
/** Exit 2 with one line on stderr that matches `message`. */
function refused(r: ReturnType<typeof cescreen>, message: RegExp) {
  assert.equal(r.code, 2, r.err);
  assert.equal(r.err.trimEnd().split('\n').length, 1, r.err);
  assert.match(r.err, message);
}
const CIF = repoPath(ALPHA);

test('an output path that is a device, a FIFO or a link to a device is refused by name; a missing folder is created', () => {
  refused(cescreen('nnh', CIF, '--svg', '/dev/null'), /\/dev\/null: cannot write the output file: it is a character device, not a regular file/);
  const link = join(dir, 'null.cif');
  symlinkSync('/dev/null', link);
  refused(cescreen('supercell', CIF, '--size', '1x1x1', '-o', link), /null\.cif: cannot write the output file: it is a character device/);
  assert.ok(readFileSync('/dev/null', 'utf8') === '' && !existsSync(join(dir, '.null.cif.tmp')));
  const fifo = join(dir, 'fifo.cif');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  refused(cescreen('supercell', CIF, '--size', '1x1x1', '-o', fifo), /fifo\.cif: cannot write the output file: it is a named pipe/);
  const nested = join(dir, 'new', 'folder', 'cell.cif');
  assert.equal(cescreen('supercell', CIF, '--size', '1x1x1', '-o', nested).code, 0);
  assert.ok(existsSync(nested));
});

test('a missing input file, an option typo and a missing argument are one line each with exit 2', () => {
  const missing = join(dir, 'nope.cif');
  const r = cescreen('structure', missing);
  refused(r, /nope\.cif: cannot read the structure file: no such file or folder$/m);
  assert.equal(r.err.split(missing).length - 1, 1, 'the path is named once');
  refused(cescreen('predict', '--modle', 'm.json', CIF), /unknown option '--modle' \(did you mean --model\?\); see 'cescreen predict --help'/);
  refused(cescreen('prdict'), /unknown command 'prdict' \(did you mean predict\?\)/);
  refused(cescreen('structure'), /missing required argument 'cif'; see 'cescreen structure --help'/);
});

test('inputs over their limits are refused while reading, naming the file and the limit', () => {
  // symmetry operations: a space group has at most 192
  const ops = join(dir, 'ops.cif');
  const body = Array.from({ length: 10_000 }, (_, k) => `'x+${k}/10000,y,z'`).join('\n');
  writeFileSync(ops, `data_x\n_cell_length_a 5\n_cell_length_b 5\n_cell_length_c 5\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\nloop_\n_symmetry_equiv_pos_as_xyz\n${body}\nloop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nNb1 0 0 0\n`);
  const o = cescreen('pairs', ops);
  refused(o, new RegExp(`ops\\.cif:${10 + MAX_SYMMETRY_OPERATIONS}: the symmetry-operation list has more than ${MAX_SYMMETRY_OPERATIONS} rows`));
  // a data set beyond the row limit is refused at that row, not after parsing it all
  const lines = readFileSync(repoPath('structures/alpha-Nb5Si3/eds.csv'), 'utf8').trimEnd().split('\n');
  const big = join(dir, 'big.csv');
  const rows = lines.slice(1);
  writeFileSync(big, [lines[0], ...Array.from({ length: Math.ceil((MAX_TABLE_ROWS + 10) / rows.length) }, () => rows).flat()].join('\n') + '\n');
  const d = cescreen('train', '--data', big, '--structure', CIF, '-o', join(dir, 'never.json'));
  refused(d, new RegExp(`big\\.csv:${MAX_TABLE_ROWS + 2}: more than ${MAX_TABLE_ROWS} rows: a data set is read up to ${MAX_TABLE_ROWS} rows`));
  assert.ok(!existsSync(join(dir, 'never.json')));
  // a 1 GB model file is refused from its size (sparse: nothing is read)
  const model = join(dir, 'huge.json');
  writeFileSync(model, '');
  truncateSync(model, 2 ** 30);
  const m = cescreen('predict', '--model', model, repoPath(BETA));
  refused(m, new RegExp(`huge\\.json: the model file is 1024 MB; model files are read up to ${MAX_MODEL_FILE_BYTES / 2 ** 20} MB`));
  for (const r of [o, d, m]) assert.ok(r.seconds < 10, `refusal took ${r.seconds} s`);
});

test('a CIF cut off at a row boundary warns that its atoms do not make _chemical_formula_sum', () => {
  const text = readFileSync(CIF, 'utf8');
  const cut = join(dir, 'cut.cif');
  // keep the Nb rows, drop the Si rows of the atom loop
  writeFileSync(cut, text.split('\n').filter((l) => !/^\s*Si/.test(l)).join('\n'));
  const r = cescreen('structure', cut);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^Nb /);
  assert.match(r.err, /cut\.cif: line \d+: the atoms read make Nb20 \(20 atoms\), which is not the composition _chemical_formula_sum states \(Nb20 ?Si12|Nb5 ?Si3/);
  assert.equal(cescreen('structure', CIF).err, '', 'the whole file reads without a warning');
});

test('a duplicate data row with a conflicting energy is named with both lines, the spread and the merge', () => {
  const subset = readFileSync(alphaSubset(25), 'utf8').trimEnd().split('\n');
  const row = subset[5].split(',');
  const eds = row.length - 1;
  const moved = [...row];
  moved[eds] = String(Number(row[eds]) + 5);
  const file = join(dir, 'dup.csv');
  writeFileSync(file, [...subset, moved.join(',')].join('\n') + '\n');
  const r = cescreen('train', '--data', file, '--structure', CIF, '--family', 'site', '-o', join(dir, 'dup.json'));
  assert.equal(r.code, 0, r.err);
  const lo = Math.min(Number(row[eds]), Number(row[eds]) + 5);
  assert.match(r.err, new RegExp(`dup\\.csv: 1 calculation is listed on several rows whose energies disagree by more than 0\\.1 eV; each is merged into the median of its rows: .*line 6 ${lo} eV, line ${subset.length + 1} ${lo + 5} eV \\(spread 5\\.00 eV\\)`));
});

test('an interrupted reproduce leaves no old report beside its new files, and marks the folder incomplete', async () => {
  const out = join(dir, 'run');
  mkdirSync(out);
  writeFileSync(join(out, 'report.html'), '<p>the previous run</p>');
  const p = spawn(process.execPath, [bin, 'reproduce', '-o', out, '--quick'], { env: { ...process.env, CESCREEN_QUIET: '1' }, stdio: 'ignore' });
  const exited = new Promise((r) => p.on('exit', r));
  // stop it as soon as it has begun writing into the folder
  for (let k = 0; k < 1200 && !existsSync(join(out, 'INCOMPLETE.txt')); k++) await new Promise((r) => setTimeout(r, 25));
  p.kill('SIGTERM');
  await exited;
  const files = readdirSync(out);
  assert.ok(!files.includes('report.html'), `the old report sits beside the new files: ${files.join(', ')}`);
  assert.match(readFileSync(join(out, 'INCOMPLETE.txt'), 'utf8'), /interrupted/);
});

test('pairs --elements-on puts elements on the sites named (label or Wyckoff); the default cutoff warns when it leaves out like pairs', () => {
  const cto = repoPath(ref('perovskite-CaTiO3'));
  const template = join(dir, 'cto.csv');
  const r = cescreen('pairs', cto, '--elements-on', 'Ca=Sr,Ba', '--elements-on', '1b=Zr', '--template', template);
  assert.equal(r.code, 0, r.err);
  const rows = readFileSync(template, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  // Sr, Ba on Ca; Zr on Ti; O keeps its host: 3 singles and 2 Ca–Ti pairs
  assert.deepEqual(rows.map((x) => `${x[8]}@${x[0]}+${x[9]}@${x[4]}`).sort(), ['Ba@Ca+O@O', 'Ba@Ca+Zr@Ti', 'Sr@Ca+O@O', 'Sr@Ca+Zr@Ti', 'Zr@Ti+O@O']);
  assert.match(r.err, /the nearest Ca–Ca distance, 3\.795 Å, is beyond the default --max-distance 3\.6 Å/);
  assert.match(r.err, /the nearest Ti–Ti distance, 3\.795 Å/);
  const big = cescreen('pairs', cto, '--supercell', '2x2x2', '--max-distance', '3.9', '--elements-on', 'Ca=Sr', '--json');
  assert.equal(big.err, '');
  assert.ok(JSON.parse(big.out).some((p: { site_a: string; site_b: string; distance: number }) => p.site_a === 'Ca' && p.site_b === 'Ca' && Math.abs(p.distance - 3.795) < 1e-3));
  refused(cescreen('pairs', cto, '--elements-on', 'Mg=Sr'), /no site Mg in the cell \(sites: Ca 1a, Ti 1b, O 3c/);
});

test('Wyckoff letters come from the CIF cell whatever the supercell (C15 MgCu2: Mg 8a, Cu 16d)', () => {
  const c15 = repoPath(ref('C15-MgCu2'));
  const sites = JSON.parse(cescreen('structure', c15, '--json').out).sites.map((s: { site: string; multiplicity: number; wyckoff: string }) => `${s.site} ${s.multiplicity}${s.wyckoff}`);
  assert.deepEqual(sites, ['Mg 8a', 'Cu 16d']);
  for (const supercell of ['1x1x1', '-1 1 1 1 -1 1 1 1 -1', '1 0 0 0 0 1 0 -1 0']) {
    const pairs = JSON.parse(cescreen('pairs', c15, '--supercell', supercell, '--json').out);
    for (const p of pairs) for (const [site, w] of [[p.site_a, p.wyckoff_a], [p.site_b, p.wyckoff_b]]) assert.equal(w, site === 'Mg' ? '8a' : '16d', `--supercell ${supercell}`);
  }
});

test('aet prints topological codes with superscripts (raw in --json); substitute --batch writes file names without @', () => {
  const text = cescreen('aet', CIF, '--site', 'NbII');
  assert.match(text.out, /code 4³·² 3¹·² 2⁵·⁰/);
  assert.match(JSON.parse(cescreen('aet', CIF, '--site', 'NbII', '--json').out)[0].code, /^4\^\{3\.2\} 3\^\{1\.2\}/);
  const manifest = join(dir, 'rows.csv');
  assert.equal(cescreen('pairs', CIF, '--elements', 'Ti', '--template', manifest).code, 0);
  const out = join(dir, 'cells');
  const r = cescreen('substitute', CIF, '--batch', manifest, '-o', out, '--json');
  assert.equal(r.code, 0, r.err);
  const files = readdirSync(out);
  assert.ok(files.length > 10 && files.every((f) => !f.includes('@')), files.join(' '));
  assert.ok(files.every((f) => f === 'manifest.csv' || /^\d{3}-[A-Z][a-z]?-on-\w+_[A-Z][a-z]?-on-\w+-c\d+\.(cif|POSCAR)$/.test(f)), files.join(' '));
  const listed = readFileSync(join(out, 'manifest.csv'), 'utf8');
  for (const f of files.filter((x) => x !== 'manifest.csv')) assert.ok(listed.includes(f), `${f} not in the manifest`);
});

/** A site-family model of a small α subset, trained once for the tests that predict. */
let siteModel: string | undefined;
function smallModel(): string {
  if (siteModel) return siteModel;
  const model = join(dir, 'site.json');
  const r = cescreen('train', '--data', alphaSubset(25), '--structure', CIF, '--family', 'site', '-o', model);
  assert.equal(r.code, 0, r.err);
  return (siteModel = model);
}

test('predict: --help names the default family chooseFamily takes; a shortened table points at the full one', () => {
  assert.ok(cescreen('predict', '--help').out.replace(/\s+/g, ' ').includes(DEFAULT_FAMILY_RULE));
  const model = smallModel();
  const csv = join(dir, 'p.csv');
  const withFile = cescreen('predict', '--model', model, CIF, '-o', csv);
  assert.equal(withFile.code, 0, withFile.err);
  const n = readFileSync(csv, 'utf8').trim().split('\n').length - 1;
  assert.match(withFile.out, new RegExp(`… ${n - 20} more of ${n} rows \\(all in .*p\\.csv\\)`));
  assert.doesNotMatch(withFile.out, /--csv or -o/);
  assert.match(cescreen('predict', '--model', model, CIF).out, /more of \d+ rows \(--top 0, --csv or -o <file> for all\)/);
  const all = cescreen('predict', '--model', model, CIF, '--top', '0');
  assert.equal(all.out.trim().split('\n').length, n + 2);
});

test('in a terminal, predict shows the overall bar and the current step with counts, elapsed time and ETA', (t) => {
  if (spawnSync('script', ['--version']).status !== 0) return t.skip('no script(1) to give the CLI a terminal');
  const model = smallModel();
  const command = [process.execPath, bin, 'predict', '--model', model, repoPath(BETA), '-o', join(dir, 'tty.csv')].map((a) => `'${a}'`).join(' ');
  const r = spawnSync('script', ['-qfec', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, CESCREEN_QUIET: '', COLUMNS: '120' } });
  assert.equal(r.status, 0, r.stdout);
  const screen = r.stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '\n');
  assert.match(screen, /predict +\d+%\|[█░]+\| [12]\/2 \[\d\d:\d\d<(\d\d:\d\d|\?)\]/);
  assert.match(screen, / {2}load model and cell +\d+%\|/);
  const step = [...screen.matchAll(/ {2}(\d+) substitutions +(\d+)%\|[█░]+\| (\d+)\/(\d+) \[\d\d:\d\d<(?:\d\d:\d\d|\?), [^\]]+\]/g)];
  assert.ok(step.length > 0, screen.slice(0, 2000));
  assert.ok(step.every((m) => m[1] === m[4] && Number(m[3]) <= Number(m[4])));
});
