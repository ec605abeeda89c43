/**
 * Real CIF files written by other people and programs (PyXtal, AMCSD, COD,
 * diffpy, gemmi, httk, CGCNN, pymatgen test files), against what pymatgen
 * 2022.11.7 + spglib 2.0.2 (symprec 0.01 Å) make of them (`reference.tsv`).
 *
 * The corpus sits beside the repository: ../shared/data/cif-corpus, or the
 * folder named by CESCREEN_CIF_CORPUS (the held-out half is checked the same
 * way). Without it the test is skipped with a message.
 *
 * Asserted: no crash (every refusal is an InputError naming the file); every
 * partially occupied file refused by name; of the files pymatgen reads as
 * ordered, ≥ 98 % read with pymatgen's atom count, formula and space group —
 * where we differ and the file's own space-group symbol or number sides with
 * us against pymatgen, we count as right (reason listed); `aet`, `nnh` and
 * `pairs` succeed on every ordered cell of at most 200 atoms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCifDetailed, type CifDetailed } from '../src/structure/cif.ts';
import { analyzeSymmetry, MAX_SYMMETRY_ATOMS } from '../src/structure/symmetry.ts';
import { settingFromHall, settingsFromHermannMauguin } from '../src/structure/spaceGroups.ts';
import { trySiteEnvironments, siteHistograms } from '../src/environment/sites.ts';
import { substitutionPairs } from '../src/substitution/pairs.ts';
import { formulaCounts, matchesFormula } from '../src/structure/elementLabels.ts';
import { InputError } from '../src/util/errors.ts';
import { repoPath } from './helpers.ts';

const CORPUS = process.env.CESCREEN_CIF_CORPUS ?? join(repoPath(''), '..', 'shared', 'data', 'cif-corpus');
const REFERENCE = join(CORPUS, 'reference.tsv');
const present = existsSync(REFERENCE);

interface Row {
  file: string;
  ordered: 'True' | 'False' | '';
  natoms: number;
  formula: string;
  spacegroup: number | undefined;
}

function readReference(): Row[] {
  // not trim(): a last row whose trailing columns are empty ends in tabs
  const lines = readFileSync(REFERENCE, 'utf8').replace(/\r?\n+$/, '').split(/\r?\n/);
  const header = lines[0].split('\t');
  const col = (name: string) => header.indexOf(name);
  return lines.slice(1).map((l) => {
    const v = l.split('\t');
    const sg = v[col('spglib_spacegroup_symprec_0.01')];
    return {
      file: v[col('file')],
      ordered: (v[col('pymatgen_ordered')] ?? '') as Row['ordered'],
      natoms: Number(v[col('pymatgen_natoms')]),
      formula: v[col('pymatgen_formula')],
      spacegroup: sg ? Number(sg) : undefined,
    };
  });
}

/** Element → count of a pymatgen formula such as 'La(ClO)3', 'H10C9(NO)2' or 'Cl2'. */
function pymatgenFormula(formula: string): Map<string, number> {
  const counts = new Map<string, number>();
  const stack: Map<string, number>[] = [counts];
  const re = /([A-Z][a-z]?)(\d*\.?\d*)|\(|\)(\d*\.?\d*)/g;
  for (const m of formula.matchAll(re)) {
    if (m[0] === '(') {
      stack.push(new Map());
    } else if (m[0].startsWith(')')) {
      const group = stack.pop()!;
      const k = m[3] ? Number(m[3]) : 1;
      const top = stack[stack.length - 1];
      for (const [e, n] of group) top.set(e, (top.get(e) ?? 0) + n * k);
    } else {
      const top = stack[stack.length - 1];
      top.set(m[1], (top.get(m[1]) ?? 0) + (m[2] ? Number(m[2]) : 1));
    }
  }
  return counts;
}

/** The space-group number the file itself declares (IT number, else from its H-M or Hall symbol). */
function declaredNumber(d: CifDetailed): number | undefined {
  if (d.spaceGroup.number !== undefined) return d.spaceGroup.number;
  const fromHall = d.spaceGroup.hall ? settingFromHall(d.spaceGroup.hall)?.number : undefined;
  if (fromHall !== undefined) return fromHall;
  const fromName = d.spaceGroup.name ? settingsFromHermannMauguin(d.spaceGroup.name) : [];
  return new Set(fromName.map((s) => s.number)).size === 1 ? fromName[0].number : undefined;
}

