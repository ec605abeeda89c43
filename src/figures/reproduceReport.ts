/**
 * The sections of the main job's report, rendered from its typed results.
 * Nothing here names a phase or a site: titles, sites and hosts come from the
 * structures and the data.
 */
import type { AtomicEnvironment } from '../environment/aet.ts';
import type { StructureReport } from '../structure/describe.ts';
import type { EvaluationResult, ShotPoint } from '../model/evaluation/evaluate.ts';
import type { Comparison } from '../model/evaluation/compare.ts';
import type { Explanation } from '../model/evaluation/explain.ts';
import type { PredictionRow } from '../predict/table.ts';
import { htmlTable, predictionTable, type HtmlCell, type ReportSection } from './report.ts';
import { esc } from './svg.ts';
import { fixed } from './text.ts';
import { codeHtml, formatNumber, GREEK_LETTERS, intervalText, substitutionText } from './pageScripts/shared.js';
import { importanceText } from './importancePlot.ts';
import { heatmapGrid } from './heatmap.ts';
import { stabilisingProbability, type HeatmapFigure } from './siteHeatmaps.ts';
import { shotsSvg } from './shotsPlot.ts';
import { STABILISING_PROBABILITY, Z90 } from '../util/normal.ts';

const meV = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '' : fixed(x * 1000, 0));
const pct = (x: number | undefined) => (x === undefined ? '' : `${fixed(100 * x, 0)} %`);

/** How a phase is called in titles: `alpha-Nb5Si3` → `α-Nb5Si3` (Greek phase prefixes only). */
export function phaseDisplayName(slug: string): string {
  return slug.replace(/^([a-z]+)-/, (m, g: string) => (GREEK_LETTERS[g] ? `${GREEK_LETTERS[g]}-` : m));
}

/**
 * A phase's title: its name where the name spells the formula (beta-Nb5Si3 → β-Nb5Si3), else the
 * formula with the name beside it — a COD file's block is its id: "ClNa (1000041)", not "1000041".
 */
export function phaseTitle(name: string, formula: string): string {
  if (!name || name === formula) return formula;
  return name.includes(formula) ? phaseDisplayName(name) : `${formula} (${name})`;
}

export interface PhaseSummary {
  /** File-name stem (`alpha-Nb5Si3`) and display name (`α-Nb5Si3`). */
  slug: string;
  name: string;
  report: StructureReport;
  environments: (AtomicEnvironment & { wyckoff: string })[];
  nnhSvg: string;
}

export function structuresSection(phases: PhaseSummary[]): ReportSection {
  const html = phases.map(({ name, report, environments, nnhSvg }) => {
    const l = report.lattice;
    return (
      `<h3>${esc(name)}: ${esc(report.formula)}, ${esc(report.spacegroup.symbol)} (No. ${report.spacegroup.number}), a = ${fixed(l.a)} Å, b = ${fixed(l.b)} Å, c = ${fixed(l.c)} Å</h3>` +
      htmlTable(
        ['site', 'Wyckoff', 'x y z', 'AET CN', 'rule', 'gap', 'volume Å³', 'topological code', 'nearest ideal polyhedron (S)', 'shell'],
        environments.map((e) => {
          const r = report.sites.find((s) => s.site === e.site)!;
          const counts = e.shell.reduce<Record<string, number>>((m, s) => ((m[s.element] = (m[s.element] ?? 0) + 1), m), {});
          const shell = Object.entries(counts).map(([el, n]) => `${n} ${el}`).join(' + ');
          return [e.site, e.wyckoff, r.frac.map((x) => fixed(x, 4)).join(' '), e.cn, e.rule, fixed(e.gap, 3), fixed(e.volume, 2), { html: codeHtml(e.code) }, e.ideal ? `${e.ideal.name} (${fixed(e.ideal.deviation, 2)})` : '—', shell];
        }),
      ) +
      `<div class="fig">${nnhSvg}</div>`
    );
  });
  return { id: 'structures', title: 'Structures, NNH and AET', html: html.join('\n') };
}

