import { join } from 'node:path';
import type { Command } from 'commander';
import { analyzeSymmetry } from '../structure/symmetry.ts';
import { describeStructure } from '../structure/describe.ts';
import { siteEnvironments, siteHistograms } from '../environment/sites.ts';
import { substitutionSystem, trainingData, DEFAULT_DATA } from '../substitution/system.ts';
import { collapseByKey, type Sample } from '../substitution/dataset.ts';
import { featureNames } from '../features/ce.ts';
import { SubstitutionModel, familySpec } from '../model/family.ts';
import { evaluate, type EvaluationResult, type Protocol } from '../model/protocols.ts';
import { groupKFold, take } from '../model/splits.ts';
import { pearson } from '../model/metrics.ts';
import { saveModel } from '../predict/modelFile.ts';
import { predictAll, stabilising } from '../predict/predict.ts';
import { predictionsCsv, type PredictionRow } from '../predict/table.ts';
import { heatmapsFromPredictions } from '../figures/siteHeatmaps.ts';
import { heatmapPage } from '../figures/heatmap.ts';
import { nnhSvg } from '../figures/nnhPlot.ts';
import { buildViewerData } from '../figures/viewerData.ts';
import { viewerHtml } from '../figures/viewer.ts';
import { htmlTable, reportHtml, type ReportSection } from '../figures/report.ts';
import { importanceSvg } from '../figures/importancePlot.ts';
import { explainSiteModel } from '../model/explain.ts';
import { esc } from '../figures/svg.ts';
import { progress } from '../util/progress.ts';
import { toCsv } from '../util/csv.ts';
import { compareModels, formatCompare, trainModel } from './modelCommands.ts';
import { phaseOf } from '../predict/modelFile.ts';
import { emit, fixed, numberOption, writeOutput } from './output.ts';

const root = new URL('../../', import.meta.url).pathname;
const ALPHA = join(root, 'structures/alpha-Nb5Si3/structure.cif');
const BETA = join(root, 'structures/beta-Nb5Si3/structure.cif');

const meV = (x: number) => fixed(x * 1000, 1);

/**
 * The main job: structure, NNH and AET reports of α and β; the model table;
 * honest evaluation of both families; training on α; every β substitution
 * predicted; heatmaps; viewers; one report tying it together.
 */
