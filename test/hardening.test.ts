/**
 * Hardening: user-supplied files and bad command lines must end in an
 * InputError (CLI: exit 2, one line on stderr, no output file), never in any
 * other exception, a stack trace or a half-written file.
 */
import { trainingInfo } from '../src/workflow/train.ts';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { substitutionSystem, DEFAULT_DATA } from '../src/substitution/system.ts';
import { cleanDataset, collapseByKey, loadDataset, type DataSet } from '../src/substitution/dataset.ts';
import { expandSubstitutions } from '../src/substitution/substitution.ts';
import { fitFamily, familySpec } from '../src/model/families/index.ts';
import { loadModel, saveModel, type SavedModel } from '../src/predict/modelFile.ts';
import { phaseOf } from '../src/predict/modelFile.ts';
import { InputError } from '../src/util/errors.ts';
import { ALPHA, repoPath, seededRandom } from './helpers.ts';

const system = substitutionSystem(repoPath(ALPHA));
const enumeration = system.enumeration;
const tmp = mkdtempSync(join(tmpdir(), 'cescreen-hardening-'));
after(() => rmSync(tmp, { recursive: true, force: true }));


// ---------------------------------------------------------------- data loader fuzz

const source = readFileSync(DEFAULT_DATA, 'utf8').split(/\r?\n/);
const HEADER = source[0].split(',');
const DATA = source.slice(1, 61).map((l) => l.split(','));
const col = (name: string) => HEADER.indexOf(name);
const NUMERIC = ['xa', 'ya', 'za', 'dx', 'dy', 'dz', 'eds_eV'];
const REQUIRED = ['site_a', 'site_b', 'xa', 'ya', 'za', 'dx', 'dy', 'dz', 'element_a', 'element_b', 'eds_eV'];
const csv = (header: string[], rows: string[][], eol = '\n') => [header, ...rows].map((r) => r.join(',')).join(eol) + eol;

interface Mutation {
  name: string;
  text: string;
  /** 'error': must be an InputError (at `line` when given); 'ok': must load `rows` rows; 'either': InputError or a load. */
  expect: 'error' | 'ok' | 'either';
  line?: number;
  rows?: number;
}

