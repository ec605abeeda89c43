/**
 * The sections of the main job's report, rendered from its typed results.
 * Nothing here names a phase or a site: titles, sites and hosts come from the
 * structures and the data.
 */
import type { AtomicEnvironment } from '../environment/aet.ts';
import type { StructureReport } from '../structure/describe.ts';
import type { EvaluationResult } from '../model/evaluate.ts';
import type { Comparison } from '../model/compare.ts';
import type { Explanation } from '../model/explain.ts';
import type { PredictionRow } from '../predict/table.ts';
import { htmlTable, type ReportSection } from './report.ts';
import { esc } from './svg.ts';
import { fixed, formatCompare } from './text.ts';

const meV = (x: number) => fixed(x * 1000, 1);

/** How a phase is called in titles: `alpha-Nb5Si3` → `α-Nb5Si3` (Greek phase prefixes only). */
export function phaseDisplayName(slug: string): string {
  const greek: Record<string, string> = { alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', epsilon: 'ε', sigma: 'σ', theta: 'θ', mu: 'μ', eta: 'η' };
  return slug.replace(/^([a-z]+)-/, (m, g: string) => (greek[g] ? `${greek[g]}-` : m));
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
        ['site', 'Wyckoff', 'x y z', 'AET CN', 'gap', 'volume Å³', 'topological code', 'nearest ideal polyhedron (S)', 'shell'],
        environments.map((e) => {
          const r = report.sites.find((s) => s.site === e.site)!;
          const counts = e.shell.reduce<Record<string, number>>((m, s) => ((m[s.element] = (m[s.element] ?? 0) + 1), m), {});
          const shell = Object.entries(counts).map(([el, n]) => `${n} ${el}`).join(' + ');
          return [e.site, e.wyckoff, r.frac.map((x) => fixed(x, 4)).join(' '), e.cn, fixed(e.gap, 3), fixed(e.volume, 2), e.code, e.ideal ? `${e.ideal.name} (${fixed(e.ideal.deviation, 2)})` : '—', shell];
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
  rows: number;
  dropped: number;
  configurations: number;
  maxDistance: number;
  cellAtoms: number;
  samples: number;
  siteFeatures: number;
  properties: string[];
  singleProperties: number;
}): ReportSection {
  return {
    id: 'features',
    title: 'DFT data and CE features',
    html:
      `<p>${o.rows + o.dropped} DFT rows of ${esc(o.training)} (${esc(o.dataFile)}) match the ${o.configurations} site-pair configurations of the ${o.cellAtoms}-atom cell (pairs ≤ ${o.maxDistance} Å). ` +
      `${o.dropped} rows are set aside (the pristine cell, zero by construction, and transposed entries carrying the pristine energy); the rest collapse to ${o.samples} physically distinct substitutions.</p>` +
      `<p>Site family: ${o.siteFeatures} features per substitution (properties ${o.properties.join(', ')}; centre and r<sup>−1</sup>-weighted AET-shell means of both sites, shell geometry, pair distance). ` +
      `Transfer family: host-relative single-site vectors (${o.singleProperties} properties × centre, host, shell geometry) and an interaction model on host-relative shell sums.</p>`,
  };
}

export function modelsSection(comparison: Comparison, evals: EvaluationResult[], heldOut: string[]): ReportSection {
  return {
    id: 'models',
    title: 'Models: the literature table and honest protocols',
    html:
      `<p>Test MAE in meV per cell on the <code>${esc(comparison.protocol)}</code> protocol (random 8:2 split of the rows, as published), per centre site (a separate model per site, as in the paper) and over all sites:</p><pre>${esc(formatCompare(comparison))}</pre>` +
      htmlTable(
        ['family', 'protocol', 'MAE meV', 'RMSE meV', 'R²', 'F1 (E < 0)', ...heldOut.map((s) => `held-out ${s}`)],
        evals.map((r) => [r.family, r.protocol, meV(r.test.mae), meV(r.test.rmse), fixed(r.test.r2, 3), fixed(r.test.f1, 2), ...heldOut.map((s) => (r.per_site[s] ? meV(r.per_site[s].mae) : ''))]),
        'SVR, both families. paper: random 8:2 split of the rows; grouped: duplicates collapsed, split by substitution; leave-site-out: every substitution touching the site held out (the proxy for a new phase); leave-element-out: pooled over the held-out elements.',
      ),
  };
}

export function importanceSection(why: Explanation, svg: string, literatureTop?: string): ReportSection {
  return {
    id: 'importance',
    title: 'Which features matter',
    html:
      `<p>Permutation importance on a held-out grouped split (rise of the test MAE when one feature is shuffled), coloured by the KernelSHAP sign of effect. ` +
      `Summed over both sites: ${esc(why.properties.slice(0, 6).map((p) => `${p.feature} (${meV(p.importance)} meV)`).join(', '))}.${literatureTop ? ` ${esc(literatureTop)}` : ''}</p>` +
      `<div class="fig">${svg}</div>`,
  };
}

export function targetSection(o: {
  name: string;
  slug: string;
  note: string;
  family: string;
  elements: string[];
  /** Mean predicted single-substitution energy per [site][element]. */
  singles: { site: string; values: (number | undefined)[] }[];
  top: PredictionRow[];
  heatmaps: string[];
}): ReportSection {
  return {
    id: 'target',
    title: `${o.name} screening (predictions)`,
    html:
      `<p class="note">${esc(o.note)} The ${esc(o.family)} family is used: it names no site and keeps the pristine cell at exactly zero.</p>` +
      htmlTable(['site', ...o.elements], o.singles.map((r) => [r.site, ...r.values.map((v) => (v === undefined ? '' : fixed(v, 2)))]), `Predicted single-substitution energy (eV per cell, mean over the pair geometries) of each element on each ${o.name} site`) +
      htmlTable(['config', 'X@site a', 'Y@site b', 'd (Å)', 'E_DS (eV)'], o.top.map((r) => [r.config, `${r.element_a}@${r.site_a}`, `${r.element_b}@${r.site_b}`, fixed(r.distance, 3), fixed(r.eds_pred, 3)]), `The ${o.top.length} most stabilising ${o.name} double substitutions (predicted)`) +
      `<p><a href="${o.slug}-heatmaps.html">${esc(o.name)} heatmaps</a> · <a href="viewer-${o.slug}.html">${esc(o.name)} viewer with predictions</a> · <a href="${o.slug}-predictions.csv">all ${esc(o.name)} predictions (CSV)</a></p>` +
      o.heatmaps.map((svg) => `<div class="fig">${svg}</div>`).join('\n'),
  };
}

export function checkSection(o: { name: string; slug: string; mae: number; r: number; heatmaps: string[] }): ReportSection {
  return {
    id: 'training-check',
    title: `${o.name} check: out-of-fold predictions vs DFT`,
    html:
      `<p>Site-family SVR, grouped 5-fold: every DFT value is predicted by a model that never saw that substitution. MAE ${meV(o.mae)} meV, Pearson r ${fixed(o.r, 3)}. Left: prediction, middle: DFT, right: difference.</p>` +
      `<p><a href="${o.slug}-heatmaps.html">all ${esc(o.name)} maps</a> · <a href="viewer-${o.slug}.html">${esc(o.name)} viewer</a> · <a href="${o.slug}-dft.csv">DFT table mapped to pair ids</a></p>` +
      o.heatmaps.map((svg) => `<div class="fig">${svg}</div>`).join('\n'),
  };
}