export async function reproduce(out: string, o: { seed: number; quick: boolean }): Promise<Record<string, unknown>> {
  const steps = progress('cescreen reproduce', 9);
  const sections: ReportSection[] = [];
  const summary: Record<string, unknown> = {};

  // 1. structures
  const structureHtml: string[] = [];
  for (const [name, file] of [['alpha', ALPHA], ['beta', BETA]] as const) {
    const { structure } = substitutionSystem(file);
    const sym = analyzeSymmetry(structure);
    const report = describeStructure(structure, sym);
    const nnh = siteHistograms(structure, sym, { cutoff: 8 });
    const aet = siteEnvironments(structure, sym);
    const svg = nnhSvg(nnh.map((h) => ({ site: h.site, dmin: h.dmin, histogram: h.histogram })));
    writeOutput(join(out, `${name}-structure.json`), JSON.stringify({ ...report, aet: aet.map(({ candidates, ...e }) => e) }, null, 2));
    writeOutput(join(out, `${name}-nnh.svg`), svg);
    structureHtml.push(
      `<h3>${name === 'alpha' ? 'α' : 'β'}-${report.formula}: ${esc(report.spacegroup.symbol)} (No. ${report.spacegroup.number}), a = ${fixed(report.lattice.a)} Å, c = ${fixed(report.lattice.c)} Å</h3>` +
        htmlTable(
          ['site', 'Wyckoff', 'x y z', 'AET CN', 'gap', 'volume Å³', 'topological code', 'nearest ideal polyhedron (S)', 'shell'],
          aet.map((e) => {
            const r = report.sites.find((s) => s.site === e.site)!;
            const shell = Object.entries(e.shell.reduce<Record<string, number>>((m, s) => ((m[s.element] = (m[s.element] ?? 0) + 1), m), {}))
              .map(([el, n]) => `${n} ${el}`)
              .join(' + ');
            return [e.site, e.wyckoff, r.frac.map((x) => fixed(x, 4)).join(' '), e.cn, fixed(e.gap, 3), fixed(e.volume, 2), e.code, e.ideal ? `${e.ideal.name} (${fixed(e.ideal.deviation, 2)})` : '—', shell];
          }),
        ) +
        `<div class="fig">${svg}</div>`,
    );
  }
  sections.push({ id: 'structures', title: 'Structures, NNH and AET', html: structureHtml.join('\n') });
  steps.tick();

  // 2. data and features
  const { system, data } = trainingData(DEFAULT_DATA);
  const samples = collapseByKey(data.rows);
  const siteSpec = familySpec('site', 'SVR', { seed: o.seed });
  const transferSpec = familySpec('transfer', 'SVR', { seed: o.seed });
  sections.push({
    id: 'features',
    title: 'DFT data and CE features',
    html:
      `<p>${data.rows.length + data.dropped.length} DFT rows of α-Nb5Si3 (${esc(DEFAULT_DATA.replace(root, ''))}) match the ${system.enumeration.pairs.length} site-pair configurations of the 32-atom cell (pairs ≤ 3.6 Å). ` +
      `${data.dropped.length} rows are set aside (the pristine cell, zero by construction, and transposed entries carrying the pristine energy); the rest collapse to ${samples.length} physically distinct substitutions.</p>` +
      `<p>Site family: ${featureNames(siteSpec.features).length} features per substitution (properties ${siteSpec.features.properties.join(', ')}; centre and r<sup>−1</sup>-weighted AET-shell means of both sites, shell geometry, pair distance). ` +
      `Transfer family: host-relative single-site vectors (${transferSpec.endFeatures!.properties.length} properties × centre, host, shell geometry) and an interaction model on host-relative shell sums.</p>`,
  });
  steps.tick();

  // 3. the literature table
  const compareRows = await compareModels({
    data: DEFAULT_DATA,
    models: o.quick ? ['svr'] : ['svr', 'rf'],
    featureSets: o.quick ? ['ceaet', 'cc'] : ['ceaet', 'ceaet-0.5', 'cenn', 'cc'],
    family: 'site',
    protocol: 'paper',
    seed: o.seed,
    repeats: 0,
  });
  if (!o.quick) compareRows.push(...(await compareModels({ data: DEFAULT_DATA, models: ['dnn'], featureSets: ['ceaet'], family: 'site', protocol: 'paper', seed: o.seed, repeats: 0 })));
  writeOutput(join(out, 'compare.txt'), formatCompare(compareRows, 'paper'));
  steps.tick();

  // 4. both families on every honest protocol
  const protocols: Protocol[] = ['paper', 'grouped', 'leave-site-out', 'leave-element-out'];
  const evals: EvaluationResult[] = [];
  for (const protocol of protocols)
    for (const spec of [siteSpec, transferSpec]) evals.push(await evaluate(system.enumeration, data, { protocol, spec, seed: o.seed, repeats: protocol === 'grouped' ? 1 : 0, perSite: false }));
  writeOutput(join(out, 'evaluation.json'), JSON.stringify(evals, null, 2));
  const sites = ['NbI', 'NbII', 'SiI', 'SiII'];
  sections.push({
    id: 'models',
    title: 'Models: the literature table and honest protocols',
    html:
      `<p>Test MAE in meV per cell on the <code>paper</code> protocol (random 8:2 split of the rows, as published), per centre site (a separate model per site, as in the paper) and over all sites:</p><pre>${esc(formatCompare(compareRows, 'paper'))}</pre>` +
      htmlTable(
        ['family', 'protocol', 'MAE meV', 'RMSE meV', 'R²', 'F1 (E < 0)', ...sites.map((s) => `held-out ${s}`)],
        evals.map((r) => [r.family, r.protocol, meV(r.test.mae), meV(r.test.rmse), fixed(r.test.r2, 3), fixed(r.test.f1, 2), ...sites.map((s) => (r.per_site[s] ? meV(r.per_site[s].mae) : ''))]),
        'SVR, both families. paper: random 8:2 split of the rows; grouped: duplicates collapsed, split by substitution; leave-site-out: every substitution touching the site held out (the proxy for a new phase); leave-element-out: pooled over the 14 held-out elements.',
      ),
  });
  summary.evaluation = evals.map((r) => ({ family: r.family, protocol: r.protocol, mae_meV: +meV(r.test.mae) }));
  const why = await explainSiteModel(siteSpec, system.enumeration, samples, { seed: o.seed, shapSamples: 12, background: 8 });
  const impSvg = importanceSvg(why.features.slice(0, 15), 'SVR site family: top 15 CE features');
  writeOutput(join(out, 'importance.svg'), impSvg);
  sections.push({
    id: 'importance',
    title: 'Which features matter',
    html:
      `<p>Permutation importance on a held-out grouped split (rise of the test MAE when one feature is shuffled), coloured by the KernelSHAP sign of effect. ` +
      `Summed over both sites: ${esc(why.properties.slice(0, 6).map((p) => `${p.feature} (${meV(p.importance)} meV)`).join(', '))}. The literature's top five were PN_C, BM_C, TN_C, EC_E, DV_E.</p>` +
      `<div class="fig">${impSvg}</div>`,
  });
  summary.top_features = why.properties.slice(0, 5).map((p) => p.feature);
  steps.tick();

  // 5. α check: out-of-fold predictions against DFT
  const oof = await outOfFold(siteSpec, system.enumeration, samples, o.seed);
  const alphaRows: PredictionRow[] = samples.map((s, k) => ({
    config: s.substitution.pair.id,
    site_a: s.substitution.pair.siteA,
    element_a: s.substitution.elementA,
    site_b: s.substitution.pair.siteB,
    element_b: s.substitution.elementB,
    distance: s.substitution.pair.distance,
    eds_pred: oof.pred[k],
    kind: s.kind,
    unseen: false,
  }));
  const dft = samples.map((s) => ({ config: s.substitution.pair.id, element_a: s.substitution.elementA, element_b: s.substitution.elementB, eds: s.eds }));
  writeOutput(join(out, 'alpha-dft.csv'), toCsv(['config', 'site_a', 'element_a', 'site_b', 'element_b', 'distance', 'eds'], samples.map((s) => [s.substitution.pair.id, s.substitution.pair.siteA, s.substitution.elementA, s.substitution.pair.siteB, s.substitution.elementB, s.substitution.pair.distance.toFixed(4), s.eds])));
  const alphaMaps = heatmapsFromPredictions(alphaRows, { dft, swappable: (c) => system.enumeration.pairs[c - 1].swappable });
  writeOutput(join(out, 'alpha-heatmaps.html'), heatmapPage(alphaMaps.map((h) => ({ title: h.title, svg: h.svg })), 'α-Nb5Si3: out-of-fold predictions vs DFT'));
  steps.tick();

  // 6. train on all of α, predict every β substitution with the transfer family
  const saved = await trainModel({ data: DEFAULT_DATA, model: 'svr', family: 'site', seed: String(o.seed), supercell: '1x1x1', maxDistance: '3.6', families: 'site,transfer' });
  saveModel(join(out, 'model.json'), saved);
  const beta = substitutionSystem(BETA);
  const betaRows = predictAll(saved.families.transfer!, beta.enumeration, saved.training.elements, saved.training.elements);
  writeOutput(join(out, 'beta-predictions.csv'), predictionsCsv(betaRows));
  const top = stabilising(betaRows.filter((r) => r.kind === 'pair')).slice(0, 20);
  const betaMaps = heatmapsFromPredictions(betaRows, { swappable: (c) => beta.enumeration.pairs[c - 1].swappable });
  writeOutput(join(out, 'beta-heatmaps.html'), heatmapPage(betaMaps.map((h) => ({ title: h.title, svg: h.svg })), 'β-Nb5Si3: predicted substitution energies (transfer family, trained on α)'));
  steps.tick();

  // 7. viewers
  const note = 'Energies are model predictions (SVR transfer family trained on α-Nb5Si3 DFT), not DFT.';
  writeOutput(join(out, 'viewer-beta.html'), viewerHtml(buildViewerData(beta.structure, { title: 'β-Nb5Si3 (W5Si3 type)', predictions: betaRows, heatmaps: betaMaps.map((h) => ({ config: h.config, title: h.title, svg: h.svg })), notes: note })));
  writeOutput(join(out, 'viewer-alpha.html'), viewerHtml(buildViewerData(system.structure, { title: 'α-Nb5Si3 (Cr5B3 type)' })));
  steps.tick();

  // 8. β trends and the report
  const singles = siteSingles(betaRows, new Map(beta.structure.sites.map((x) => [x.label, x.element])));
  const trend = sites.map((s) => [s, ...saved.training.elements.filter((e) => e !== 'Nb' && e !== 'Si').map((e) => (singles.get(`${s}:${e}`) === undefined ? '' : fixed(singles.get(`${s}:${e}`)!, 2)))]);
  sections.push({
    id: 'beta',
    title: 'β-Nb5Si3 screening (predictions)',
    html:
      `<p class="note">${esc(note)} The target phase differs from the training phase, so the transfer family is used: it names no site and keeps the pristine cell at exactly zero.</p>` +
      htmlTable(['site', ...saved.training.elements.filter((e) => e !== 'Nb' && e !== 'Si')], trend, 'Predicted single-substitution energy (eV per cell, mean over the pair geometries) of each element on each β site') +
      htmlTable(['config', 'X@site a', 'Y@site b', 'd (Å)', 'E_DS (eV)'], top.map((r) => [r.config, `${r.element_a}@${r.site_a}`, `${r.element_b}@${r.site_b}`, fixed(r.distance, 3), fixed(r.eds_pred, 3)]), 'The 20 most stabilising β double substitutions (predicted)') +
      `<p><a href="beta-heatmaps.html">β heatmaps</a> · <a href="viewer-beta.html">β viewer with predictions</a> · <a href="beta-predictions.csv">all β predictions (CSV)</a></p>` +
      betaMaps.map((h) => `<div class="fig">${h.svg}</div>`).join('\n'),
  });
  sections.push({
    id: 'alpha-check',
    title: 'α check: out-of-fold predictions vs DFT',
    html:
      `<p>Site-family SVR, grouped 5-fold: every DFT value is predicted by a model that never saw that substitution. MAE ${meV(oof.mae)} meV, Pearson r ${fixed(oof.r, 3)}. Left: prediction, middle: DFT, right: difference.</p>` +
      `<p><a href="alpha-heatmaps.html">all α maps</a> · <a href="viewer-alpha.html">α viewer</a> · <a href="alpha-dft.csv">DFT table mapped to pair ids</a></p>` +
      alphaMaps.slice(0, 4).map((h) => `<div class="fig">${h.svg}</div>`).join('\n'),
  });
  writeOutput(
    join(out, 'report.html'),
    reportHtml(
      'cescreen: α-Nb5Si3 → β-Nb5Si3 substitution screening',
      `<p class="note">DFT numbers: the α-Nb5Si3 data set (3D-ELAN, MIT licence) only. Every β energy and every heatmap value is a <b>prediction</b>. Seed ${o.seed}.</p>`,
      sections,
    ),
  );
  steps.tick();
  steps.stop();
  summary.top_beta_pairs = top.slice(0, 10).map((r) => `${r.element_a}@${r.site_a}+${r.element_b}@${r.site_b} (c${r.config}) ${fixed(r.eds_pred, 3)} eV`);
  summary.alpha_out_of_fold_mae_meV = +meV(oof.mae);
  summary.phase = phaseOf(beta.structure).formula;
  summary.files = ['report.html', 'compare.txt', 'importance.svg', 'evaluation.json', 'model.json', 'beta-predictions.csv', 'beta-heatmaps.html', 'alpha-heatmaps.html', 'viewer-beta.html', 'viewer-alpha.html', 'alpha-nnh.svg', 'beta-nnh.svg'];
  return summary;
}