/** Mutation k of the first 60 data lines; data row r sits on file line r + 2. */
function mutation(k: number): Mutation {
  const R = seededRandom(1000 + k);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(R() * xs.length)];
  const rows = DATA.map((r) => [...r]);
  const r = Math.floor(R() * rows.length);
  const line = r + 2;
  const ops: (() => Mutation)[] = [
    () => {
      const c = pick(HEADER);
      const keep = HEADER.map((_, j) => j).filter((j) => HEADER[j] !== c);
      const text = csv(keep.map((j) => HEADER[j]), rows.map((row) => keep.map((j) => row[j])));
      return REQUIRED.includes(c) ? { name: `drop column ${c}`, text, expect: 'error', line: 1 } : { name: `drop optional column ${c}`, text, expect: 'ok', rows: 60 };
    },
    () => {
      const c = pick(NUMERIC);
      const v = pick(['abc', '', 'NaN', 'Infinity', '-Infinity', '1..2', '0,5', 'e3', '--1']);
      rows[r][col(c)] = v;
      return { name: `${c} = '${v}' on line ${line}`, text: csv(HEADER, rows), expect: 'error', line };
    },
    () => {
      const c = pick(NUMERIC);
      const v = pick(['1e300', '-1e300', '1e20', '5e-324', '0x10', ' 0.0 ']);
      rows[r][col(c)] = v;
      return { name: `${c} = '${v}' on line ${line}`, text: csv(HEADER, rows), expect: c === 'eds_eV' && /e300|e20/.test(v) ? 'error' : 'either', line };
    },
    () => {
      const n = 1 + Math.floor(R() * 5);
      const dup = [...rows, ...Array.from({ length: n }, () => [...pick(rows)])];
      return { name: `${n} duplicated rows`, text: csv(HEADER, dup), expect: 'ok', rows: 60 + n };
    },
    () => {
      const c = pick(['element_a', 'element_b']);
      const v = pick(['Xx', 'Qq', '', 'Nb2', 'Element', '42', 'Uuo']);
      rows[r][col(c)] = v;
      return { name: `${c} = '${v}' on line ${line}`, text: csv(HEADER, rows), expect: 'error', line };
    },
    () => {
      const c = pick(['site_a', 'site_b']);
      const v = pick(['NbIII', 'SiIII', '', 'Nb', 'nbi', 'NbI NbII']);
      rows[r][col(c)] = v;
      return { name: `${c} = '${v}' on line ${line}`, text: csv(HEADER, rows), expect: 'error', line };
    },
    () => {
      // Off any atom: shift a by 0.03–0.06 (fractional), far from every site but the one it left.
      const c = pick(['xa', 'ya', 'za']);
      rows[r][col(c)] = String(Number(rows[r][col(c)]) + 0.03 + 0.03 * R());
      return { name: `${c} off its atom on line ${line}`, text: csv(HEADER, rows), expect: 'error', line };
    },
    () => {
      const c = pick(['dx', 'dy', 'dz']);
      rows[r][col(c)] = String(Number(rows[r][col(c)]) + 0.4 + 0.2 * R());
      return { name: `partner b moved by ${c} on line ${line}`, text: csv(HEADER, rows), expect: 'either', line };
    },
    () => {
      if (R() < 0.5) rows[r].pop();
      else rows[r].push('extra');
      return { name: `ragged row on line ${line}`, text: csv(HEADER, rows), expect: 'error', line };
    },
    () => {
      const v = pick(['', '\n', '\n\n  \n', csv(HEADER, []), HEADER.join(','), '\ufeff']);
      const headerOnly = v.startsWith('folder');
      return { name: `degenerate file ${JSON.stringify(v.slice(0, 12))}`, text: v, expect: 'error', line: headerOnly ? 2 : 1 };
    },
    () => {
      const text = csv(HEADER, rows);
      const cut = Math.floor(R() * text.length);
      return { name: `truncated at byte ${cut}`, text: text.slice(0, cut), expect: 'either' };
    },
    () => {
      const text = csv(HEADER, rows);
      const at = Math.floor(R() * text.length);
      const ch = pick(['"', ',', '\n', '\r', '\0', 'é', ' ', '\t', '""']);
      return { name: `${JSON.stringify(ch)} spliced in at byte ${at}`, text: text.slice(0, at) + ch + text.slice(at + 1), expect: 'either' };
    },
    () => ({ name: 'CRLF line ends', text: csv(HEADER, rows, '\r\n'), expect: 'ok', rows: 60 }),
    () => ({ name: 'byte-order mark', text: '\ufeff' + csv(HEADER, rows), expect: 'ok', rows: 60 }),
    () => {
      const order = HEADER.map((_, j) => j).sort(() => R() - 0.5);
      return { name: 'columns shuffled', text: csv(order.map((j) => HEADER[j]), rows.map((row) => order.map((j) => row[j]))), expect: 'ok', rows: 60 };
    },
    () => {
      const c = pick(REQUIRED);
      const h = [...HEADER];
      h[col(c)] = c.toUpperCase() + '_';
      return { name: `column ${c} renamed`, text: csv(h, rows), expect: 'error', line: 1 };
    },
  ];
  const m = ops[k % ops.length]();
  return { ...m, name: `#${k} ${m.name}` };
}

