/**
 * The numbers behind the README's results, in parts:
 * - alpha: every family and baseline on α-Nb5Si3 with the strict protocols (grouped 5-fold CV,
 *   leave-site-out with its k-shot curve and coverage at every k, leave-element-out);
 * - phases: leave-phase-out on the nine engine phases (data/) and on the three DFT phases
 *   (α, and ../shared/data/phases: bcc Nb, Mn3AlN), k = 0, 3, 10 calculations of the held-out
 *   phase chosen by `suggest` or at random, beside the baselines;
 * - prior: a model trained on one phase predicting each other phase of the same source, for the
 *   calibration prior of a single training phase (src/model/families/hierarchical.ts);
 * - stabilising: on each held-out engine phase, calculations added one round at a time (the model
 *   conditioned on their energies), chosen by `suggest --goal stabilising`, `--goal variance` or at
 *   random (5 seeds): the F1 of the phase's stabilising set after k (truth E_DS < 0; computed rows
 *   by their energy, the others P(E_DS < 0) ≥ 0.9), and the k at which F1 first reaches 0.9.
 *   npx tsx scripts/bench-transfer.ts [--part alpha,phases,prior,stabilising] [--seed 0] [--json out.json]
 */
import { existsSync, writeFileSync } from 'node:fs';
import { trainingData, trainingSets, DEFAULT_DATA, type DataSource } from '../src/substitution/system.ts';
import { collapseByKey } from '../src/substitution/dataset.ts';
import { baselineSpecs, familySpec, fitFamily, type SuggestGoal } from '../src/model/families/index.ts';
import { evaluate, fitPredict, predictSamples, scores, type EvaluationResult } from '../src/model/evaluation/evaluate.ts';
import { protocolEntry } from '../src/model/evaluation/protocols.ts';
import { StructuredModel } from '../src/model/families/structured.ts';
import { HIERARCHICAL } from '../src/model/families/hierarchical.ts';
import { groupKFold, take } from '../src/model/learn/splits.ts';
import { fixed, formatEvaluation, formatShots } from '../src/figures/text.ts';
import { probabilityBelow, STABILISING_PROBABILITY, Z90 } from '../src/util/normal.ts';
import { labelScores } from '../src/model/learn/metrics.ts';
import { childSeed, createRng, shuffleInPlace } from '../src/model/learn/random.ts';

const arg = (name: string, d: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : d;
};
const seed = Number(arg('--seed', '0'));
const parts = arg('--part', 'alpha,phases,prior,stabilising').split(',');
const root = new URL('../', import.meta.url).pathname;
const shared = process.env.CESCREEN_PHASES ?? `${root}../shared/data/phases`;
const meV = (x: number) => fixed(x * 1000, 0);
const pct = (x: number | undefined) => (x === undefined ? '' : `${fixed(100 * x, 0)} %`);
const t0 = performance.now();
const out: Record<string, unknown> = { date: new Date().toISOString().slice(0, 10), seed };

/** The engine phases with the cells their data were computed in (data/README.md). */
export const ENGINE_PHASES: DataSource[] = (
  [
    ['fcc-Ni', '4x4x4', 6.2],
    ['L12-Ni3Al', '3x3x3', 5.2],
    ['B2-NiAl', '4x4x4', 5.2],
    ['L10-TiAl', '4x4x3', 5.2],
    ['D019-Ti3Al', '2x2x2', 4.5],
    ['B2-CuZr', '3x3x3', 5.2],
    ['hcp-Ti', '4x4x3', 5.2],
    ['bcc-Fe', '4x4x4', 6.2],
    ['C15-MgCu2', '2x2x2', 4.5],
  ] as const
).map(([p, supercell, maxDistance]) => ({ data: `${root}data/${p}/eds.csv`, supercell, maxDistance }));
const DFT_PHASES: DataSource[] = [
  { data: DEFAULT_DATA, supercell: '1x1x1', maxDistance: 3.6 },
  { data: `${shared}/bcc-Nb/eds.csv`, supercell: '2x2x2', maxDistance: 4.7 },
  { data: `${shared}/Mn3AlN/eds.csv`, supercell: '1x1x1', maxDistance: 2.5 },
];