async function outOfFold(spec: ReturnType<typeof familySpec>, enumeration: Parameters<typeof SubstitutionModel.fit>[1], samples: Sample[], seed: number) {
  const pred = new Array<number>(samples.length).fill(NaN);
  for (const s of groupKFold(samples.map((x) => x.key), 5, seed)) {
    const model = await SubstitutionModel.fit(spec, enumeration, take(samples, s.train));
    const p = model.predict(enumeration, take(samples, s.test).map((x) => x.substitution));
    s.test.forEach((i, k) => (pred[i] = p[k]));
  }
  const y = samples.map((s) => s.eds);
  return { pred, mae: pred.reduce((a, p, i) => a + Math.abs(p - y[i]), 0) / y.length, r: pearson(y, pred) };
}

/** Mean predicted single-substitution energy per (site, element), over the pair geometries it occurs in. */
function siteSingles(rows: PredictionRow[], hostOf: Map<string, string>): Map<string, number> {
  const acc = new Map<string, number[]>();
  for (const r of rows) {
    if (r.kind !== 'single') continue;
    const [site, el] = r.element_a !== hostOf.get(r.site_a) ? [r.site_a, r.element_a] : [r.site_b, r.element_b];
    const k = `${site}:${el}`;
    acc.set(k, [...(acc.get(k) ?? []), r.eds_pred]);
  }
  return new Map([...acc].map(([k, v]) => [k, v.reduce((a, b) => a + b, 0) / v.length]));
}

export function registerReproduce(program: Command): void {
  program
    .command('reproduce')
    .description('the main job on the bundled data: structures, models, β predictions, heatmaps, viewers, report')
    .option('-o, --output <dir>', 'output folder', 'out')
    .option('--seed <n>', 'random seed', '0')
    .option('--quick', 'fewer models in the comparison table')
    .option('--json', 'JSON summary')
    .action(async (o: { output: string; seed: string; quick?: boolean; json?: boolean }) => {
      const summary = await reproduce(o.output, { seed: numberOption('--seed', o.seed, 0), quick: !!o.quick });
      emit(summary, o.json, (s) => `wrote ${o.output}/report.html\n${JSON.stringify(s, null, 2)}\n`);
    });
}