/**
 * Files of the development half where pymatgen is wrong and we are right; each is
 * also recognised by the rule in judge() (the file's own space group sides with us).
 */
const PYMATGEN_WRONG: Record<string, string> = {
  'diffpy__Ni_ref.cif': 'names its group only in _space_group_name_H-M_ref (F m -3 m); pymatgen ignores that tag and reads P1: 1 atom instead of fcc 4',
  'httk-sg__190.cif': 'symmetry images 0.0075 Å apart: pymatgen keeps both (24 atoms, spglib then fails), we merge them within 0.01 Å (12 atoms, P-62c as declared)',
};

interface Outcome {
  file: string;
  verdict: 'agree' | 'excused' | 'disagree' | 'refused-right' | 'refused-wrong' | 'read-disordered' | 'no-reference' | 'crash';
  detail: string;
  cell?: CifDetailed;
}

function judge(row: Row): Outcome {
  const path = join(CORPUS, row.file);
  let d: CifDetailed;
  try {
    d = readCifDetailed(path);
  } catch (e) {
    if (!(e instanceof InputError)) return { file: row.file, verdict: 'crash', detail: `${(e as Error)?.constructor?.name}: ${(e as Error)?.message}` };
    if (e.file !== path) return { file: row.file, verdict: 'crash', detail: `InputError without the file: ${e.message}` };
    if (row.ordered === 'False') return { file: row.file, verdict: 'refused-right', detail: e.message };
    if (row.ordered === '') return { file: row.file, verdict: 'no-reference', detail: `refused: ${e.message}` };
    return { file: row.file, verdict: 'refused-wrong', detail: e.message };
  }
  if (row.ordered === 'False') return { file: row.file, verdict: 'read-disordered', detail: `read ${d.structure.length} atoms`, cell: d };
  if (row.ordered === '') return { file: row.file, verdict: 'no-reference', detail: `read ${d.structure.length} atoms`, cell: d };
  const s = d.structure;
  const ours = s.length <= MAX_SYMMETRY_ATOMS ? analyzeSymmetry(s).number : undefined;
  const same = s.length === row.natoms && matchesFormula(s.composition(), pymatgenFormula(row.formula)) && ours === row.spacegroup;
  const detail = `ours ${s.length} atoms ${s.formula()} No. ${ours}; pymatgen ${row.natoms} atoms ${row.formula} No. ${row.spacegroup ?? '(spglib failed)'}`;
  if (same) return { file: row.file, verdict: 'agree', detail, cell: d };
  // Where the file's own symbol or number sides with us and not with pymatgen, pymatgen is wrong:
  // e.g. a symbol it does not read (it then falls back to P1), or atoms 0.0075 Å apart it keeps as two.
  const declared = declaredNumber(d);
  if (declared !== undefined && ours === declared && row.spacegroup !== declared) {
    const why =
      d.operationsFrom === 'symbol'
        ? d.warnings.filter((w) => w.startsWith('no symmetry operations')).join('; ')
        : s.length !== row.natoms
          ? 'pymatgen keeps atoms apart that lie within 0.01 Å of each other'
          : 'the same atoms; spglib reports another group (its default 5° angle tolerance accepts the near-90° angles)';
    return { file: row.file, verdict: 'excused', detail: `${detail}; the file declares No. ${declared}: ${why}`, cell: d };
  }
  // Where the file's own formula sides with us (e.g. two labels for one atom: 'K (Au Se2)' read as KAuSe3)
  const stated = statedFormula(path);
  if (stated && matchesFormula(s.composition(), stated) && !matchesFormula(pymatgenFormula(row.formula), stated)) {
    return { file: row.file, verdict: 'excused', detail: `${detail}; the file's formula is ours: ${d.warnings.join('; ')}`, cell: d };
  }
  return { file: row.file, verdict: 'disagree', detail, cell: d };
}

