/**
 * The main job, step by step: structure, NNH and AET reports of the training
 * and target phases; the model table; honest evaluation of both families;
 * training on the training phase; every target substitution predicted;
 * heatmaps; viewers; one report tying it together. Defaults: α-Nb5Si3 DFT data
 * → β-Nb5Si3. Any pair of phases works: sites and hosts come from the files.
 */
import { basename, dirname, join } from 'node:path';
import { analyzeSymmetry } from '../structure/symmetry.ts';
import { describeStructure } from '../structure/describe.ts';
import { readStructure } from '../structure/io.ts';
import type { Structure } from '../structure/structure.ts';
import { siteEnvironments, siteHistograms } from '../environment/sites.ts';
import { substitutionSystem, structureForData, trainingData, DEFAULT_DATA } from '../substitution/system.ts';
import { collapseByKey, type Sample } from '../substitution/dataset.ts';
import { featureNames } from '../features/ce.ts';
import { FEATURE_SETS } from '../features/sets.ts';
import { type FamilySpec } from '../model/family.ts';
import { familySpec, fitFamily } from '../model/families.ts';
import { evaluate, folderCentres, type EvaluationResult } from '../model/evaluate.ts';
import { compareModels } from '../model/compare.ts';
import { explainSiteModel } from '../model/explain.ts';
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
import { reportHtml, type ReportSection } from '../figures/report.ts';
import { importanceSvg } from '../figures/importancePlot.ts';
import { checkSection, dataSection, importanceSection, modelsSection, phaseDisplayName, structuresSection, targetSection, type PhaseSummary } from '../figures/reproduceReport.ts';
import { fixed, formatCompare } from '../figures/text.ts';
import { writeFileAtomic } from '../util/atomicWrite.ts';
import { toCsv } from '../util/csv.ts';
import { SILENT, type Progress } from '../util/progress.ts';
import { literatureFor } from './compare.ts';
import { trainModel } from './train.ts';

const root = new URL('../../', import.meta.url).pathname;
export const DEFAULT_TARGET = join(root, 'structures/beta-Nb5Si3/structure.cif');

export interface ReproduceRequest {
  out: string;
  /** Training data (data-set format) and its structure (default: structure.cif beside it). */
  data?: string;
  structure?: string;
  /** The phase to screen. */
  target?: string;
  seed: number;
  /** Fewer models in the comparison table. */
  quick?: boolean;
  progress?: Progress;
}

export interface ReproduceSummary {
  training: string;
  target: string;
  evaluation: { family: string; protocol: string; mae_meV: number }[];
  top_features: string[];
  top_target_pairs: string[];
  training_out_of_fold_mae_meV: number;
  phase: string;
  files: string[];
}

/** File-name stem of a phase: the CIF's folder for `…/<phase>/structure.cif`, else the file's stem. */
export function phaseSlug(file: string): string {
  const stem = basename(file).replace(/\.[^.]+$/, '');
  return (stem === 'structure' ? basename(dirname(file)) : stem).replace(/[^A-Za-z0-9_.-]+/g, '_');
}

function phaseSummary(file: string): PhaseSummary & { structure: Structure } {
  const structure = readStructure(file);
  const sym = analyzeSymmetry(structure);
  const report = describeStructure(structure, sym);
  const nnh = siteHistograms(structure, sym, { cutoff: 8 });
  const slug = phaseSlug(file);
  return {
    structure,
    slug,
    name: phaseDisplayName(slug),
    report,
    environments: siteEnvironments(structure, sym),
    nnhSvg: nnhSvg(nnh.map((h) => ({ site: h.site, dmin: h.dmin, histogram: h.histogram }))),
  };
}