export function dataSection(o: {
  training: string;
  dataFile: string;
  calculations: EvaluationResult['calculations'];
  dropped: number;
  configurations: number;
  maxDistance: number;
  cellAtoms: number;
}): ReportSection {
  const c = o.calculations;
  return {
    id: 'data',
    title: 'DFT data',
    html:
      `<p>${c.rows + o.dropped} DFT rows of ${esc(o.training)} (${esc(o.dataFile)}) match the ${o.configurations} site-pair configurations of the ${o.cellAtoms}-atom cell (pairs ≤ ${o.maxDistance} Å). ` +
      `${o.dropped} rows are set aside (the pristine cell, zero by construction, and entries carrying the pristine energy). ` +
      `The other ${c.rows} rows are <b>${c.calculations} physical calculations</b>: a single substitution is one calculation in every pair that lists it, and repeated rows are merged by their median. ` +
      `${c.inconsistent} calculations disagree with themselves by more than 0.1 eV (up to ${fixed(c.largestSpread, 2)} eV): the floor any model meets.</p>`,
  };
}

/**
 * Test MAE (meV) of every model the evaluation holds, its 90 % coverage and width, and the
 * baselines on the same splits, for each protocol; then every model per held-out site and per
 * held-out element, and the literature's table. Families and baselines come from the results.
 */
export function modelsSection(comparison: Comparison, evals: EvaluationResult[]): ReportSection {
  const baselineNames = [...new Set(evals.flatMap((e) => Object.keys(e.baselines)))];
  return {
    id: 'models',
    title: 'Models on honest protocols, beside baselines',
    html:
      `<p>Test MAE in meV per cell. <b>grouped</b>: one physical calculation is one group, 20 % of the calculations held out; <b>leave-site-out</b>: every calculation substituting site S held out, for each S, pooled (the proxy for a new phase); ` +
      `<b>leave-element-out</b>: likewise for each element; <b>paper</b>: the literature's random split of the rows — <b>leaky</b> (one calculation sits in train and test), shown for comparison only. ` +
      `Every model is fitted on the same splits as the baselines; coverage is the share of DFT values inside the model's 90 % intervals (with their mean width in eV).</p>` +
      htmlTable(
        ['family', 'protocol', 'MAE', 'RMSE', 'R²', '90 % coverage', 'width (eV)', ...baselineNames],
        evals.map((r) => [r.family, r.leaky ? `${r.protocol} (leaky)` : r.protocol, meV(r.test.mae), meV(r.test.rmse), fixed(r.test.r2, 3), pct(r.test.coverage), r.test.width === undefined ? '' : fixed(r.test.width, 2), ...baselineNames.map((b) => meV(r.baselines[b]?.mae))]),
        'Test MAE (meV per cell); baselines: training mean, additive least squares e(X@a) + e(Y@b), additive + ridge pair terms, the literature CEAET-SVR with scikit-learn defaults, and on the leaky protocol a lookup of a duplicate row.',
      ) +
      heldOutTable(evals, 'per_site', 'Per held-out site (columns)') +
      heldOutTable(evals, 'per_element', 'Per held-out element (columns)') +
      compareTable(comparison),
  };
}

/** Every model evaluated with a per-site (per-element) breakdown: MAE and, where it gives intervals, their coverage and mean width. */
function heldOutTable(evals: EvaluationResult[], key: 'per_site' | 'per_element', what: string): string {
  const rows = evals.filter((e) => Object.keys(e[key]).length);
  const groups = [...new Set(rows.flatMap((e) => Object.keys(e[key])))];
  if (!groups.length) return '';
  const protocols = new Set(rows.map((e) => e.protocol)).size > 1;
  const cell = (s: EvaluationResult['per_site'][string] | undefined) =>
    s ? { html: `${meV(s.mae)}${s.coverage !== undefined ? `<br/><small>${pct(s.coverage)} in ${fixed(s.width!, 2)} eV</small>` : ''}` } : '';
  return htmlTable(
    ['family', ...(protocols ? ['protocol'] : []), ...groups],
    rows.map((e) => [e.family, ...(protocols ? [e.protocol] : []), ...groups.map((g) => cell(e[key][g]))]),
    `${what}: test MAE (meV) of every model evaluated that way and, for models with 90 % intervals, the share of DFT values they cover and their mean width`,
  );
}

/** Exponents as superscripts with a true minus and vulgar fractions: "CEAET r^-1/2" → CEAET r<sup>−½</sup>. */
export function notationHtml(s: string): string {
  const fractions: Record<string, string> = { '1/2': '½', '1/3': '⅓', '1/4': '¼', '3/2': '3⁄2' };
  return esc(s).replace(/\^(-?)(\d+(?:\/\d+)?)/g, (_, minus: string, n: string) => `<sup>${minus ? '−' : ''}${fractions[n] ?? n}</sup>`);
}