/** The formula the file states (_chemical_formula_sum, or COD's record of the original one). */
function statedFormula(path: string): Map<string, number> | undefined {
  const text = readFileSync(path, 'utf8');
  const m = /^_(?:chemical_formula_sum|\[local\]_cod_chemical_formula_sum_orig)\s+'([^']+)'/m.exec(text);
  if (!m) return undefined;
  return formulaCounts(m[1]);
}

test('CIF corpus: read like pymatgen (≥ 98 %), partial occupancy refused by name, no crash', { skip: present ? false : `no CIF corpus at ${CORPUS} (set CESCREEN_CIF_CORPUS)` }, () => {
  const rows = readReference();
  const outcomes = rows.map(judge);
  const by = (v: Outcome['verdict']) => outcomes.filter((o) => o.verdict === v);
  const report = (os: Outcome[]) => os.map((o) => `  ${o.file}: ${o.detail}`).join('\n');
  assert.deepEqual(by('crash'), [], `crashes:\n${report(by('crash'))}`);
  // every file pymatgen finds partially occupied is refused, by name
  assert.deepEqual(by('read-disordered'), [], `read although partially occupied:\n${report(by('read-disordered'))}`);
  const ordered = rows.filter((r) => r.ordered === 'True').length;
  const right = by('agree').length + by('excused').length;
  const rate = right / ordered;
  const tally = [...new Set(outcomes.map((o) => o.verdict))].map((v) => `${v} ${by(v).length}`);
  console.log(`${rows.length} files: ${tally.join(', ')}; ordered files right ${right} of ${ordered} (${((100 * right) / ordered).toFixed(1)} %)`);
  const excused = report(by('excused'));
  if (excused) console.log(`files where the file's own space group sides with us against pymatgen:\n${excused}`);
  assert.ok(rate >= 0.98, `${right} of ${ordered} ordered files agree (${(100 * rate).toFixed(1)} %):\n${report([...by('disagree'), ...by('refused-wrong')])}`);
  assert.equal(by('refused-right').length, rows.filter((r) => r.ordered === 'False').length);
  for (const [file, why] of Object.entries(PYMATGEN_WRONG)) {
    const o = outcomes.find((x) => x.file === file);
    if (o) assert.equal(o.verdict, 'excused', `${file} (${why}): ${o.detail}`);
  }
});

test('CIF corpus: aet, nnh and pairs (3.6 Å) succeed on every ordered cell of at most 200 atoms', { skip: present ? false : `no CIF corpus at ${CORPUS}` }, () => {
  const started = performance.now();
  let cells = 0;
  let sites = 0;
  const failures: string[] = [];
  for (const row of readReference()) {
    const o = judge(row);
    if (!o.cell || o.cell.structure.length > 200) continue;
    const s = o.cell.structure;
    cells++;
    try {
      const sym = analyzeSymmetry(s);
      const { environments, failures: bad } = trySiteEnvironments(s, sym, { identifyIdeal: false });
      for (const f of bad) failures.push(`${row.file} aet site ${f.site}: ${f.message}`);
      for (const e of environments) {
        assert.ok(e.cn >= 1 && e.shell.length === e.cn && e.volume > 0, `${row.file} ${e.site}: CN ${e.cn}, volume ${e.volume}`);
        if (e.rule === 'max-gap') assert.equal(e.inside, 0, `${row.file} ${e.site}: an atom inside a max-gap shell`);
      }
      sites += environments.length;
      const nnh = siteHistograms(s, sym, { cutoff: 8 });
      assert.equal(nnh.length, sym.orbits.length);
      for (const h of nnh) assert.ok(h.dmin > 0 && h.histogram.length > 0, `${row.file} ${h.site}: empty histogram`);
      const pairs = substitutionPairs(s, { maxDistance: 3.6 });
      assert.ok(pairs.pairs.every((p) => p.distance <= 3.6 + 1e-9), row.file);
    } catch (e) {
      failures.push(`${row.file}: ${(e as Error)?.message}`);
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(cells >= 100 && sites > cells, `${cells} cells, ${sites} sites`);
  console.log(`aet/nnh/pairs on ${cells} cells (${sites} sites): ${((performance.now() - started) / 1000).toFixed(1)} s`);
});