test('data loader: 160 seeded mutations of eds.csv give a data set or an InputError, nothing else', () => {
  const baseline = loadDataset('eds.csv', enumeration, { text: csv(HEADER, DATA) });
  assert.equal(baseline.rows.length, 60);
  const outcomes = { ok: 0, error: 0 };
  for (let k = 0; k < 160; k++) {
    const m = mutation(k);
    let ds: DataSet | undefined;
    try {
      ds = loadDataset('eds.csv', enumeration, { text: m.text });
    } catch (e) {
      assert.ok(e instanceof InputError, `${m.name}: threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
      assert.notEqual(m.expect, 'ok', `${m.name}: should load, got ${e.message}`);
      if (m.line !== undefined && m.expect === 'error') assert.equal(e.line, m.line, `${m.name}: ${e.message}`);
      assert.ok(e.message.startsWith('eds.csv:'), `${m.name}: the message names the file: ${e.message}`);
      outcomes.error++;
      continue;
    }
    assert.notEqual(m.expect, 'error', `${m.name}: loaded ${ds.rows.length} rows, expected an InputError`);
    if (m.rows !== undefined) assert.equal(ds.rows.length, m.rows, m.name);
    for (const row of ds.rows) assert.ok(Number.isFinite(row.eds) && Math.abs(row.eds) <= 1e3, `${m.name}: line ${row.line} eds ${row.eds}`);
    if (m.name.includes('shuffled') || m.name.includes('CRLF') || m.name.includes('byte-order')) {
      assert.deepEqual(ds.rows.map((x) => x.key), baseline.rows.map((x) => x.key), m.name);
    }
    outcomes.ok++;
  }
  // both outcomes are exercised: the fuzz is not trivially all-pass or all-fail
  assert.ok(outcomes.ok >= 30 && outcomes.error >= 80, JSON.stringify(outcomes));
});

// ---------------------------------------------------------------- model loader

/** A small real model (site + transfer SVR on every 6th α sample), saved and read back as text. */
async function smallModel(): Promise<{ path: string; text: string }> {
  const samples = collapseByKey(cleanDataset(loadDataset(DEFAULT_DATA, enumeration)).rows).filter((_, i) => i % 6 === 0);
  const families: SavedModel['families'] = {
    site: await fitFamily(familySpec('site'), samples),
    transfer: await fitFamily(familySpec('transfer'), samples),
  };
  const elements = [...new Set(samples.flatMap((s) => [s.substitution.elementA, s.substitution.elementB]))].sort();
  const path = join(tmp, 'small-model.json');
  saveModel(path, {
    families,
    training: trainingInfo([system], [DEFAULT_DATA], samples, 0),
  });
  return { path, text: readFileSync(path, 'utf8') };
}
const model = smallModel();

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
async function expectInputError(text: string, what: string): Promise<void> {
  try {
    await loadModel('m.json', text);
  } catch (e) {
    assert.ok(e instanceof InputError, `${what}: threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    assert.ok(e.message.startsWith('m.json: '), e.message);
    return;
  }
  assert.fail(`${what}: loaded without complaint`);
}
const edit = (text: string, f: (j: Json) => void) => {
  const j = JSON.parse(text);
  f(j);
  return JSON.stringify(j);
};

test('model loader: a valid file loads and predicts the same energies as the fitted model', async () => {
  const { text } = await model;
  const saved = await loadModel('m.json', text);
  assert.deepEqual(Object.keys(saved.families).sort(), ['site', 'transfer']);
  const subs = expandSubstitutions(enumeration, ['Ti', 'Cr']).slice(0, 40);
  const again = await loadModel('m.json', text);
  const e = saved.families.site!.predict(enumeration, subs);
  assert.deepEqual(again.families.site!.predict(enumeration, subs), e);
  assert.ok(e.every(Number.isFinite) && e.some((x) => Math.abs(x) > 1e-3), 'real, non-zero energies');
});

test('model loader: truncated, foreign and incomplete files are InputErrors', async () => {
  const { text } = await model;
  for (const cut of [0, 1, 17, 100, text.length >> 2, text.length >> 1, text.length - 3, text.length - 2]) {
    await expectInputError(text.slice(0, cut), `truncated at ${cut}`);
  }
  for (const t of ['null', '[]', '"x"', '42', '{}', 'not json', '\u0000\u0001']) await expectInputError(t, `JSON ${t}`);
  const cases: [string, (j: Json) => void][] = [
    ['wrong format', (j) => (j.format = 'cescreen-modle')],
    ['no format', (j) => delete j.format],
    ['version 3', (j) => (j.version = 3)],
    ['version "1"', (j) => (j.version = '1')],
    ['no training', (j) => delete j.training],
    ['training.elements not a list', (j) => (j.training.elements = 'Ti,Cr')],
    ['no phases', (j) => (j.training.phases = [])],
    ['no families', (j) => delete j.families],
    ['empty families (every family missing)', (j) => (j.families = {})],
    ['families as a list', (j) => (j.families = [])],
    ['unknown family', (j) => (j.families.foo = j.families.site)],
    ['site family null', (j) => (j.families.site = null)],
    ['site model null', (j) => (j.families.site.model = null)],
    ['spec null', (j) => (j.families.site.model.spec = null)],
    ['property code removed (site)', (j) => j.families.site.model.spec.features.properties.pop()],
    ['property code removed (transfer end features)', (j) => j.families.transfer.model.spec.endFeatures.properties.shift()],
    ['property code added', (j) => j.families.site.model.spec.features.properties.push('XX')],
    ['geometry off', (j) => (j.families.transfer.model.spec.features.geometry = false)],
    ['regressor null', (j) => (j.families.site.model.main = null)],
    ['unknown regressor kind', (j) => (j.families.site.model.main.kind = 'XGBoost')],
    ['no dual coefficients', (j) => delete j.families.site.model.main.coef],
    ['scaler mean null', (j) => (j.families.site.model.main.scaler.mean = null)],
    ['feature count d wrong', (j) => (j.families.site.model.main.d = 5)],
  ];
  for (const [what, f] of cases) await expectInputError(edit(text, f), what);
});

test('model loader: one family missing is still a valid file', async () => {
  const { text } = await model;
  const saved = await loadModel('m.json', edit(text, (j) => delete j.families.site));
  assert.deepEqual(Object.keys(saved.families), ['transfer']);
});

test('model loader: non-numeric or inconsistent model numbers are InputErrors', async () => {
  const { text } = await model;
  const cases: [string, (j: Json) => void][] = [
    ['coefficient "abc"', (j) => (j.families.site.model.main.coef[0] = 'abc')],
    ['support-vector entry "abc"', (j) => (j.families.site.model.main.sv[0][0] = 'abc')],
    ['offset "NaN"', (j) => (j.families.site.model.main.b = 'NaN')],
    ['gamma null', (j) => (j.families.site.model.main.gamma = null)],
    ['short support vector', (j) => (j.families.site.model.main.sv[1] = j.families.site.model.main.sv[1].slice(0, 3))],
    ['scaler scale "x"', (j) => (j.families.site.model.main.scaler.scale[0] = 'x')],
    ['transfer single-site model missing', (j) => (j.families.transfer.model.single = null)],
    ['aggregation edited (names unchanged)', (j) => (j.families.site.model.spec.features.aggregate = 'sum')],
    ['weight edited (names unchanged)', (j) => (j.families.transfer.model.spec.features.weight = -0.5)],
  ];
  for (const [what, f] of cases) await expectInputError(edit(text, f), what);
});

// ---------------------------------------------------------------- CLI exit codes

const root = repoPath('');
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, CESCREEN_QUIET: '1' };
    delete env.CESCREEN_DEBUG; // its stack traces are what this test forbids
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, env }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

test('CLI: bad input exits 2 with one line on stderr, no stack trace, no output file', async () => {
  const { path: good } = await model;
  const corrupt = join(tmp, 'corrupt.json');
  writeFileSync(corrupt, readFileSync(good, 'utf8').slice(0, 5000));
  const badCsv = join(tmp, 'bad.csv');
  writeFileSync(badCsv, csv(HEADER, DATA.slice(0, 5).map((r, k) => (k === 3 ? r.map((v, j) => (j === col('element_b') ? 'Xx' : v)) : r))));
  const out = (name: string) => join(tmp, name);
  const cases: { args: string[]; says: RegExp; file?: string }[] = [
    { args: ['structure', 'missing.cif'], says: /missing\.cif/ },
    { args: ['pairs', ALPHA, '--max-distance', 'abc'], says: /--max-distance.*abc/ },
    { args: ['predict', '--model', corrupt, ALPHA, '-o', out('pred.csv')], says: /corrupt\.json.*model/, file: out('pred.csv') },
    { args: ['predict', '--model', good, ALPHA, '--elements', 'Ti,Xx', '-o', out('pred2.csv')], says: /Xx/, file: out('pred2.csv') },
    { args: ['supercell', ALPHA, '--size', '0x1x1', '-o', out('zero.cif')], says: /supercell|0x1x1/, file: out('zero.cif') },
    { args: ['train', '--data', badCsv, '--structure', ALPHA, '-o', out('m.json')], says: /bad\.csv:5: .*Xx/, file: out('m.json') },
    { args: ['nnh', ALPHA, '--cutoff', '0'], says: /--cutoff/ },
    { args: ['evaluate', '--protocol', 'nope'], says: /--protocol nope/ },
  ];
  const results = await Promise.all(cases.map((c) => cli(c.args)));
  cases.forEach((c, k) => {
    const r = results[k];
    const what = c.args.join(' ');
    assert.equal(r.code, 2, `${what}: exit ${r.code}, stderr ${r.stderr}`);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `${what}: stderr has ${lines.length} lines:\n${r.stderr}`);
    assert.match(lines[0], /^cescreen: /, what);
    assert.match(lines[0], c.says, what);
    assert.doesNotMatch(r.stderr, /\n\s+at |internal error/, what);
    if (c.file) assert.equal(existsSync(c.file), false, `${what}: left ${c.file} behind`);
  });
});

