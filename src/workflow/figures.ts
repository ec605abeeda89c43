/** The figure commands' work: the viewer page of a structure, and heatmap files of a predictions table. */
import { join } from 'node:path';
import { readStructureDetailed } from '../structure/io.ts';
import { parseSupercellSpec } from '../structure/supercell.ts';
import { checkSameConfigurations, readEnergyCsv, readPredictionsCsv, type PredictionRow } from '../predict/table.ts';
import { colorBarScaleText, heatmapPage } from '../figures/heatmap.ts';
import { heatmapsFromPredictions, type HeatmapFigure } from '../figures/siteHeatmaps.ts';
import { viewerHtml } from '../figures/viewer.ts';
import { buildViewerData } from '../figures/viewerData.ts';
import { phaseTitle } from '../figures/reproduceReport.ts';
import { fixed } from '../figures/text.ts';
import { writeFileAtomic } from '../util/atomicWrite.ts';
import { STABILISING_PROBABILITY } from '../util/normal.ts';

function unseenNote(rows: readonly PredictionRow[]): string {
  const seen = new Set(rows.filter((r) => !r.unseen).flatMap((r) => [r.element_a, r.element_b]));
  const unseen = [...new Set(rows.filter((r) => r.unseen).flatMap((r) => [r.element_a, r.element_b]))].filter((e) => !seen.has(e));
  return unseen.length ? ` Elements never in the training data (extrapolated): ${unseen.join(', ')}.` : '';
}

/** The self-contained viewer page of a structure, with predictions and reference energies when given. */
export function viewerPage(o: { cif: string; block?: string; supercell?: string; maxDistance: number; predictions?: string; data?: string; title?: string }) {
  const { structure, warnings } = readStructureDetailed(o.cif, { block: o.block });
  const table = o.predictions ? readPredictionsCsv(o.predictions) : undefined;
  const reference = o.data ? readEnergyCsv(o.data) : undefined;
  const rows = table?.rows;
  const notes = [rows ? `E_DS values marked "predicted" are model predictions (${o.predictions}), not DFT.${unseenNote(rows)}` : '', reference ? `Values marked "DFT" are reference energies from ${o.data}.` : ''].filter(Boolean).join(' ');
  const data = buildViewerData(structure, {
    title: o.title ?? `${phaseTitle(structure.title, structure.formula())}${o.supercell ? ` ${o.supercell}` : ''}`,
    supercell: o.supercell ? parseSupercellSpec(o.supercell) : undefined,
    maxDistance: o.maxDistance,
    predictions: rows,
    predictionsSource: table,
    reference: reference?.rows,
    referenceSource: reference,
    notes: notes || undefined,
  });
  return { html: viewerHtml(data), warnings, summary: { atoms: data.atoms.length, environments: data.environments.length, pairs: data.pairs?.length ?? 0, predictions: rows?.length ?? 0, reference: reference?.rows.length ?? 0 } };
}

/** Site labels become part of file names: keep them portable. */
function fileSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]+/g, '_');
}

function caption(h: HeatmapFigure): string {
  const parts = [
    `Rows: X on ${h.siteA}; columns: Y on ${h.siteB}; elements by increasing metallic radius; the host rows/columns are single substitutions; outlined cells are stabilising (P(E_DS < 0) ≥ ${STABILISING_PROBABILITY} where the predictions carry a distribution, else E_DS < 0).`,
    `Every map on this page shares one ${colorBarScaleText(h.scale)}.`,
  ];
  if (h.mae) parts.push(h.mae.n ? `MAE (pred − DFT) ${fixed(h.mae.mae, 3)} eV over ${h.mae.n} cells.` : 'No cell has both a prediction and a DFT value.');
  if (h.unseen.length) parts.push(`Never in the training data: ${h.unseen.join(', ')}.`);
  return parts.join(' ');
}

/** One SVG per drawn configuration and an index.html, into `out`. */
export function heatmapFiles(o: { predictions: string; data?: string; config?: number[]; out: string }) {
  const rows = readPredictionsCsv(o.predictions).rows;
  const reference = o.data ? readEnergyCsv(o.data) : undefined;
  if (reference) checkSameConfigurations(reference, rows);
  const dft = reference?.rows;
  const maps = heatmapsFromPredictions(rows, { dft, config: o.config });
  const written = maps.map((h) => {
    const name = `heatmap-${fileSafe(h.siteA)}-${fileSafe(h.siteB)}-c${h.config}.svg`;
    writeFileAtomic(join(o.out, name), h.svg);
    return { config: h.config, site_a: h.siteA, site_b: h.siteB, distance: h.distance, file: name, elements: h.elements.length, ...(h.mae ? { mae: h.mae.mae, n: h.mae.n } : {}) };
  });
  writeFileAtomic(join(o.out, 'index.html'), heatmapPage(maps.map((h) => ({ title: h.title, svg: h.svg, caption: caption(h) })), `cescreen — E_DS ${dft ? 'predicted vs DFT' : 'predictions'} (${o.predictions})`));
  return { dir: o.out, index: 'index.html', maps: written, compared: !!dft };
}
