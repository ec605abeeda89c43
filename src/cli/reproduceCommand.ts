import { join } from 'node:path';
import type { Command } from 'commander';
import { reproduce, DEFAULT_TARGET } from '../workflow/reproduce.ts';
import { DEFAULT_DATA } from '../substitution/system.ts';
import { commandProgress } from '../util/progress.ts';
import { STABILISING_PROBABILITY } from '../util/normal.ts';
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
    .option('--supercell <spec>', 'periodic cell of the calculations (training and target)')
    .addOption(paramOption('seed', CHOICES.seed))
    .option('--quick', 'fewer models in the comparison table')
    .option('--attention-model <file>', 'a model file (cescreen train --model mhar): when it holds an MHAR model, the report shows its attention maps')
    .option('--json', 'JSON summary')
    .action(async (o: { output: string; data: string; structure?: string; supercell?: string; target: string; seed: number; quick?: boolean; attentionModel?: string; json?: boolean }) => {
      const progress = commandProgress(o);
      try {
        const s = await reproduce({ out: o.output, data: o.data, structure: o.structure, supercell: o.supercell, target: o.target, seed: o.seed, quick: o.quick, attentionModel: o.attentionModel, progress });
        progress.stop();
        emit(s, o.json, (x) =>
          `${x.training} → ${x.target}: wrote ${x.files.length} files to ${join(o.output, '/')} (open ${join(o.output, 'report.html')})\n\n` +
          table(
            ['family', 'protocol', 'MAE (meV)', '90 % coverage', ...Object.keys(x.evaluation[0]?.baselines_meV ?? {})],
            x.evaluation.map((e) => [e.family, e.protocol, fixed(e.mae_meV, 1), e.coverage === undefined ? '' : `${fixed(100 * e.coverage, 1)} %`, ...Object.keys(x.evaluation[0]?.baselines_meV ?? {}).map((k) => (e.baselines_meV[k] === undefined ? '' : fixed(e.baselines_meV[k], 1)))]),
          ) +
          (x.shots.length ? `\nnew site, k of its calculations added (mean test MAE over held-out sites, meV): ${x.shots.map((p) => `k=${p.k} ${p.strategy} ${fixed(p.mae_meV, 0)}`).join(', ')}\n` : '') +
          `\n${x.training} held-out check (${x.training_check_family}, grouped 5-fold): ${fixed(x.training_check_mae_meV, 1)} meV\n` +
          `most important features: ${x.top_features.join(', ')}\n` +
          `${x.target}: ${x.target_predictions} calculations predicted, ${x.target_out_of_domain} outside the applicability domain; ${x.target_stabilising_pairs ? `${x.target_stabilising_pairs} stabilising pairs (P(E_DS < 0) ≥ ${STABILISING_PROBABILITY}), the most negative` : `no pair stabilising at P(E_DS < 0) ≥ ${STABILISING_PROBABILITY}; the most likely`} (90 % interval):\n${x.top_target_pairs.map((p) => `  ${p}`).join('\n')}\n`,
        );
      } finally {
        progress.stop();
      }
    });
}
