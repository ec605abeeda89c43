/**
 * The sections of the main job's report, rendered from its typed results.
 * Nothing here names a phase or a site: titles, sites and hosts come from the
 * structures and the data.
 */
import type { AtomicEnvironment } from '../environment/aet.ts';
import type { StructureReport } from '../structure/describe.ts';
import type { EvaluationResult, ShotPoint } from '../model/evaluate.ts';
import type { Comparison } from '../model/compare.ts';
import type { Explanation } from '../model/explain.ts';
import type { PredictionRow } from '../predict/table.ts';
import { htmlTable, predictionTable, type ReportSection } from './report.ts';
import { esc } from './svg.ts';
import { fixed, formatCompare } from './text.ts';
import { codeHtml, formatNumber, GREEK_LETTERS, substitutionText } from './pageScripts/shared.js';
import { importanceText } from './importancePlot.ts';

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

/** Test MAE (meV) of the model, its 90 % coverage and width, and the baselines on the same splits, for each protocol. */
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
      perSiteTable(evals.filter((e) => e.protocol === 'leave-site-out')) +
      `<p>The literature's comparison (its own leaky protocol, per-site models):</p><pre>${esc(formatCompare(comparison))}</pre>`,
  };
}

function perSiteTable(evals: EvaluationResult[]): string {
  const sites = [...new Set(evals.flatMap((e) => Object.keys(e.per_site)))];
  if (!sites.length) return '';
  return htmlTable(
    ['family', ...sites.map((s) => `${s} held out`)],
    evals.map((e) => [e.family, ...sites.map((s) => (e.per_site[s] ? `${meV(e.per_site[s].mae)}${e.per_site[s].coverage !== undefined ? ` (${pct(e.per_site[s].coverage)}, ±${fixed(e.per_site[s].width! / 2, 2)} eV)` : ''}` : ''))]),
    'Leave-site-out per held-out site: test MAE (meV) and, for the GP, the coverage and half-width of its 90 % intervals on that site',
  );
}

export function shotsSection(shots: ShotPoint[], o: { name: string }): ReportSection {
  const sites = [...new Set(shots.flatMap((s) => Object.keys(s.per_site)))];
  return {
    id: 'shots',
    title: 'A new site, and what a few calculations teach',
    html:
      `<p>Leave-site-out with k calculations of the held-out site added to training (the GP keeps its hyper-parameters and is conditioned on them), chosen by the model's suggestions ` +
      `(<code>cescreen suggest</code>: greatest drop of the summed predictive variance) or at random (mean ± sd over draws); test MAE (meV) on the rest of that site. This is the proxy for ${esc(o.name)}, which has no DFT data here.</p>` +
      htmlTable(
        ['k', 'chosen by', 'mean over sites', ...sites],
        shots.map((s) => [s.k, s.strategy, meV(s.mae), ...sites.map((t) => (s.per_site[t] ? `${meV(s.per_site[t].mae)}${s.per_site[t].draws > 1 ? ` ± ${meV(s.per_site[t].sd)}` : ''}` : ''))]),
      ),
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

export function targetSection(o: {
  name: string;
  slug: string;
  note: string;
  family: string;
  elements: string[];
  /** Predicted single-substitution energy per [site][element] with its sd. */
  singles: { site: string; values: ({ mean: number; sd?: number } | undefined)[] }[];
  rows: PredictionRow[];
  hosts: Record<string, string>;
  top: PredictionRow[];
  heatmaps: string[];
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
      `${straddle} intervals straddle 0, so their sign is not known.</p>` +
      htmlTable(
        ['site', ...o.elements],
        o.singles.map((r) => [r.site, ...r.values.map((v) => (v === undefined ? '' : `${formatNumber(v.mean, 2)}${v.sd !== undefined ? ` ± ${fixed(v.sd, 2)}` : ''}`))]),
        `Predicted single-substitution energy (eV per cell, ± sd) of each element on each ${o.name} site`,
      ) +
      htmlTable(
        ['config', 'substitution', 'd (Å)', 'E_DS (eV)', '90 % interval (eV)', 'domain'],
        o.top.map((r) => [r.config, ends(r), fixed(r.distance, 3), formatNumber(r.eds_pred, 3), r.eds_lo === undefined ? '' : `${formatNumber(r.eds_lo, 2)} … ${formatNumber(r.eds_hi!, 2)}`, r.out_of_domain ? 'outside' : 'inside']),
        `The ${o.top.length} most stabilising ${o.name} double substitutions (predicted)`,
      ) +
      `<p><a href="${o.slug}-heatmaps.html">${esc(o.name)} heatmaps</a> · <a href="viewer-${o.slug}.html">${esc(o.name)} viewer with predictions</a> · <a href="${o.slug}-predictions.csv">all ${esc(o.name)} predictions (CSV)</a></p>` +
      predictionTable(o.rows, { id: 'target-predictions', caption: `Every ${o.name} prediction: sort, filter (e.g. E_DS "<0"), export`, hosts: o.hosts }) +
      o.heatmaps.map((svg) => `<div class="fig">${svg}</div>`).join('\n'),
  };
}

export function checkSection(o: { name: string; slug: string; family: string; mae: number; r: number; coverage?: number; heatmaps: string[] }): ReportSection {
  return {
    id: 'training-check',
    title: `${o.name} check: held-out predictions vs DFT`,
    html:
      `<p>${esc(o.family)} family, grouped 5-fold: every DFT value is predicted by a model that never saw that calculation. MAE ${meV(o.mae)} meV, Pearson r ${fixed(o.r, 3)}${o.coverage !== undefined ? `, 90 % intervals cover ${pct(o.coverage)}` : ''}. Each map: predicted | DFT above, difference below.</p>` +
      `<p><a href="${o.slug}-heatmaps.html">all ${esc(o.name)} maps</a> · <a href="viewer-${o.slug}.html">${esc(o.name)} viewer with DFT values</a> · <a href="${o.slug}-dft.csv">DFT table mapped to pair ids</a></p>` +
      o.heatmaps.map((svg) => `<div class="fig">${svg}</div>`).join('\n'),
  };
}
