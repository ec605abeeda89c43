// A phase never seen, on real engine data (data/: nine phases of one EAM potential, LAMMPS):
// leave-phase-out coverage and error against the baselines, what three calculations of the new phase
// teach, a host never seen, and P(E_DS < 0) consistent with the predictive distribution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainingSets } from '../src/substitution/system.ts';
import { collapseByKey, type Sample } from '../src/substitution/dataset.ts';
import { familySpec, fitFamily } from '../src/model/families/index.ts';
import { evaluate, predictSamples, scores } from '../src/model/evaluation/evaluate.ts';
import { predictionRows } from '../src/predict/predict.ts';
import { distinctSubstitutions } from '../src/substitution/substitution.ts';
import { normalCdf } from '../src/util/normal.ts';
import { createRng, shuffleInPlace } from '../src/model/learn/random.ts';
import { repoPath } from './helpers.ts';

// four phases of the Ti–Al–Ni corner, every third calculation (fast; hosts Ti, Al, Ni)
const PHASES: [string, string, number][] = [
  ['hcp-Ti', '4x4x3', 5.2],
  ['L10-TiAl', '4x4x3', 5.2],
  ['D019-Ti3Al', '2x2x2', 4.5],
  ['L12-Ni3Al', '3x3x3', 5.2],
];
const loaded = trainingSets(PHASES.map(([p, supercell, maxDistance]) => ({ data: repoPath(`data/${p}/eds.csv`), supercell, maxDistance })));
const data = { ...loaded.data, rows: loaded.data.rows.filter((_, i) => i % 3 === 0) };
const samples = collapseByKey(data.rows);
const spec = familySpec('hierarchical', undefined, { seed: 0 });

test('leave-phase-out (seed 0): 90 % intervals cover 80–98 % pooled and ≥ 70 % on every phase; the model beats the per-element mean of the other phases; flagged rows err more', async () => {
  const r = await evaluate(data, { protocol: 'leave-phase-out', spec, seed: 0, baselines: true });
  assert.deepEqual(Object.keys(r.per_phase).sort(), ['D019-Ti3Al', 'L10-TiAl', 'L12-Ni3Al', 'hcp-Ti']);
  assert.ok(r.test.coverage! >= 0.8 && r.test.coverage! <= 0.98, `pooled coverage ${r.test.coverage}`);
  for (const [phase, s] of Object.entries(r.per_phase)) assert.ok(s.coverage! >= 0.7, `${phase}: coverage ${s.coverage}`);
  assert.ok(r.test.mae < r.baselines['element mean'].mae, `MAE ${r.test.mae} vs element mean ${r.baselines['element mean'].mae}`);
  assert.ok(r.test.mae < r.baselines.mean.mae);
  // the applicability-domain flag fires, and where it does the error is larger
  const d = r.test.domain!;
  assert.ok(d.flagged > 0 && d.flagged < r.test.n, `${d.flagged} flagged`);
  assert.ok(d.flaggedMae > 2 * d.unflaggedMae, `flagged ${d.flaggedMae} vs unflagged ${d.unflaggedMae} eV`);
});

const heldOut = (phase: string) => ({ train: samples.filter((s) => s.phase !== phase), test: samples.filter((s) => s.phase === phase) });

test('three calculations of a new phase: the conditioned model beats the mean of the three on the rest (5 draws)', async () => {
  const { train, test: held } = heldOut('hcp-Ti');
  const model = await fitFamily(spec, train);
  let model3 = 0;
  let mean3 = 0;
  for (let d = 0; d < 5; d++) {
    const order = shuffleInPlace(held.map((_, i) => i), createRng(d));
    const shots = order.slice(0, 3).map((i) => held[i]);
    const rest = order.slice(3).map((i) => held[i]);
    const y = rest.map((s) => s.eds);
    model3 += scores(y, predictSamples(model.withMore!(shots), rest).mean).mae / 5;
    const m = shots.reduce((a, s) => a + s.eds, 0) / 3;
    mean3 += y.reduce((a, v) => a + Math.abs(v - m), 0) / y.length / 5;
  }
  assert.ok(model3 < 0.8 * mean3, `model ${model3} eV vs mean of the shots ${mean3} eV`);
});

test('a host no training phase has (Ni): one energy per element, not the prior mean; flagged out of domain, its intervals hold the engine energies; P(E_DS < 0) = Φ(−mean/sd)', async () => {
  const { train, test: held } = heldOut('L12-Ni3Al');
  const model = await fitFamily(spec, train);
  const enumeration = held[0].enumeration;
  const host = (atom: number) => enumeration.cell.sites[atom].element;
  // X on a Ni site, the other end kept: the element and the site of each single substitution
  const onNi = (s: Sample['substitution']) =>
    s.elementA !== host(s.pair.atomA) && s.elementB === host(s.pair.atomB) && s.pair.siteA === 'Ni' ? s.elementA : s.elementB !== host(s.pair.atomB) && s.elementA === host(s.pair.atomA) && s.pair.siteB === 'Ni' ? s.elementB : null;
  const singles = distinctSubstitutions(enumeration, ['Co', 'Cu', 'Fe', 'Pd', 'Pt', 'Zr']).filter((s) => onNi(s) !== null);
  const rows = predictionRows(model, enumeration, singles, ['Al', 'Co', 'Cu', 'Fe', 'Mo', 'Ni', 'Pd', 'Pt', 'Ti', 'Zr']);
  // one value per element on the new host's site, not one prior mean for all
  const bySite = new Map(rows.map((r, k) => [onNi(singles[k])!, r.eds_pred]));
  const values = [...bySite.values()];
  assert.ok(Math.max(...values) - Math.min(...values) > 0.3, `spread of single substitutions on Ni: ${values}`);
  const all = collapseByKey(loaded.data.rows).filter((s) => s.phase === 'L12-Ni3Al');
  const truth = new Map(all.filter((s: Sample) => s.kind === 'single' && onNi(s.substitution) !== null).map((s) => [onNi(s.substitution)!, s.eds]));
  const pairs = [...bySite].filter(([el]) => truth.has(el));
  assert.equal(pairs.length, 6);
  // a host this far from training (Ni, only Ti–Al phases seen) is flagged, and its wide intervals hold the engine's energies
  const covered = rows.filter((r, k) => truth.has(onNi(singles[k])!) && truth.get(onNi(singles[k])!)! >= r.eds_lo! && truth.get(onNi(singles[k])!)! <= r.eds_hi!).length;
  assert.ok(covered >= 5, `${covered} of 6 inside the 90 % interval`);
  assert.ok(rows.every((r) => r.out_of_domain));
  for (const r of rows) assert.ok(Math.abs(r.p_stabilising! - normalCdf(-r.eds_pred / r.eds_sd!)) < 1e-12);
});