if (parts.includes('alpha')) {
  const { data } = trainingData(DEFAULT_DATA);
  const samples = collapseByKey(data.rows);
  // strict grouped 5-fold CV: every family and baseline on the same folds
  const families: [string, ReturnType<typeof familySpec>][] = [
    ['hierarchical (default)', familySpec('hierarchical', undefined, { seed })],
    ['gp', familySpec('gp', undefined, { seed })],
    ['site SVR', familySpec('site', 'svr', { seed })],
    ['transfer SVR', familySpec('transfer', 'svr', { seed })],
    ...baselineSpecs(protocolEntry('grouped').leaky, seed),
  ];
  const folds = groupKFold(samples.map((s) => s.key), 5, seed);
  const cv: Record<string, { mae: number; sd: number; coverage?: number; width?: number; seconds: number }> = {};
  for (const [name, spec] of families) {
    const t = performance.now();
    const maes: number[] = [];
    const y: number[] = [];
    const lo: number[] = [];
    const hi: number[] = [];
    for (const f of folds) {
      const test = take(samples, f.test);
      const p = await fitPredict(spec, take(samples, f.train), test);
      maes.push(scores(test.map((s) => s.eds), p.mean).mae);
      y.push(...test.map((s) => s.eds));
      if (p.lo) lo.push(...p.lo), hi.push(...p.hi!);
    }
    const mean = maes.reduce((a, b) => a + b, 0) / maes.length;
    const sd = Math.sqrt(maes.reduce((a, b) => a + (b - mean) ** 2, 0) / maes.length);
    cv[name] = { mae: mean, sd, seconds: (performance.now() - t) / 1000 / folds.length };
    if (lo.length) {
      cv[name].coverage = y.filter((v, i) => v >= lo[i] && v <= hi[i]).length / y.length;
      cv[name].width = y.reduce((a, _, i) => a + hi[i] - lo[i], 0) / y.length;
    }
  }
  out.grouped5fold = cv;
  console.log(`## α: strict grouped 5-fold CV (seed ${seed}), test MAE meV (± sd over folds)\n`);
  console.log('| model | MAE | 90 % coverage | width (eV) | s per fit |\n|---|---|---|---|---|');
  for (const [name, r] of Object.entries(cv)) console.log(`| ${name} | ${meV(r.mae)} ± ${meV(r.sd)} | ${r.coverage === undefined ? '' : `${fixed(100 * r.coverage, 1)} %`} | ${r.width === undefined ? '' : fixed(r.width, 2)} | ${fixed(r.seconds, 1)} |`);

  // leave-site-out with the k-shot curve (coverage at every k), and leave-element-out
  const lso: EvaluationResult[] = [];
  for (const [name, spec] of families.slice(0, 4)) {
    const main = name === families[0][0];
    lso.push(await evaluate(data, { protocol: 'leave-site-out', spec, seed, repeats: 0, baselines: main, ...(main ? { shots: [0, 5, 10, 20, 40], draws: 5 } : {}) }));
  }
  out.leaveSiteOut = lso.map((r) => ({ family: r.family, test: r.test, per_site: r.per_site, baselines: r.baselines, shots: r.shots }));
  const sites = Object.keys(lso[0].per_site);
  console.log(`\n## α: leave-site-out (k = 0), test MAE meV per held-out site (with a distribution: 90 % coverage, mean width)\n`);
  console.log(`| model | pooled | ${sites.join(' | ')} |\n|---|---|${sites.map(() => '---').join('|')}|`);
  for (const r of lso) console.log(`| ${r.family} | ${meV(r.test.mae)}${r.test.coverage !== undefined ? ` (${pct(r.test.coverage)})` : ''} | ${sites.map((s) => `${meV(r.per_site[s].mae)}${r.per_site[s].coverage !== undefined ? ` (${pct(r.per_site[s].coverage)}, ${fixed(r.per_site[s].width!, 2)} eV)` : ''}`).join(' | ')} |`);
  for (const [name, b] of Object.entries(lso[0].baselines)) console.log(`| ${name} | ${meV(b.mae)} | ${sites.map((s) => meV(lso[0].per_site[s].baselines?.[name] ?? NaN)).join(' | ')} |`);
  console.log('\n' + formatShots(lso[0].shots!));

  const leo: EvaluationResult[] = [];
  for (const [, spec] of families.slice(0, 4)) leo.push(await evaluate(data, { protocol: 'leave-element-out', spec, seed, repeats: 0, baselines: spec === families[0][1] }));
  out.leaveElementOut = leo.map((r) => ({ family: r.family, test: r.test, per_element: r.per_element, baselines: r.baselines }));
  console.log(`\n## α: leave-element-out, pooled test MAE meV\n`);
  console.log(leo.map((r) => `${r.family} ${meV(r.test.mae)}${r.test.coverage !== undefined ? ` (coverage ${pct(r.test.coverage)})` : ''}`).join(', ') + '; ' + Object.entries(leo[0].baselines).map(([k, b]) => `${k} ${meV(b.mae)}`).join(', '));
}

