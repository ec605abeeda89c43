/**
 * The main job, step by step: structure, NNH and AET reports of the training
 * and target phases; honest evaluation of the GP and the SVR families beside the
 * baselines (and the literature's table); the k-shot curve of a new site;
 * training on the training phase; every target calculation predicted with its
 * interval and domain flag; heatmaps; viewers; one report tying it together.
 * Defaults: α-Nb5Si3 DFT data → β-Nb5Si3. Any pair of phases works: sites and
 * hosts come from the files.
 */
import { rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { analyzeSymmetry } from '../structure/symmetry.ts';
import { describeStructure } from '../structure/describe.ts';
import { readStructure } from '../structure/io.ts';
import type { Structure } from '../structure/structure.ts';
import { siteEnvironments, siteHistograms } from '../environment/sites.ts';
import { substitutionSystem, structureForData, trainingData, DEFAULT_DATA, DEFAULT_TARGET } from '../substitution/system.ts';
import { calculationStats, collapseByKey, type Sample } from '../substitution/dataset.ts';
import { FEATURE_SETS } from '../features/sets.ts';
import { DEFAULT_FAMILY, familySpec } from '../model/families/index.ts';
import { evaluate, type EvaluationResult } from '../model/evaluation/evaluate.ts';
import { compareModels } from '../model/evaluation/compare.ts';
import { explainSiteModel } from '../model/evaluation/explain.ts';
import { groupKFold } from '../model/learn/splits.ts';
import { pearson } from '../model/learn/metrics.ts';
import { protocolEntry } from '../model/evaluation/protocols.ts';
import { loadModel, saveModel } from '../predict/modelFile.ts';
import { predictAll } from '../predict/predict.ts';
import { predictionsCsv, type PredictionRow } from '../predict/table.ts';
import { configsNotDrawn, heatmapsFromPredictions, stabilisingProbability, stabilisingRows } from '../figures/siteHeatmaps.ts';
import { COMPACT_CELL, heatmapPage } from '../figures/heatmap.ts';
import type { SitePair } from '../substitution/pairs.ts';
import { nnhSvg } from '../figures/nnhPlot.ts';
import { buildViewerData } from '../figures/viewerData.ts';
import { viewerHtml } from '../figures/viewer.ts';
import { reportHtml, type ReportSection } from '../figures/report.ts';
import { importanceSvg } from '../figures/importancePlot.ts';
import { checkSection, dataSection, importanceSection, modelsSection, phaseTitle, shotsSection, structuresSection, targetSection, type PhaseSummary } from '../figures/reproduceReport.ts';
import { fixed, formatCompare } from '../figures/text.ts';
import { writeFileAtomic } from '../util/atomicWrite.ts';
import { Z90 } from '../util/normal.ts';
import { toCsv } from '../util/csv.ts';
import { SILENT, type Progress } from '../util/progress.ts';
import { literatureFor } from './compare.ts';
import { trainModel } from './train.ts';
import { attentionReportSection } from './attention.ts';

const root = new URL('../../', import.meta.url).pathname;
/** In the output folder while reproduce writes it: an interrupted run leaves it behind. */
export const INCOMPLETE = 'INCOMPLETE.txt';
export { DEFAULT_TARGET };

export interface ReproduceRequest {
  out: string;
  /** Training data (data-set format) and its structure (default: structure.cif beside it). */
  data?: string;
  structure?: string;
  supercell?: string;
  /** The phase to screen. */
  target?: string;
  seed: number;
  /** Fewer models in the literature table, fewer random draws in the k-shot curve. */
  quick?: boolean;
  /** A model file: when it holds an attention model (MHAR), the report shows what it reads together. */
  attentionModel?: string;
  progress?: Progress;
}

export interface ReproduceSummary {
  training: string;
  target: string;
  evaluation: { family: string; protocol: string; mae_meV: number; coverage?: number; width_eV?: number; baselines_meV: Record<string, number> }[];
  shots: { k: number; strategy: string; mae_meV: number }[];
  top_features: string[];
  /** Pairs stabilising at P(E_DS < 0) ≥ STABILISING_PROBABILITY. */
  target_stabilising_pairs: number;
  /** The stabilising pairs, most negative first; when there are none, the most likely. */
  top_target_pairs: string[];
  training_check_family: string;
  training_check_mae_meV: number;
  target_predictions: number;
  target_out_of_domain: number;
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
  const environments = siteEnvironments(structure, sym);
  const nnh = siteHistograms(structure, sym, { cutoff: 8 });
  const slug = phaseSlug(file);
  const report = describeStructure(structure, sym);
  return {
    structure,
    slug,
    name: phaseTitle(slug, report.formula),
    report,
    environments,
    nnhSvg: nnhSvg(nnh.map((h) => ({ site: h.site, dmin: h.dmin, histogram: h.histogram, aet: environments.find((e) => e.site === h.site) }))),
  };
}

/** Predicted single-substitution energy (and its 90 % interval) per (site, element). */
function siteSingles(rows: PredictionRow[], hostOf: Map<string, string>): Map<string, { mean: number; lo?: number; hi?: number }> {
  const out = new Map<string, { mean: number; lo?: number; hi?: number }>();
  for (const r of rows) {
    if (r.kind !== 'single') continue;
    const [site, el] = r.element_a !== hostOf.get(r.site_a) ? [r.site_a, r.element_a] : [r.site_b, r.element_b];
    out.set(`${site}:${el}`, { mean: r.eds_pred, lo: r.eds_lo, hi: r.eds_hi });
  }
  return out;
}

/** The configurations of an enumeration as the maps' note names them. */
const configInfos = (pairs: readonly SitePair[]) => pairs.map((p) => ({ config: p.id, site_a: p.siteA, site_b: p.siteB, distance: p.distance }));

export async function reproduce(r: ReproduceRequest): Promise<ReproduceSummary> {
  const dataFile = r.data ?? DEFAULT_DATA;
  const trainingFile = structureForData(dataFile, r.structure);
  const targetFile = r.target ?? DEFAULT_TARGET;
  const progress = r.progress ?? SILENT;
  // a bad model file is an input error now, not after minutes of work
  if (r.attentionModel) await loadModel(r.attentionModel);
  const files: string[] = [];
  const emit = (name: string, content: string) => {
    writeFileAtomic(join(r.out, name), content);
    files.push(name);
  };
  // an interrupted run must not leave an old report beside its new files: the old one goes first,
  // the new one is written last, and the folder says it is incomplete until then
  writeFileAtomic(join(r.out, INCOMPLETE), `cescreen reproduce is writing this folder (started ${new Date().toISOString()}); while this file is here, the run is under way or was interrupted and the folder is incomplete.\n`);
  rmSync(join(r.out, 'report.html'), { force: true });
  // the 8 steps weighted by their seconds in one run on 2 cores: the evaluation is most of it
  const steps = progress.stage('reproduce', [2, 0.5, 150, 7, 10, 2, 1, 0.5]);
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

    // 2. data
    const { system, data } = trainingData(dataFile, { structure: trainingFile, supercell: r.supercell });
    const samples = collapseByKey(data.rows);
    sections.push(
      dataSection({
        training: training.name,
        dataFile: dataFile.replace(root, ''),
        calculations: calculationStats(data.rows),
        dropped: data.dropped.length,
        configurations: system.enumeration.pairs.length,
        maxDistance: system.maxDistance,
        cellAtoms: system.enumeration.cell.length,
      }),
    );
    steps.tick();

    // 3. honest evaluation: the GP, the SVR families, the baselines; the literature's table
    const seed = r.seed;
    // the default family beside the two regressor families, named: this report shows them side by side
    const mainSpec = familySpec(DEFAULT_FAMILY, undefined, { seed });
    const siteSpec = familySpec('site', 'svr', { seed });
    const transferSpec = familySpec('transfer', 'svr', { seed });
    const sites = new Set(samples.flatMap((s) => [s.substitution.pair.siteA, s.substitution.pair.siteB]));
    const protocols = ['grouped', ...(sites.size > 1 ? ['leave-site-out'] : []), 'leave-element-out', 'paper'];
    const sets = FEATURE_SETS.filter((s) => (r.quick ? ['ceaet'] : ['ceaet', 'ceaet-0.5', 'cenn', 'cc']).includes(s.name));
    const shotsOf = (protocol: string, spec: unknown) => (spec === mainSpec && protocol === 'leave-site-out' ? { shots: [0, 5, 10, 20], draws: r.quick ? 1 : 3 } : {});
    // one sub-step per evaluation and per comparison, weighted by their usual seconds, so the overall ETA moves evenly
    // the leaky protocol is the literature's comparison of regressor families; the GP on every row of it
    // (2804 rows, n × n matrices of 63 MB) would set the run's peak memory for a number the README gives
    const runs = protocols.flatMap((protocol) => (protocol === 'paper' ? [siteSpec, transferSpec] : [mainSpec, siteSpec, transferSpec]).map((spec, k) => ({ protocol, spec, baselines: k === 0 })));
    const weights = [...runs.map(({ protocol, spec }) => (protocol === 'leave-site-out' ? ('shots' in shotsOf(protocol, spec) ? 4 : 2) : protocol === 'leave-element-out' ? 2 : 1)), 1.5 * sets.length, ...(r.quick ? [] : [1.5])];
    const models = progress.stage('models', weights);
    const evals: EvaluationResult[] = [];
    for (const { protocol, spec, baselines } of runs) {
      // the k-shot curve rides on the GP's leave-site-out fits
      evals.push(await evaluate(data, { protocol, spec, seed, repeats: 0, baselines, progress, ...shotsOf(protocol, spec) }));
      models.tick();
    }
    emit('evaluation.json', JSON.stringify(evals, null, 2));
    const rows = await compareModels(data, { models: ['svr'], sets, family: 'site', protocol: 'paper', seed, repeats: 0, progress });
    models.tick();
    if (!r.quick) rows.push(...(await compareModels(data, { models: ['rf'], sets: sets.filter((s) => s.name === 'ceaet'), family: 'site', protocol: 'paper', seed, repeats: 0, progress })));
    models.done();
    const literature = literatureFor(dataFile);
    const labels = system.enumeration.cell.labels();
    const tableSites = new Set([...rows, ...(literature?.rows ?? [])].flatMap((x) => Object.keys(x.per_site)));
    const comparison = { protocol: 'paper', sites: labels.filter((s) => tableSites.has(s)), literature, rows };
    emit('compare.txt', formatCompare(comparison));
    sections.push(modelsSection(comparison, evals));
    const shots = evals.find((e) => e.shots)?.shots ?? [];
    if (shots.length) sections.push(shotsSection(shots, { name: target.name }));
    steps.tick();

    // 4. which features matter (site-family SVR on CE vectors)
    const why = await explainSiteModel(siteSpec, samples, { seed, shapSamples: 12, background: 8 });
    const impSvg = importanceSvg(why.features, 'SVR site family: top 15 CE properties, summed over both sites', { view: 'property', top: 15 });
    emit('importance.svg', impSvg);
    sections.push(importanceSection(why, impSvg, literature?.top_features ? `The literature's top ${literature.top_features.length} were ${literature.top_features.join(', ')}.` : undefined));
    steps.tick();

    // 5. train on all of the training data (GP for predictions, site SVR beside it)
    const saved = await trainModel({ sources: [{ data: dataFile, structure: trainingFile, supercell: r.supercell }], seed, families: [DEFAULT_FAMILY, 'site'], progress });
    saveModel(join(r.out, 'model.json'), saved);
    files.push('model.json');
    const main = saved.families[DEFAULT_FAMILY];

    // training-phase check: held-out predictions of the GP's own fit, grouped 5-fold
    const folds = groupKFold(samples.map((x) => x.key), 5, seed).map((f) => f.test);
    const held = main.heldOut!(folds);
    const y = samples.map((s) => s.eds);
    const checkMae = y.reduce((a, v, i) => a + Math.abs(held.mean[i] - v), 0) / y.length;
    const checkCoverage = y.filter((v, i) => Math.abs(v - held.mean[i]) <= Z90 * held.sd[i]).length / y.length;
    const checkRows: PredictionRow[] = samples.map((s, k) => ({ ...rowOf(s), eds_pred: held.mean[k], eds_sd: held.sd[k] }));
    const dft = samples.map((s) => ({ config: s.substitution.pair.id, element_a: s.substitution.elementA, element_b: s.substitution.elementB, eds: s.eds }));
    emit(`${training.slug}-dft.csv`, toCsv(['config', 'site_a', 'element_a', 'site_b', 'element_b', 'distance', 'eds'], samples.map((s) => [s.substitution.pair.id, s.substitution.pair.siteA, s.substitution.elementA, s.substitution.pair.siteB, s.substitution.elementB, s.substitution.pair.distance.toFixed(4), s.eds])));
    // The maps page: every configuration; the report: each pair of sites at its nearest one, compact, on the page's scales.
    const checkSwappable = (c: number) => system.enumeration.pairs[c - 1].swappable;
    const checkPage = heatmapsFromPredictions(checkRows, { dft, swappable: checkSwappable, config: [...new Set(checkRows.map((x) => x.config))].sort((a, b) => a - b) });
    const checkMaps = heatmapsFromPredictions(checkRows, { dft, swappable: checkSwappable, cell: COMPACT_CELL, colorBar: false, scale: checkPage[0]?.scale, diffScale: checkPage[0]?.difference?.scale });
    emit(`${training.slug}-heatmaps.html`, heatmapPage(checkPage.map((h) => ({ title: h.title, svg: h.svg })), `${training.name}: held-out predictions vs DFT`));
    steps.tick();

    // 6. every target calculation predicted, with its interval and domain flag
    const targetSystem = substitutionSystem(targetFile, { supercell: r.supercell });
    const targetRows = predictAll(main, targetSystem.enumeration, saved.training.elements, saved.training.elements);
    emit(`${target.slug}-predictions.csv`, predictionsCsv(targetRows));
    // the stabilising pairs; when no pair is stabilising at the rule's probability, the most likely ones, said so
    const targetPairs = targetRows.filter((x) => x.kind === 'pair');
    const stabilisingPairs = stabilisingRows(targetPairs);
    const top = stabilisingPairs.length ? stabilisingPairs.slice(0, 20) : [...targetPairs].sort((a, b) => stabilisingProbability(b) - stabilisingProbability(a)).slice(0, 10);
    const targetSwappable = (c: number) => targetSystem.enumeration.pairs[c - 1].swappable;
    const targetPage = heatmapsFromPredictions(targetRows, { swappable: targetSwappable, config: [...new Set(targetRows.map((x) => x.config))].sort((a, b) => a - b) });
    const targetMaps = heatmapsFromPredictions(targetRows, { swappable: targetSwappable, cell: COMPACT_CELL, colorBar: false, scale: targetPage[0]?.scale });
    emit(`${target.slug}-heatmaps.html`, heatmapPage(targetPage.map((h) => ({ title: h.title, svg: h.svg })), `${target.name}: predicted substitution energies (${DEFAULT_FAMILY} family trained on ${training.name})`));
    steps.tick();

    // 7. viewers
    const note = `Energies are predictions of the GP trained on ${training.name} DFT, with 90 % intervals, not DFT.`;
    emit(`viewer-${target.slug}.html`, viewerHtml(buildViewerData(target.structure, { title: `${target.name} (${target.report.spacegroup.symbol})`, predictions: targetRows, notes: note, supercell: r.supercell })));
    emit(`viewer-${training.slug}.html`, viewerHtml(buildViewerData(training.structure, { title: `${training.name} (${training.report.spacegroup.symbol}): DFT`, reference: samples.map((s) => ({ ...rowOf(s), eds: s.eds })), supercell: r.supercell })));
    steps.tick();

    // 8. target trends and the report
    const hosts = Object.fromEntries(targetSystem.structure.hosts());
    const singles = siteSingles(targetRows, new Map(Object.entries(hosts)));
    const hostElements = new Set(Object.values(hosts));
    const dopants = saved.training.elements.filter((e) => !hostElements.has(e));
    sections.push(
      targetSection({
        name: target.name,
        slug: target.slug,
        note,
        family: DEFAULT_FAMILY,
        elements: dopants,
        singles: targetSystem.structure.labels().map((site) => ({ site, values: dopants.map((e) => singles.get(`${site}:${e}`)) })),
        rows: targetRows,
        hosts,
        top,
        topStabilising: stabilisingPairs.length > 0,
        maps: targetMaps,
        notDrawn: configsNotDrawn(configInfos(targetSystem.enumeration.pairs), targetMaps.map((h) => h.config), (c) => targetRows.some((x) => x.config === c)),
        domainThreshold: main.domainThreshold!,
      }),
    );
    sections.push(checkSection({ name: training.name, slug: training.slug, family: DEFAULT_FAMILY, mae: checkMae, r: pearson(y, held.mean), coverage: checkCoverage, maps: checkMaps }));
    const attention = r.attentionModel ? await attentionReportSection(r.attentionModel) : null;
    if (attention) sections.push(attention);
    emit(
      'report.html',
      reportHtml(
        `cescreen: ${training.name} → ${target.name} substitution screening`,
        `<p class="note">DFT numbers: the ${training.name} data set (${dataFile.replace(root, '')}) only. Every ${target.name} energy and every heatmap value of it is a <b>prediction</b>, with a 90 % interval. Seed ${seed}.</p>`,
        sections,
      ),
    );
    rmSync(join(r.out, INCOMPLETE), { force: true });
    steps.tick();
    return {
      training: training.name,
      target: target.name,
      evaluation: evals.map((e) => ({
        family: e.family,
        protocol: protocolEntry(e.protocol).leaky ? `${e.protocol} (leaky)` : e.protocol,
        mae_meV: +fixed(e.test.mae * 1000, 1),
        ...(e.test.coverage !== undefined ? { coverage: +fixed(e.test.coverage, 3), width_eV: +fixed(e.test.width!, 2) } : {}),
        baselines_meV: Object.fromEntries(Object.entries(e.baselines).map(([k, v]) => [k, +fixed(v.mae * 1000, 1)])),
      })),
      shots: shots.map((s) => ({ k: s.k, strategy: s.strategy, mae_meV: +fixed(s.mae * 1000, 1) })),
      top_features: why.properties.slice(0, 5).map((p) => p.feature),
      target_stabilising_pairs: stabilisingPairs.length,
      top_target_pairs: top.slice(0, 10).map((x) => `${x.element_a}@${x.site_a}+${x.element_b}@${x.site_b} (c${x.config}) ${fixed(x.eds_pred, 3)} eV [${fixed(x.eds_lo!, 2)}, ${fixed(x.eds_hi!, 2)}], P(E_DS < 0) ${fixed(stabilisingProbability(x), 2)}`),
      training_check_family: DEFAULT_FAMILY,
      training_check_mae_meV: +fixed(checkMae * 1000, 1),
      target_predictions: targetRows.length,
      target_out_of_domain: targetRows.filter((x) => x.out_of_domain).length,
      files,
    };
  } finally {
    steps.done();
  }
}

/** A sample as a row of the predictions table (its value to be filled). */
function rowOf(s: Sample): Omit<PredictionRow, 'eds_pred'> {
  return { config: s.substitution.pair.id, site_a: s.substitution.pair.siteA, element_a: s.substitution.elementA, site_b: s.substitution.pair.siteB, element_b: s.substitution.elementB, distance: s.substitution.pair.distance, kind: s.kind, unseen: false };
}