/** The literature's table with ours beside it, on the literature's (leaky) protocol, as an HTML table. */
function compareTable(c: Comparison): string {
  const cell = (x: number | null | undefined) => (x === null || x === undefined ? '—' : fixed(x, 1));
  const lit = c.literature;
  const row = (model: string, features: string, r: { per_site: Record<string, number | null>; all: number | null }) => [model, { html: notationHtml(features), text: true }, ...c.sites.map((s) => cell(r.per_site[s])), cell(r.all)];
  return htmlTable(
    ['model', 'features', ...c.sites, 'all sites'],
    [...(lit?.rows ?? []).map((a) => row(`${a.model}`, a.features, a)), ...c.rows.map((r) => row(`${r.model} (${r.family})`, r.features, r))],
    `The literature's comparison: test MAE (meV per cell) on its ${c.protocol} protocol — leaky, per-site models${lit ? `; the literature's rows as published (${lit.source})` : ''}`,
  );
}

export function shotsSection(shots: ShotPoint[], o: { name: string }): ReportSection {
  const sites = [...new Set(shots.flatMap((s) => Object.keys(s.per_tag)))];
  const perSite = (p: ShotPoint['per_tag'][string] | undefined) =>
    p ? `${meV(p.mae)}${p.draws > 1 && p.sd > 0 ? ` ${intervalText((p.mae - Z90 * p.sd) * 1000, (p.mae + Z90 * p.sd) * 1000, 0)}` : ''}` : '';
  return {
    id: 'shots',
    title: 'A new site, and what a few calculations teach',
    html:
      `<p>Leave-site-out with k calculations of the held-out site added to training (models with a posterior are conditioned on them, keeping their hyper-parameters), chosen by the model's suggestions ` +
      `(<code>cescreen suggest</code>) or at random (mean over draws, and the 90 % range of one draw, mean ± ${fixed(Z90, 3)} sd); test MAE (meV) on the rest of that site. This is the proxy for ${esc(o.name)}, which has no DFT data here.</p>` +
      `<div class="fig">${shotsSvg(shots)}</div>` +
      htmlTable(['k', 'chosen by', 'mean over sites', ...sites], shots.map((s) => [s.k, s.strategy, meV(s.mae), ...sites.map((t) => perSite(s.per_tag[t]))])),
  };
}

export function importanceSection(why: Explanation, svg: string, literatureTop?: string): ReportSection {
  return {
    id: 'importance',
    title: 'Which features matter',
    html:
      `<p>Permutation importance on a held-out grouped split (rise of the test MAE when one feature is shuffled), coloured by the KernelSHAP sign of effect, for the site-family SVR on CE vectors. ` +
      `Summed over both sites: ${esc(importanceText(why.features, 'property'))}.${literatureTop ? ` ${esc(literatureTop)}` : ''}</p>` +
      `<div class="fig">${svg}</div>`,
  };
}

/** A value with its 90 % interval, the interval on a second, smaller line (table cells). */
function valueWithInterval(v: { mean: number; lo?: number; hi?: number }): HtmlCell {
  return { html: `${esc(formatNumber(v.mean, 2))}${v.lo !== undefined && v.hi !== undefined ? `<br/><small>${esc(intervalText(v.lo, v.hi))}</small>` : ''}` };
}