if (parts.includes('phases')) {
  const sets: [string, DataSource[]][] = [['engine phases (data/)', ENGINE_PHASES], ...(existsSync(DFT_PHASES[1].data) ? [['DFT phases (α, bcc Nb, Mn3AlN)', DFT_PHASES] as [string, DataSource[]]] : [])];
  const results: Record<string, EvaluationResult[]> = {};
  for (const [name, sources] of sets) {
    const { data } = trainingSets(sources);
    results[name] = [];
    for (const family of ['hierarchical', 'gp']) {
      const r = await evaluate(data, { protocol: 'leave-phase-out', spec: familySpec(family, undefined, { seed }), seed, repeats: 0, baselines: family === 'hierarchical', ...(family === 'hierarchical' ? { shots: [0, 3, 10], draws: 5, shotsFrom: 'both' as const } : {}) });
      results[name].push(r);
      console.log(`\n## leave-phase-out, ${name}: ${family}\n\n\`\`\`\n${formatEvaluation(r)}\`\`\``);
    }
  }
  out.leavePhaseOut = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.map((r) => ({ family: r.family, test: r.test, per_phase: r.per_phase, baselines: r.baselines, shots: r.shots }))]));
}

if (parts.includes('prior')) {
  // single-phase training, every other phase of the same source: the factor on the raw sd each pair needs
  const raw = { ...HIERARCHICAL, phasePrior: { ...HIERARCHICAL.phasePrior!, calibration: { factor: 1, exponent: 1, scale: 1 } } };
  const need = (z: number[]) => [...z].map(Math.abs).sort((a, b) => a - b)[Math.ceil(0.9 * z.length) - 1] / Z90;
  const pairs: { source: string; train: string; test: string; mae: number; z: number[] }[] = [];
  for (const [source, list] of [['engine', ENGINE_PHASES], ['DFT', existsSync(DFT_PHASES[1].data) ? DFT_PHASES : []]] as const) {
    if (list.length < 2) continue;
    const samples = collapseByKey(trainingSets(list).data.rows);
    const phases = [...new Set(samples.map((s) => s.phase))];
    for (const a of phases) {
      const m = await StructuredModel.fit(raw, familySpec('hierarchical', undefined, { seed }), samples.filter((s) => s.phase === a));
      for (const b of phases.filter((p) => p !== a)) {
        const test = samples.filter((s) => s.phase === b);
        const p = predictSamples(m, test);
        const z = test.map((s, i) => (s.eds - p.mean[i]) / ((p.hi![i] - p.lo![i]) / (2 * Z90)));
        pairs.push({ source, train: a, test: b, mae: scores(test.map((s) => s.eds), p.mean).mae, z });
      }
    }
  }
  // the factor at which the pairs cover 90 % on average, each pair (and each source) weighing alike
  const equal = (ps: typeof pairs) => {
    let [lo, hi] = [0.01, 20];
    for (let it = 0; it < 60; it++) {
      const c = (lo + hi) / 2;
      const cov = ps.reduce((a, p) => a + p.z.filter((x) => Math.abs(x) <= Z90 * c).length / p.z.length, 0) / ps.length;
      [lo, hi] = cov < 0.9 ? [c, hi] : [lo, c];
    }
    return hi;
  };
  console.log(`\n## single training phase → another phase: MAE meV / factor on the raw sd that covers 90 %\n`);
  for (const p of pairs) console.log(`${p.source}: ${p.train} → ${p.test}: ${meV(p.mae)} / ${fixed(need(p.z), 2)}`);
  const sources = [...new Set(pairs.map((p) => p.source))];
  for (const s of sources) console.log(`${s}: ${pairs.filter((p) => p.source === s).length} pairs, equal-weight 90 % factor ${fixed(equal(pairs.filter((p) => p.source === s)), 2)}`);
  out.prior = { pairs: pairs.map(({ z, ...p }) => ({ ...p, need: need(z) })), factors: Object.fromEntries(sources.map((s) => [s, equal(pairs.filter((p) => p.source === s))])) };
}

