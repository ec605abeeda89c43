import type { Command } from 'commander';
import { reproduce, DEFAULT_TARGET } from '../workflow/reproduce.ts';
import { DEFAULT_DATA } from '../substitution/system.ts';
import { commandProgress } from '../util/progress.ts';
import { fixed, table } from '../figures/text.ts';
import { CHOICES, paramOption } from './options.ts';
import { emit } from './output.ts';

export function registerReproduce(program: Command): void {
  program
    .command('reproduce')
    .description('the main job: structures, models, predictions for a new phase, heatmaps, viewers, report (default: α-Nb5Si3 DFT → β-Nb5Si3)')
    .option('-o, --output <dir>', 'output folder', 'out')
    .option('--data <csv>', 'training DFT data (data-set format)', DEFAULT_DATA)
    .option('--structure <cif>', 'structure of the training data (default: structure.cif beside it)')
    .option('--target <cif>', 'the phase to screen', DEFAULT_TARGET)
    .addOption(paramOption('seed', CHOICES.seed))
    .option('--quick', 'fewer models in the comparison table')
    .option('--json', 'JSON summary')
    .action(async (o: { output: string; data: string; structure?: string; target: string; seed: number; quick?: boolean; json?: boolean }) => {
      const progress = commandProgress(o);
      try {
        const s = await reproduce({ out: o.output, data: o.data, structure: o.structure, target: o.target, seed: o.seed, quick: o.quick, progress });
        progress.stop();
        emit(s, o.json, (x) =>
          `${x.training} → ${x.target}: wrote ${x.files.length} files to ${o.output}/ (open ${o.output}/report.html)\n\n` +
          table(['family', 'protocol', 'test MAE (meV)'], x.evaluation.map((e) => [e.family, e.protocol, fixed(e.mae_meV, 1)])) +
          `\n${x.training} out-of-fold MAE (site family, grouped 5-fold): ${fixed(x.training_out_of_fold_mae_meV, 1)} meV\n` +
          `most important features: ${x.top_features.join(', ')}\n` +
          `most stabilising ${x.target} pairs (predicted):\n${x.top_target_pairs.map((p) => `  ${p}`).join('\n')}\n`,
        );
      } finally {
        progress.stop();
      }
    });
}