/** Out-of-fold predictions of every sample (grouped 5-fold). */
async function outOfFold(spec: FamilySpec, samples: Sample[], seed: number) {
  const pred = new Array<number>(samples.length).fill(NaN);
  for (const s of groupKFold(samples.map((x) => x.key), 5, seed)) {
    const model = await fitFamily(spec, take(samples, s.train));
    const test = take(samples, s.test);
    const p = model.predict(test[0].enumeration, test.map((x) => x.substitution));
    model.dispose();
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

export async function reproduce(r: ReproduceRequest): Promise<ReproduceSummary> {
  const dataFile = r.data ?? DEFAULT_DATA;
  const trainingFile = structureForData(dataFile, r.structure);
  const targetFile = r.target ?? DEFAULT_TARGET;
  const progress = r.progress ?? SILENT;
  const out = r.out;
  const write = (name: string, content: string) => writeFileAtomic(join(out, name), content);
  const files: string[] = [];
  const emit = (name: string, content: string) => {
    write(name, content);
    files.push(name);
  };
  const steps = progress.stage('reproduce', 8);
  const sections: ReportSection[] = [];
  try {
    // 1. structures
    const training = phaseSummary(trainingFile);
    const target = phaseSummary(targetFile);
    for (const p of [training, target]) {
      emit(`${p.slug}-structure.json`, JSON.stringify({ ...p.report, aet: p.environments.map(({ candidates, ...e }) => e) }, null, 2));
      emit(`${p.slug}-nnh.svg`, p.nnhSvg);
    }
    sections.push(structuresSection([training, target]));
    steps.tick();

    // 2. data and features
    const { system, data } = trainingData(dataFile, { structure: trainingFile });
    const samples = collapseByKey(data.rows);
    const siteSpec = familySpec('site', 'svr', { seed: r.seed });
    const transferSpec = familySpec('transfer', 'svr', { seed: r.seed });
    sections.push(
      dataSection({
        training: training.name,
        dataFile: dataFile.replace(root, ''),
        rows: data.rows.length,
        dropped: data.dropped.length,
        configurations: system.enumeration.pairs.length,
        maxDistance: system.maxDistance,
        cellAtoms: system.enumeration.cell.length,
        samples: samples.length,
        siteFeatures: featureNames(siteSpec.features).length,
        properties: siteSpec.features.properties,
        singleProperties: transferSpec.endFeatures!.properties.length,
      }),
    );
    steps.tick();

    // 3. the literature table
    const sets = FEATURE_SETS.filter((s) => (r.quick ? ['ceaet', 'cc'] : ['ceaet', 'ceaet-0.5', 'cenn', 'cc']).includes(s.name));
    const rows = await compareModels(data, { models: r.quick ? ['svr'] : ['svr', 'rf'], sets, family: 'site', protocol: 'paper', seed: r.seed, repeats: 0, progress });
    if (!r.quick) rows.push(...(await compareModels(data, { models: ['dnn'], sets: sets.filter((s) => s.name === 'ceaet'), family: 'site', protocol: 'paper', seed: r.seed, repeats: 0, progress })));
    const literature = literatureFor(dataFile);
    const centres = [...new Set(folderCentres(data.rows).values())];
    const labels = system.enumeration.cell.labels();
    const litSites = new Set((literature?.rows ?? []).flatMap((x) => Object.keys(x.per_site)));
    const comparison = { protocol: 'paper', sites: labels.filter((s) => centres.includes(s) || litSites.has(s)), literature, rows };
    emit('compare.txt', formatCompare(comparison));
    steps.tick();

    // 4. both families on every protocol, and which features matter
    const evals: EvaluationResult[] = [];
    for (const protocol of ['paper', 'grouped', 'leave-site-out', 'leave-element-out'])
      for (const spec of [siteSpec, transferSpec]) evals.push(await evaluate(data, { protocol, spec, seed: r.seed, repeats: protocol === 'grouped' ? 1 : 0, perSite: false, progress }));
    emit('evaluation.json', JSON.stringify(evals, null, 2));
    sections.push(modelsSection(comparison, evals, labels));
    const why = await explainSiteModel(siteSpec, samples, { seed: r.seed, shapSamples: 12, background: 8 });
    const impSvg = importanceSvg(why.features.slice(0, 15), 'SVR site family: top 15 CE features');
    emit('importance.svg', impSvg);
    sections.push(importanceSection(why, impSvg, literature?.top_features ? `The literature's top ${literature.top_features.length} were ${literature.top_features.join(', ')}.` : undefined));
    steps.tick();

    // 5. training-phase check: out-of-fold predictions against DFT
    const oof = await outOfFold(siteSpec, samples, r.seed);
    const checkRows: PredictionRow[] = samples.map((s, k) => ({
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
    emit(`${training.slug}-dft.csv`, toCsv(['config', 'site_a', 'element_a', 'site_b', 'element_b', 'distance', 'eds'], samples.map((s) => [s.substitution.pair.id, s.substitution.pair.siteA, s.substitution.elementA, s.substitution.pair.siteB, s.substitution.elementB, s.substitution.pair.distance.toFixed(4), s.eds])));
    const checkMaps = heatmapsFromPredictions(checkRows, { dft, swappable: (c) => system.enumeration.pairs[c - 1].swappable });
    emit(`${training.slug}-heatmaps.html`, heatmapPage(checkMaps.map((h) => ({ title: h.title, svg: h.svg })), `${training.name}: out-of-fold predictions vs DFT`));
    steps.tick();

    // 6. train on all of the training data, predict every target substitution
    const saved = await trainModel({ sources: [{ data: dataFile, structure: trainingFile }], model: 'svr', seed: r.seed, families: ['site', 'transfer'], progress });
    saveModel(join(out, 'model.json'), saved);
    files.push('model.json');
    const targetSystem = substitutionSystem(targetFile);
    const family = 'transfer';
    const targetRows = predictAll(saved.families[family], targetSystem.enumeration, saved.training.elements, saved.training.elements);
    emit(`${target.slug}-predictions.csv`, predictionsCsv(targetRows));
    const top = stabilising(targetRows.filter((x) => x.kind === 'pair')).slice(0, 20);
    const targetMaps = heatmapsFromPredictions(targetRows, { swappable: (c) => targetSystem.enumeration.pairs[c - 1].swappable });
    emit(`${target.slug}-heatmaps.html`, heatmapPage(targetMaps.map((h) => ({ title: h.title, svg: h.svg })), `${target.name}: predicted substitution energies (${family} family, trained on ${training.name})`));
    steps.tick();

    // 7. viewers
    const note = `Energies are model predictions (SVR ${family} family trained on ${training.name} DFT), not DFT.`;
    emit(`viewer-${target.slug}.html`, viewerHtml(buildViewerData(target.structure, { title: `${target.name} (${target.report.spacegroup.symbol})`, predictions: targetRows, heatmaps: targetMaps.map((h) => ({ config: h.config, title: h.title, svg: h.svg })), notes: note })));
    emit(`viewer-${training.slug}.html`, viewerHtml(buildViewerData(training.structure, { title: `${training.name} (${training.report.spacegroup.symbol})` })));
    steps.tick();

    // 8. target trends and the report
    const hosts = new Map(targetSystem.structure.sites.map((x) => [x.label, x.element]));
    const singles = siteSingles(targetRows, hosts);
    const hostElements = new Set(hosts.values());
    const dopants = saved.training.elements.filter((e) => !hostElements.has(e));
    sections.push(
      targetSection({
        name: target.name,
        slug: target.slug,
        note,
        family,
        elements: dopants,
        singles: targetSystem.structure.labels().map((site) => ({ site, values: dopants.map((e) => singles.get(`${site}:${e}`)) })),
        top,
        heatmaps: targetMaps.map((h) => h.svg),
      }),
    );
    sections.push(checkSection({ name: training.name, slug: training.slug, mae: oof.mae, r: oof.r, heatmaps: checkMaps.slice(0, 4).map((h) => h.svg) }));
    emit(
      'report.html',
      reportHtml(
        `cescreen: ${training.name} → ${target.name} substitution screening`,
        `<p class="note">DFT numbers: the ${training.name} data set (${dataFile.replace(root, '')}) only. Every ${target.name} energy and every heatmap value is a <b>prediction</b>. Seed ${r.seed}.</p>`,
        sections,
      ),
    );
    steps.tick();
    return {
      training: training.name,
      target: target.name,
      evaluation: evals.map((e) => ({ family: e.family, protocol: e.protocol, mae_meV: +fixed(e.test.mae * 1000, 1) })),
      top_features: why.properties.slice(0, 5).map((p) => p.feature),
      top_target_pairs: top.slice(0, 10).map((x) => `${x.element_a}@${x.site_a}+${x.element_b}@${x.site_b} (c${x.config}) ${fixed(x.eds_pred, 3)} eV`),
      training_out_of_fold_mae_meV: +fixed(oof.mae * 1000, 1),
      phase: targetSystem.structure.formula(),
      files,
    };
  } finally {
    steps.done();
  }
}