// ---------------------------------------------------------------- large inputs

/** A P1 CIF of `rows` atom rows, written in 4 MB blocks (a million rows in well under a second). */
function bigCif(path: string, rows: number): void {
  const fd = openSync(path, 'w');
  writeSync(fd, 'data_big\n_cell_length_a 500\n_cell_length_b 500\n_cell_length_c 500\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n');
  writeSync(fd, 'loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n');
  const row = 'Nb 0.123456 0.234567 0.345678\n';
  const perBlock = Math.floor((4 << 20) / row.length);
  const block = row.repeat(perBlock);
  let left = rows;
  for (; left >= perBlock; left -= perBlock) writeSync(fd, block);
  writeSync(fd, row.repeat(left));
  closeSync(fd);
}

/** readStructure in a fresh process: its message, the seconds the read took and the peak RSS (MB). */
function readInChild(path: string): Promise<{ message: string; seconds: number; peakMB: number }> {
  const script = join(tmp, 'read-one.mjs');
  writeFileSync(
    script,
    `import { readStructure } from ${JSON.stringify(repoPath('src/structure/io.ts'))};\n` +
      `const t0 = performance.now(); let message = '';\n` +
      `try { readStructure(process.argv[2]); } catch (e) { message = e.name + ': ' + e.message; }\n` +
      `console.log(JSON.stringify({ message, seconds: (performance.now() - t0) / 1000, peakMB: process.resourceUsage().maxRSS / 1024 }));\n`,
  );
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['--import', 'tsx', script, path], { cwd: root }, (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout)))),
  );
}