export function targetSection(o: {
  name: string;
  slug: string;
  note: string;
  family: string;
  elements: string[];
  /** Predicted single-substitution energy per [site][element] with its 90 % interval. */
  singles: { site: string; values: ({ mean: number; lo?: number; hi?: number } | undefined)[] }[];
  rows: PredictionRow[];
  hosts: Record<string, string>;
  /** The stabilising double substitutions, most negative first (stabilisingRows). */
  top: PredictionRow[];
  /** Whether `top` is the stabilising set, or (none being stabilising) the most likely pairs. */
  topStabilising: boolean;
  /** The maps of the report (one per pair of sites, one colour scale, no bars of their own) and why others are not drawn. */
  maps: HeatmapFigure[];
  notDrawn: string;
  domainThreshold?: number;
}): ReportSection {
  const ends = (r: PredictionRow) => substitutionText(r.element_a, r.site_a, r.element_b, r.site_b, o.hosts[r.site_a], o.hosts[r.site_b]);
  const out = o.rows.filter((r) => r.out_of_domain).length;
  const straddle = o.rows.filter((r) => r.eds_lo !== undefined && r.eds_lo < 0 && r.eds_hi! > 0).length;
  return {
    id: 'target',
    title: `${o.name} screening (predictions)`,
    html:
      `<p class="note">${esc(o.note)} The ${esc(o.family)} family is used: it names no site, keeps the pristine cell at exactly zero, and gives every prediction a 90 % interval. ` +
      `${out} of ${o.rows.length} predictions involve a site outside the applicability domain${o.domainThreshold !== undefined ? ` (environment farther from every training site than ${fixed(o.domainThreshold, 2)}, the largest distance leave-site-out has tested)` : ''}; ` +
      `${straddle} intervals straddle 0, so their sign is not known. "Stabilising" means P(E<sub>DS</sub> &lt; 0) ≥ ${STABILISING_PROBABILITY} under the predictive distribution.</p>` +
      htmlTable(
        ['site', ...o.elements],
        o.singles.map((r) => [r.site, ...r.values.map((v) => (v === undefined ? '' : valueWithInterval(v)))]),
        `Predicted single-substitution energy (eV per cell) of each element on each ${o.name} site, with its 90 % interval`,
      ) +
      htmlTable(
        ['config', 'substitution', 'd (Å)', 'E_DS (eV)', '90 % interval (eV)', 'P(E_DS < 0)', 'domain'],
        o.top.map((r) => [r.config, ends(r), fixed(r.distance, 3), formatNumber(r.eds_pred, 3), r.eds_lo === undefined ? '' : intervalText(r.eds_lo, r.eds_hi!), formatNumber(stabilisingProbability(r), 2), r.out_of_domain ? 'outside' : 'inside']),
        o.topStabilising
          ? `The ${o.top.length} stabilising ${o.name} double substitutions (predicted; P(E_DS < 0) ≥ ${STABILISING_PROBABILITY}), most negative first`
          : `No ${o.name} double substitution is stabilising at P(E_DS < 0) ≥ ${STABILISING_PROBABILITY}: the ${o.top.length} most likely`,
      ) +
      (o.maps.length ? heatmapGrid(o.maps.map((h) => h.svg), o.maps[0].scale, { note: o.notDrawn, id: 'target-maps' }) : '') +
      `<p><a href="${o.slug}-heatmaps.html">every ${esc(o.name)} map</a> · <a href="viewer-${o.slug}.html">${esc(o.name)} viewer with predictions</a> · <a href="${o.slug}-predictions.csv">all ${esc(o.name)} predictions (CSV)</a></p>` +
      predictionTable(o.rows, { id: 'target-predictions', caption: `Every ${o.name} prediction: sort, filter (e.g. E_DS "<0"), export`, hosts: o.hosts, pageSize: 15 }),
  };
}

export function checkSection(o: { name: string; slug: string; family: string; mae: number; r: number; coverage?: number; maps: HeatmapFigure[] }): ReportSection {
  const diffs = o.maps.filter((h) => h.difference);
  return {
    id: 'training-check',
    title: `${o.name} check: held-out predictions vs DFT`,
    html:
      `<p>${esc(o.family)} family, grouped 5-fold: every DFT value is predicted by a model that never saw that calculation. MAE ${meV(o.mae)} meV, Pearson r ${fixed(o.r, 3)}${o.coverage !== undefined ? `, 90 % intervals cover ${pct(o.coverage)}` : ''}. ` +
      `The maps show predicted − DFT for each pair of sites at its shortest distance (blue: predicted below DFT); predicted and DFT side by side, for every configuration, are on the maps page.</p>` +
      `<p><a href="${o.slug}-heatmaps.html">every ${esc(o.name)} map: predicted | DFT | difference</a> · <a href="viewer-${o.slug}.html">${esc(o.name)} viewer with DFT values</a> · <a href="${o.slug}-dft.csv">DFT table mapped to pair ids</a></p>` +
      (diffs.length ? heatmapGrid(diffs.map((h) => h.difference!.svg), diffs[0].difference!.scale, { label: 'predicted − DFT (eV)', id: 'check-maps' }) : ''),
  };
}
