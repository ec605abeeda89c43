/**
 * Hardening: user-supplied files and bad command lines must end in an
 * InputError (CLI: exit 2, one line on stderr, no output file), never in any
 * other exception, a stack trace or a half-written file.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { substitutionSystem, DEFAULT_DATA } from '../src/substitution/system.ts';
import { cleanDataset, collapseByKey, loadDataset, type DataSet } from '../src/substitution/dataset.ts';
import { expandSubstitutions } from '../src/substitution/substitution.ts';
import { fitFamily, familySpec } from '../src/model/family.ts';
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
  const baseline = loadDataset('eds.csv', enumeration, csv(HEADER, DATA));
  assert.equal(baseline.rows.length, 60);
  const outcomes = { ok: 0, error: 0 };
  for (let k = 0; k < 160; k++) {
    const m = mutation(k);
    let ds: DataSet | undefined;
    try {
      ds = loadDataset('eds.csv', enumeration, m.text);
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
    training: { structure: ALPHA, data: DEFAULT_DATA, phase: phaseOf(system.structure), samples: samples.length, elements, maxDistance: 3.6, supercell: '1x1x1', seed: 0 },
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
    ['version 2', (j) => (j.version = 2)],
    ['version "1"', (j) => (j.version = '1')],
    ['no training', (j) => delete j.training],
    ['training.elements not a list', (j) => (j.training.elements = 'Ti,Cr')],
    ['no phase', (j) => (j.training.phase = null)],
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