test('large inputs are refused by name after reading only as much as it takes: < 2 s and < 300 MB for any size', async (t) => {
  const million = join(tmp, 'million.cif');
  bigCif(million, 1_000_000); // 30 MB, one million atoms
  const huge = join(tmp, 'huge.cif');
  writeFileSync(huge, '');
  truncateSync(huge, 2 * 2 ** 30); // 2 GB, sparse: no disk used, never read
  const poscar = join(tmp, 'POSCAR');
  writeFileSync(poscar, 'big\n1.0\n100 0 0\n0 100 0\n0 0 100\nNb\n5000000\nDirect\n0 0 0\n');
  // few rows, many operations: 1200 general positions of Fm-3m (192 operations) = 230 400 atoms
  const ops = join(tmp, 'operations.cif');
  const R = seededRandom(3);
  writeFileSync(
    ops,
    `data_ops\n_symmetry_space_group_name_H-M 'F m -3 m'\n_cell_length_a 200\n_cell_length_b 200\n_cell_length_c 200\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n` +
      `loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n` +
      Array.from({ length: 1200 }, (_, i) => `Nb${i} ${(0.02 + 0.2 * R()).toFixed(5)} ${(0.22 + 0.2 * R()).toFixed(5)} ${(0.42 + 0.05 * R()).toFixed(5)}`).join('\n') + '\n',
  );
  const cases: [string, RegExp][] = [
    [million, /million\.cif:100\d\d\d: the atom list has more than 100000 rows: the structure is refused/],
    [huge, /huge\.cif: the structure file is 2048 MB; structure files are read up to 256 MB/],
    [poscar, /POSCAR:7: 5000000 atoms: the structure is refused/],
    [ops, /operations\.cif:\d+: the cell would hold 2\d{5} atoms after applying the 192 symmetry operations: the structure is refused/],
  ];
  for (const [path, says] of cases) {
    const r = await readInChild(path);
    t.diagnostic(`${path.slice(tmp.length + 1)}: ${r.seconds.toFixed(2)} s, peak ${r.peakMB.toFixed(0)} MB`);
    assert.match(r.message, /^InputError: /, path);
    assert.match(r.message, says);
    assert.ok(r.seconds < 2, `${path}: ${r.seconds} s`);
    assert.ok(r.peakMB < 300, `${path}: ${r.peakMB} MB`);
  }
  const cli1 = await cli(['structure', million]);
  assert.equal(cli1.code, 2);
  assert.match(cli1.stderr, /^cescreen: .*million\.cif:\d+: the atom list has more than 100000 rows/);
});

// ---------------------------------------------------------------- output paths

