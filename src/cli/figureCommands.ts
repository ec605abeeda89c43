import type { Command } from 'commander';
import { InputError } from '../util/errors.ts';
import { fixed, table } from '../figures/text.ts';
import { SYSTEM_PARAMS } from '../substitution/params.ts';
import { heatmapFiles, viewerPage } from '../workflow/figures.ts';
import { emit, warn, writeOutput } from './output.ts';
import { paramOption } from './options.ts';

const DATA_HELP = `
--data takes reference (DFT) energies in the predictions format with a column
'eds' in place of 'eds_pred' (config,site_a,element_a,site_b,element_b,eds;
distance, kind, unseen optional), config being the enumeration's pair id, as
the evaluate and reproduce commands write it. A raw table such as
structures/alpha-Nb5Si3/eds.csv is not accepted: its config numbers are the
file's own, not the enumeration's.`;

function configList(value: string | undefined): number[] | undefined {
  return value?.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const x = Number(s);
    if (!Number.isInteger(x) || x < 1) throw new InputError(`option --config: '${s}' is not a configuration id (positive integer)`);
    return x;
  });
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
      const page = viewerPage({ cif, ...o });
      warn(cif, page.warnings);
      writeOutput(o.output, page.html);
      emit({ file: o.output, ...page.summary }, o.json, (r) => `wrote ${r.file}: ${r.atoms} atoms, ${r.environments} environments, ${r.pairs} pairs, ${r.predictions} predictions, ${r.reference} reference energies\n`);
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
      const r = heatmapFiles({ predictions: file, data: o.data, config: configList(o.config), out: o.output });
      emit(r, o.json, (x) =>
        `wrote ${x.maps.length} heatmap(s) and ${x.index} to ${x.dir}\n` +
        table(
          ['config', 'sites', 'd (Å)', 'file', ...(x.compared ? ['MAE (eV)', 'n'] : [])],
          x.maps.map((m) => [m.config, `${m.site_a}–${m.site_b}`, fixed(m.distance, 3), m.file, ...(x.compared ? [m.mae === undefined || !m.n ? '—' : fixed(m.mae, 3), m.n ?? 0] : [])]),
        ),
      );
    });
}