if (parts.includes('stabilising')) {
  const samples = collapseByKey(trainingSets(ENGINE_PHASES).data.rows);
  const checkpoints = [0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40];
  const table: { phase: string; stabilising: number; calculations: number; runs: Record<string, number[][]> }[] = [];
  console.log(`\n## suggest --goal stabilising on a held-out engine phase: F1 of its stabilising set after k calculations\n`);
  for (const held of [...new Set(samples.map((s) => s.phase))]) {
    const test = samples.filter((s) => s.phase === held);
    const model = await fitFamily(familySpec('hierarchical', undefined, { seed }), samples.filter((s) => s.phase !== held));
    const truth = test.map((s) => s.eds < 0);
    const f1 = (known: Set<number>, m: typeof model) => {
      const rest = test.flatMap((_, i) => (known.has(i) ? [] : [i]));
      const p = predictSamples(m, rest.map((i) => test[i]));
      const predicted = [...truth];
      rest.forEach((i, j) => (predicted[i] = probabilityBelow(p.mean[j], (p.hi![j] - p.lo![j]) / (2 * Z90)) >= STABILISING_PROBABILITY));
      return labelScores(truth, predicted).f1;
    };
    const run = (pick: (m: typeof model, known: Set<number>, n: number) => number[]) => {
      const known = new Set<number>();
      let m = model;
      return checkpoints.map((k, c) => {
        if (c > 0) {
          for (const i of pick(m, known, k - checkpoints[c - 1])) known.add(i);
          m = model.withMore!([...known].map((i) => test[i]));
        }
        return f1(known, m);
      });
    };
    const suggested = (goal: SuggestGoal) => (m: typeof model, known: Set<number>, n: number) => {
      const candidates = test.flatMap((_, i) => (known.has(i) ? [] : [i]));
      return m.suggest!(test[0].enumeration, candidates.map((i) => test[i].substitution), n, { goal }).map((x) => candidates[x.index]);
    };
    const runs: Record<string, number[][]> = {
      stabilising: [run(suggested('stabilising'))],
      variance: [run(suggested('variance'))],
      random: [1, 2, 3, 4, 5].map((r) => {
        const order = shuffleInPlace(test.map((_, i) => i), createRng(childSeed(seed, `random picks ${r}`)));
        return run((_m, known, n) => order.filter((i) => !known.has(i)).slice(0, n));
      }),
    };
    table.push({ phase: held, stabilising: truth.filter(Boolean).length, calculations: test.length, runs });
    const first = (f: number[]) => checkpoints[f.findIndex((x) => x >= 0.9)] ?? Infinity;
    const show = (f: number[]) => f.map((x) => fixed(x, 2)).join(' ');
    const mean = (fs: number[][]) => checkpoints.map((_, c) => fs.reduce((a, f) => a + f[c], 0) / fs.length);
    console.log(`${held} (${truth.filter(Boolean).length} of ${test.length} stabilising), F1 at k = ${checkpoints.join(', ')}:`);
    for (const [name, fs] of Object.entries(runs)) console.log(`  ${name.padEnd(11)} ${show(mean(fs))}   F1 ≥ 0.9 at k = ${fs.map(first).join(', ')}`);
  }
  out.stabilising = { checkpoints, phases: table };
}

console.log(`\n${fixed((performance.now() - t0) / 1000, 0)} s on this machine`);
const json = arg('--json', '');
if (json) writeFileSync(json, JSON.stringify(out, null, 2));