test('output paths: a directory, /proc, /sys, a folder that is a file, a read-only folder are InputErrors naming the user path', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'cescreen-out-'));
  try {
    const dir = join(base, 'taken.cif');
    mkdirSync(dir);
    const file = join(base, 'plain');
    writeFileSync(file, 'x');
    const targets: [string, RegExp][] = [
      [dir, /it is a directory/],
      ['/proc/cescreen-test.cif', /cannot write the output file: /],
      ['/sys/cescreen-test.cif', /cannot write the output file: /],
      [join(file, 'x.cif'), /cannot create the folder/],
    ];
    const readOnly = join(base, 'read-only');
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o555);
    if (process.getuid?.() === 0) t.diagnostic('running as root: a mode-555 folder is writable, its case is skipped');
    else targets.push([join(readOnly, 'x.cif'), /permission denied/]);
    const results = await Promise.all(targets.map(([path]) => cli(['supercell', ALPHA, '--size', '1x1x1', '-o', path])));
    targets.forEach(([path, says], k) => {
      const r = results[k];
      assert.equal(r.code, 2, `${path}: exit ${r.code} ${r.stderr}`);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.ok(r.stderr.startsWith(`cescreen: ${path}: `), `names the user's path: ${r.stderr}`);
      assert.match(r.stderr, says);
      assert.doesNotMatch(r.stderr, /\.tmp|internal error|\n\s+at /);
    });
    // nothing half-written or hidden left where the writes failed
    assert.deepEqual(readdirSync(base).sort(), ['plain', 'read-only', 'taken.cif']);
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('an overwritten file keeps its mode; writing through a symbolic link updates its target and keeps the link', async () => {
  const base = mkdtempSync(join(tmpdir(), 'cescreen-out-'));
  try {
    const secret = join(base, 'secret.cif');
    writeFileSync(secret, 'old');
    chmodSync(secret, 0o600);
    const target = join(base, 'real.cif');
    writeFileSync(target, 'old');
    const link = join(base, 'link.cif');
    symlinkSync('real.cif', link);
    const dangling = join(base, 'to-new.cif');
    symlinkSync('sub/new.cif', dangling);
    for (const path of [secret, link, dangling]) {
      const r = await cli(['supercell', ALPHA, '--size', '1x1x1', '-o', path]);
      assert.equal(r.code, 0, r.stderr);
    }
    assert.equal(statSync(secret).mode & 0o777, 0o600);
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.match(readFileSync(target, 'utf8'), /^# written by cescreen/);
    assert.ok(lstatSync(dangling).isSymbolicLink());
    assert.match(readFileSync(join(base, 'sub', 'new.cif'), 'utf8'), /^# written by cescreen/);
    assert.deepEqual(readdirSync(base).filter((f) => f.endsWith('.tmp')), []);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('SIGINT and SIGTERM during a write leave no temporary file and exit with 128 + signal', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'cescreen-sig-'));
  const script = join(base, 'write.mjs');
  writeFileSync(
    script,
    `import { writeFileAtomic } from ${JSON.stringify(repoPath('src/util/atomicWrite.ts'))};\n` +
      `writeFileAtomic(process.argv[2], Buffer.alloc(Number(process.argv[3]) * 2 ** 20, 65));\n` +
      `const t0 = Date.now(); while (Date.now() - t0 < 500) {} // busy after the write: the held signal still ends the process\n` +
      `console.log('finished');\n`,
  );
  try {
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      const out = join(base, `${signal}.bin`);
      const child = spawn(process.execPath, ['--import', 'tsx', script, out, '256'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise<{ code: number | null; stdout: string }>((resolve) => {
        let stdout = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.on('exit', (c) => resolve({ code: c, stdout }));
      });
      // signal as soon as the temporary file exists, i.e. in the middle of the write
      let sawTemp = false;
      for (let k = 0; k < 5000 && child.exitCode === null; k++) {
        if (readdirSync(base).some((f) => f.endsWith('.tmp'))) {
          sawTemp = true;
          child.kill(signal);
          break;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      const r = await exited;
      t.diagnostic(`${signal}: caught the temporary file: ${sawTemp}, exit ${r.code}`);
      assert.ok(sawTemp, `${signal}: the write ended before the test saw its temporary file`);
      assert.equal(r.code, code, `${signal}: exit ${r.code}`);
      assert.deepEqual(readdirSync(base).filter((f) => f.endsWith('.tmp')), [], `${signal}: temporary file left behind`);
      // the output is whole or absent, never half
      if (existsSync(out)) assert.equal(statSync(out).size, 256 * 2 ** 20);
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
