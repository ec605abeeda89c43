import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { colorBarScaleText, heatmapPage } from '../figures/heatmap.ts';
import { checkSameConfigurations, readEnergyCsv, readPredictionsCsv, type PredictionRow } from '../predict/table.ts';
import { heatmapsFromPredictions, type HeatmapFigure } from '../figures/siteHeatmaps.ts';
import { viewerHtml } from '../figures/viewer.ts';
import { buildViewerData } from '../figures/viewerData.ts';
import { readStructure } from '../structure/io.ts';
import { parseSupercellSpec } from '../structure/supercell.ts';
import { InputError } from '../util/errors.ts';
import { emit, listOption, writeOutput } from './output.ts';
import { fixed, table } from '../figures/text.ts';
import { paramOption } from './options.ts';
import { SYSTEM_PARAMS } from '../substitution/params.ts';

const DATA_HELP = `
--data takes reference (DFT) energies in the predictions format with a column
'eds' in place of 'eds_pred' (config,site_a,element_a,site_b,element_b,eds;
distance, kind, unseen optional), config being the enumeration's pair id, as
the evaluate and reproduce commands write it. A raw table such as
structures/alpha-Nb5Si3/eds.csv is not accepted: its config numbers are the
file's own, not the enumeration's.`;

/** Site labels become part of file names: keep them portable. */
function fileSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]+/g, '_');
}

function configList(value: string | undefined): number[] | undefined {
  return listOption(value)?.map((s) => {
    const x = Number(s);
    if (!Number.isInteger(x) || x < 1) throw new InputError(`option --config: '${s}' is not a configuration id (positive integer)`);
    return x;
  });
}

function unseenNote(rows: readonly PredictionRow[]): string {
  const seen = new Set(rows.filter((r) => !r.unseen).flatMap((r) => [r.element_a, r.element_b]));
  const unseen = [...new Set(rows.filter((r) => r.unseen).flatMap((r) => [r.element_a, r.element_b]))].filter((e) => !seen.has(e));
  return unseen.length ? ` Elements never in the training data (extrapolated): ${unseen.join(', ')}.` : '';
}

function caption(h: HeatmapFigure): string {
  const parts = [
    `Rows: X on ${h.siteA}; columns: Y on ${h.siteB}; elements by increasing metallic radius; the host rows/columns are single substitutions; outlined cells are stabilising (E < 0).`,
    `Every map on this page shares one ${colorBarScaleText(h.scale)}.`,
  ];
  if (h.mae) parts.push(h.mae.n ? `MAE (pred − DFT) ${fixed(h.mae.mae, 3)} eV over ${h.mae.n} cells.` : 'No cell has both a prediction and a DFT value.');
  if (h.unseen.length) parts.push(`Never in the training data: ${h.unseen.join(', ')}.`);
  return parts.join(' ');
}

export function registerFigureCommands(program: Command): void {
  program
    .command('view <cif>')
    .description('write the interactive viewer: one self-contained HTML page (3D cell, polyhedra, NNH, pairs, predictions)')
    .requiredOption('-o, --output <file>', 'output HTML file')
    .option('--predictions <csv>', 'predictions table from `cescreen predict` (same --supercell and --max-distance)')
    .option('--data <csv>', 'reference (DFT) energies of this cell\'s pairs, shown beside the predictions (format below)')
    .option('--supercell <spec>', "cell to show and enumerate pairs in, e.g. '1x1x1', '2x2x1'")
    .addOption(paramOption('maxDistance', SYSTEM_PARAMS.maxDistance))
    .option('--title <text>', 'page title (default: the structure title)')
    .option('--block <name>', 'CIF data block')
    .option('--json', 'JSON summary')
    .addHelpText('after', DATA_HELP)
    .action((cif: string, o: { output: string; predictions?: string; data?: string; supercell?: string; maxDistance: number; title?: string; block?: string; json?: boolean }) => {
      const maxDistance = o.maxDistance;
      const structure = readStructure(cif, { block: o.block });
      const supercell = o.supercell ? parseSupercellSpec(o.supercell) : undefined;
      const table = o.predictions ? readPredictionsCsv(o.predictions) : undefined;
      const reference = o.data ? readEnergyCsv(o.data) : undefined;
      const rows = table?.rows;
      const title = o.title ?? (`${structure.title || structure.formula()}${o.supercell ? ` ${o.supercell}` : ''}`);
      const notes = [rows ? `E_DS values marked "predicted" are model predictions (${o.predictions}), not DFT.${unseenNote(rows)}` : '', reference ? `Values marked "DFT" are reference energies from ${o.data}.` : ''].filter(Boolean).join(' ');
      const data = buildViewerData(structure, {
        title,
        supercell,
        maxDistance,
        predictions: rows,
        predictionsSource: table,
        reference: reference?.rows,
        referenceSource: reference,
        notes: notes || undefined,
      });
      writeOutput(o.output, viewerHtml(data));
      const result = { file: o.output, atoms: data.atoms.length, environments: data.environments.length, pairs: data.pairs?.length ?? 0, predictions: rows?.length ?? 0, reference: reference?.rows.length ?? 0 };
      emit(result, o.json, (r) => `wrote ${r.file}: ${r.atoms} atoms, ${r.environments} environments, ${r.pairs} pairs, ${r.predictions} predictions, ${r.reference} reference energies\n`);
    });

  program
    .command('heatmap <predictions>')
    .description('E_DS heatmaps (X on the first site × Y on the second) as SVG files and an index.html')
    .requiredOption('-o, --output <dir>', 'output folder (created if missing)')
    .option('--data <csv>', 'reference energies to compare with: pred | DFT | difference panels (format below)')
    .option('--config <ids>', 'configuration ids to draw, e.g. 1,8 (default: the nearest configuration of each site-type pair)')
    .option('--json', 'JSON summary')
    .addHelpText('after', DATA_HELP)
    .action((file: string, o: { output: string; data?: string; config?: string; json?: boolean }) => {
      const rows = readPredictionsCsv(file).rows;
      const reference = o.data ? readEnergyCsv(o.data) : undefined;
      if (reference) checkSameConfigurations(reference, rows);
      const dft = reference?.rows;
      const maps = heatmapsFromPredictions(rows, { dft, config: configList(o.config) });
      mkdirSync(o.output, { recursive: true });
      const written = maps.map((h) => {
        const name = `heatmap-${fileSafe(h.siteA)}-${fileSafe(h.siteB)}-c${h.config}.svg`;
        writeOutput(join(o.output, name), h.svg);
        return { config: h.config, site_a: h.siteA, site_b: h.siteB, distance: h.distance, file: name, elements: h.elements.length, ...(h.mae ? { mae: h.mae.mae, n: h.mae.n } : {}) };
      });
      const sections = maps.map((h) => ({ title: h.title, svg: h.svg, caption: caption(h) }));
      writeOutput(join(o.output, 'index.html'), heatmapPage(sections, `cescreen — E_DS ${dft ? 'predicted vs DFT' : 'predictions'} (${file})`));
      emit({ dir: o.output, index: 'index.html', maps: written }, o.json, (r) =>
        `wrote ${r.maps.length} heatmap(s) and ${r.index} to ${r.dir}\n` +
        table(
          ['config', 'sites', 'd (Å)', 'file', ...(dft ? ['MAE (eV)', 'n'] : [])],
          r.maps.map((m) => [m.config, `${m.site_a}–${m.site_b}`, fixed(m.distance, 3), m.file, ...(dft ? [m.mae === undefined || !m.n ? '—' : fixed(m.mae, 3), m.n ?? 0] : [])]),
        ),
      );
    });
}
