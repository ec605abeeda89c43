import { Option, type Command } from 'commander';
import { DEFAULT_FAMILY_RULE, saveModel } from '../predict/modelFile.ts';
import { predictionsCsv, type PredictionRow } from '../predict/table.ts';
import { formatNumber, substitutionText } from '../figures/pageScripts/shared.js';
import { REGRESSORS } from '../model/learn/regressors.ts';
import { CAPABILITIES, familiesWith, FAMILIES, modelFamilies, TRAINED_BY_DEFAULT } from '../model/families/index.ts';
import { EVALUATION_PARAMS, PROTOCOLS, type EvaluationParams } from '../model/evaluation/protocols.ts';
import { FEATURE_SETS } from '../features/sets.ts';
import { describeParam, isFitted, pickParams } from '../util/params.ts';
import { importanceSvg } from '../figures/importancePlot.ts';
import { fixed, formatCompare, formatEvaluation, formatScores, table } from '../figures/text.ts';
import { evaluateModel } from '../workflow/evaluate.ts';
import { flagsAcrossModels, trainModel, type SelectionReport } from '../workflow/train.ts';
import { predictPhase } from '../workflow/predict.ts';
import { compareModels, DEFAULT_FEATURE_SETS } from '../workflow/compare.ts';
import { explainModel } from '../workflow/importance.ts';
import { attentionMaps, attentionSection } from '../workflow/attention.ts';
import { reportHtml } from '../figures/report.ts';
import { trainReport } from '../workflow/modelReport.ts';
import { chemicalEnvironmentVectors } from '../workflow/cecv.ts';
import { cecvSvg } from '../figures/cecvPlot.ts';
import { commandProgress } from '../util/progress.ts';
import { InputError } from '../util/errors.ts';
import { addDataOptions, addModelOptions, addParams, CHOICES, POSITIONS, choiceList, DATASET_HELP, dataSources, elementList, modelParameters, numberList, paramOption, sharedHyperParameters } from './options.ts';
import { emit, writeOutput } from './output.ts';
import { SYSTEM_PARAMS } from '../substitution/params.ts';
import { choice, number } from '../util/params.ts';
import type { CeOptions } from '../features/sets.ts';
import type { PositionFrame } from '../substitution/dataset.ts';

/** What every model command parses: data, model choice, output mode. */
export interface ModelFlags {
  data?: string[];
  structure?: string[];
  supercell?: string[];
  maxDistance?: number[];
  model?: string;
  family: string;
  param?: string;
  seed: number;
  features: string;
  env?: CeOptions['env'];
  nn?: number;
  weight?: number;
  aggregate?: CeOptions['aggregate'];
  values?: CeOptions['values'];
  json?: boolean;
}

function choices(o: ModelFlags, families = [o.family]) {
  return {
    sources: dataSources(o),
    model: o.model,
    family: o.family,
    params: modelParameters(families, o.model, o.param),
    seed: o.seed,
    features: o.features,
    ce: { env: o.env, nn: o.nn, weight: o.weight, aggregate: o.aggregate, values: o.values },
  };
}

const modelCommand = (program: Command, name: string, description: string, o: { family?: boolean } = {}) =>
  addModelOptions(addDataOptions(program.command(name).description(description), { several: true }), o).option('--json', 'JSON output').addHelpText('after', DATASET_HELP);

export function registerModelCommands(program: Command): void {
  modelCommand(program, 'evaluate', 'train and test a model on a DFT data set under an honest protocol')
    .addOption(paramOption('protocol', CHOICES.protocol))
    .option('--site <label>', "'all' or one centre site (the data's folder)", 'all')
    .option('--search', "choose the regressor's hyper-parameters from its declared grid (`cescreen models`) by grouped CV inside each training set")
    .option('--shots <list>', 'leave-site-out: numbers k of the held-out site\'s calculations added to training, e.g. 0,5,10,20,40')
    .option('--learning-curve <fractions>', 'hold-out protocols: MAE vs training fraction, e.g. 0.1,0.25,0.5,1')
    .option('--no-baselines', 'skip the baselines (mean, additive, additive + pairs, literature CEAET-SVR)');
  addParams(program.commands.find((c) => c.name() === 'evaluate')!, EVALUATION_PARAMS).action(
    async (o: ModelFlags & EvaluationParams & { protocol: string; site: string; search?: boolean; shots?: string; learningCurve?: string; baselines: boolean }) => {
      const progress = commandProgress(o);
      try {
        const r = await evaluateModel({
          ...choices(o),
          ...pickParams(o, EVALUATION_PARAMS),
          protocol: o.protocol,
          site: o.site,
          search: o.search,
          baselines: o.baselines,
          shots: o.shots === undefined ? undefined : numberList('--shots', o.shots, { integer: true, min: 0 }),
          learningCurve: o.learningCurve === undefined ? undefined : numberList('--learning-curve', o.learningCurve, { min: 0.01, max: 1 }),
          progress,
        });
        progress.stop();
        emit(r, o.json, formatEvaluation);
      } finally {
        progress.stop();
      }
    },
  );

  modelCommand(program, 'train', 'fit on every row of a data set and save the model', { family: false })
    .option('--family <list>', `families to fit into the file: ${modelFamilies().map((f) => f.name).join(', ')}`, TRAINED_BY_DEFAULT.join(','))
    .addOption(new Option('--families <list>', 'the same as --family').hideHelp())
    .option('--select <list>', "also keep each listed family with a regressor (site, transfer; site when none) tuned for best CV R² and/or F1 of \"stabilising\" (e.g. 'r2,f1'; saved as site-r2, site-f1 …), for any --model")
    .addOption(paramOption('threshold', CHOICES.threshold))
    .option('--flag-structure <cif>', 'structure whose calculations each selected model flags as stabilising (default: β-Nb5Si3)')
    .requiredOption('-o, --output <file>', 'model file (JSON)')
    .option('--html <file>', 'report page: the selected models side by side, and the attention maps when the file holds an MHAR model')
    .addHelpText('after', `
--select: the hyper-parameters come from the regressor's declared grid (\`cescreen models\`), scored by
grouped 3-fold CV inside the training data (one physical calculation per group). Printed for each
selected model: its inner-CV MAE, R², precision and recall of "stabilising" (E_DS < --threshold), and
the --flag-structure calculations it predicts stabilising. Example (a few minutes on 2 cores):
  cescreen train --model dnn --families site --select r2,f1 -o dnn.json`)
    .action(async (o: ModelFlags & { families?: string; select?: string; threshold: number; flagStructure?: string; output: string; html?: string }) => {
      const progress = commandProgress(o);
      try {
        const families = choiceList('--family', o.families ?? o.family, modelFamilies().map((f) => f.name));
        const select = o.select === undefined ? [] : (choiceList('--select', o.select, ['r2', 'f1']) as ('r2' | 'f1')[]);
        const saved = await trainModel({ ...choices(o, families), families, select, threshold: o.threshold, flagStructure: o.flagStructure, progress });
        saveModel(o.output, saved);
        if (o.html) writeOutput(o.html, await trainReport(o.output, saved));
        progress.stop();
        emit({ file: o.output, families: Object.keys(saved.families), training: saved.training, selection: saved.selection }, o.json, (r) =>
          `wrote ${r.file}: ${r.families.join(' + ')} on ${r.training.samples} calculations of ${r.training.phases.map((p) => p.phase.formula).join(' + ')} (${r.training.elements.join(' ')})\n` +
          (r.selection.length ? formatSelection(r.selection) : ''),
        );
      } finally {
        progress.stop();
      }
    });

  modelCommand(program, 'importance', 'permutation importance, KernelSHAP per feature block and SHAP sign of effect of the CE features (any --model: svr, rf, dnn, mhar)', { family: false })
    .addOption(paramOption('family', choice('family whose regressor is explained', familiesWith('explain')[0].name, Object.fromEntries(familiesWith('explain').map((f) => [f.name, `its regressor on the ${f.regressor!.explains === 'pair' ? 'whole pair vector' : "one site's vector"}`])))))
    .addOption(paramOption('top', number('features to show', 15, { min: 1, max: 1000, integer: true })))
    .option('--feature-shap', 'also per-feature SHAP for a deep model (the default for svr and rf only; blocks are always computed)')
    .option('--svg <file>', 'write the bar chart')
    .addHelpText('after', `
Blocks: KernelSHAP with one player per CE block (centre 1, shell 1, geometry 1, centre 2, …, pair),
exact over its 2^blocks − 2 coalitions, so it stays cheap for the deep models; the SHAP values of a
sample sum to its prediction minus the background mean (efficiency error printed).`)
    .action(async (o: ModelFlags & { top: number; svg?: string; featureShap?: boolean }) => {
      const r = await explainModel({ ...choices(o), family: o.family, featureShap: o.featureShap });
      if (o.svg) writeOutput(o.svg, importanceSvg(r.features.slice(0, o.top), `${r.model} ${r.family} family: top ${o.top} CE features`));
      emit(r, o.json, (x) =>
        `${x.explained}: test MAE ${fixed(x.baselineMae * 1000, 1)} meV; rise of the MAE (meV) when a feature is shuffled, sign of effect from SHAP\n` +
        table(['feature', 'importance', 'sd', 'mean |SHAP| meV', 'effect'], x.features.slice(0, o.top).map((f) => [f.feature, fixed(f.importance * 1000, 1), fixed(f.sd * 1000, 1), f.shap === null ? '—' : fixed(f.shap * 1000, 1), f.sign > 0 ? 'raises E' : f.sign < 0 ? 'lowers E' : '—'])) +
        `summed over both sites: ${x.properties.slice(0, 8).map((p) => `${p.feature} ${fixed(p.importance * 1000, 0)}`).join(', ')}\n` +
        `KernelSHAP per block (${x.shapSamples} samples, ${x.shapBackground} background rows, ${x.shapCoalitions} coalitions; base ${fixed(x.shapBase, 3)} eV, efficiency error ${x.shapEfficiencyError.toExponential(1)} eV)\n` +
        table(['block', 'features', 'mean |φ| meV', 'mean φ meV'], x.blocks.map((b) => [b.block, String(b.features), fixed(b.meanAbs * 1000, 1), fixed(b.mean * 1000, 1)])),
      );
    });

  addDataOptions(program.command('compare').description('the literature table with our numbers beside it: every model × feature set × centre site, on the same splits'))
    .option('--models <list>', REGRESSORS.map((r) => r.name).join(', '), REGRESSORS.map((r) => r.name).join(','))
    .option('--feature-sets <list>', FEATURE_SETS.map((s) => s.name).join(', '), DEFAULT_FEATURE_SETS.join(','))
    .addOption(paramOption('family', choice('model family of every row (a family built on a regressor)', modelFamilies().find((f) => f.regressor)!.name, Object.fromEntries(modelFamilies().filter((f) => f.regressor).map((f) => [f.name, f.description])))))
    .addOption(paramOption('protocol', { ...CHOICES.protocol, default: 'paper' }))
    .addOption(paramOption('repeats', number('CV repetitions on the training part (0: test split only)', 0, { min: 0, max: 1000, integer: true })))
    .addOption(paramOption('seed', CHOICES.seed))
    .option('--param <name=value,...>', 'hyper-parameters, each given to the models that declare it (e.g. epochs=40 for dnn and mhar)')
    .option('--search', "choose each model's hyper-parameters from its declared grid by grouped CV inside each training set")
    .option('--json', 'JSON output')
    .addHelpText('after', `
Every model is trained and tested on the same splits (same protocol and seed): each row's n_train,
n_test and baseline MAEs are equal. Networks beside the SVR (a few minutes on 2 cores):
  cescreen compare --models svr,dnn,mhar --feature-sets ceaet --param epochs=40`)
    .action(async (o: { data: string; structure?: string; supercell: string; maxDistance?: number[]; models: string; featureSets: string; family: string; protocol: string; repeats: number; seed: number; param?: string; search?: boolean; json?: boolean }) => {
      const progress = commandProgress(o);
      try {
        const models = choiceList('--models', o.models, REGRESSORS.map((r) => r.name));
        const c = await compareModels({
          ...o,
          sources: dataSources(o),
          models,
          featureSets: choiceList('--feature-sets', o.featureSets, FEATURE_SETS.map((s) => s.name)),
          params: sharedHyperParameters(models, o.param),
          progress,
        });
        progress.stop();
        emit(c, o.json, formatCompare);
      } finally {
        progress.stop();
      }
    });

  addParams(
    program
      .command('predict <cif>')
      .description('predict every symmetry-distinct substitution energy of a structure')
      .requiredOption('--model <file>', 'model file written by cescreen train')
      .option('--elements <list>', 'elements to place (default: those the model was trained on)')
      .option('--family <name>', `model of the file to use (default: ${DEFAULT_FAMILY_RULE})`),
    { supercell: SYSTEM_PARAMS.supercell, maxDistance: SYSTEM_PARAMS.maxDistance, block: SYSTEM_PARAMS.block },
  )
    .option('--stabilising', 'only the rows below the threshold, most negative first')
    .addOption(paramOption('threshold', CHOICES.threshold))
    .option('-o, --output <file>', 'write the table (CSV) to this file')
    .addOption(paramOption('top', number('rows to print (0: all; default 20, 40 with --stabilising)', 20, { min: 0, integer: true }), { withDefault: false }))
    .option('--csv', 'CSV on stdout')
    .option('--json', 'JSON on stdout')
    .option('--threads <n>', "worker threads: a number from 1 to 64, or 'auto' (2 when there are over 10 000 substitutions)", 'auto')
    .option('--data <csv>', "a data set of this structure (its format; eds_eV may be empty): predict its calculations, each with its unique_id, and score the predictions against the energies it has, as evaluate does")
    .addOption(paramOption('positions', POSITIONS))
    .action(async (cif: string, o: { model: string; elements?: string; family?: string; supercell: string; maxDistance: number; block?: string; stabilising?: boolean; threshold: number; output?: string; top?: number; csv?: boolean; json?: boolean; threads: string; data?: string; positions: PositionFrame }) => {
      const threads = o.threads === 'auto' ? 'auto' : Number(o.threads);
      if (threads !== 'auto' && !(Number.isInteger(threads) && threads >= 1 && threads <= 64)) throw new InputError(`--threads ${o.threads}: expected auto or an integer from 1 to 64`);
      const progress = commandProgress(o);
      const r = await predictPhase({
        progress,
        model: o.model,
        cif,
        block: o.block,
        supercell: o.supercell,
        maxDistance: o.maxDistance,
        family: o.family,
        elements: o.elements === undefined ? undefined : elementList(o.elements, []),
        stabilisingBelow: o.stabilising ? o.threshold : undefined,
        threads,
        data: o.data,
        positions: o.positions,
        threshold: o.threshold,
      }).finally(() => progress.stop());
      if (r.warning) process.stderr.write(`cescreen: warning: ${r.warning}\n`);
      for (const note of r.notes) process.stderr.write(`cescreen: note: ${note}\n`);
      if (r.outOfDomain) process.stderr.write(`cescreen: note: ${r.outOfDomain} of ${r.rows.length} predictions lie outside the applicability domain (out_of_domain = 1): treat them as extrapolations\n`);
      if (o.output) writeOutput(o.output, predictionsCsv(r.rows));
      if (o.csv) process.stdout.write(predictionsCsv(r.rows));
      else {
        const top = o.top ?? (o.stabilising ? 40 : 20);
        const shown = top === 0 ? Infinity : top;
        const hosts = r.system.structure.hosts();
        const flags = (y: PredictionRow) => [y.unseen ? 'unseen element' : '', y.out_of_domain ? 'out of domain' : ''].filter(Boolean).join(', ');
        const dropped = Object.entries(r.dropped ?? {});
        emit({ family: r.family, notes: r.notes, out_of_domain: r.outOfDomain, ...(r.scores ? { scores: r.scores } : {}), ...(r.dropped ? { dropped: r.dropped } : {}), rows: r.rows }, o.json, (x) =>
          `${x.rows.length} calculations of ${r.system.structure.formula()} (${r.system.supercell}), ${x.family} family${r.threads > 1 ? `, ${r.threads} threads` : ''}${dropped.length ? `; set aside: ${dropped.map(([why, n]) => `${n} ${why}`).join(', ')}` : ''}${o.output ? `, written to ${o.output}` : ''}\n` +
          (r.scores ? formatScores(r.scores) : '') +
          table(
            ['pair', 'substitution', 'd (Å)', 'E_DS (eV)', '90 % interval (eV)', ''],
            x.rows.slice(0, shown).map((y) => [y.config, substitutionText(y.element_a, y.site_a, y.element_b, y.site_b, hosts.get(y.site_a), hosts.get(y.site_b)), fixed(y.distance, 3), formatNumber(y.eds_pred, 3), y.eds_lo === undefined ? '' : `${formatNumber(y.eds_lo, 2)} … ${formatNumber(y.eds_hi!, 2)}`, flags(y)]),
          ) +
          (x.rows.length > shown ? `… ${x.rows.length - shown} more of ${x.rows.length} rows ${o.output ? `(all in ${o.output})` : '(--top 0, --csv or -o <file> for all)'}\n` : ''),
        );
      }
    });

  addParams(
    program
      .command('cecv')
      .description('chemical environment classification vectors of a trained lgdcnn: element similarity and groups')
      .requiredOption('--model <file>', 'model file written by cescreen train --model lgdcnn --features tokens')
      .option('--structure <cif>', 'structure whose substitutions are read (default: the training cell)')
      .option('--elements <list>', 'elements to compare (default: those the model was trained on)')
      .option('--family <name>', 'model of the file to read (default: the first L-G-DCNN)')
      .addOption(paramOption('similarity', { kind: 'choice', default: 'cosine', description: 'similarity the groups use', choices: { cosine: 'cosine of the mean states', js: '1 − Jensen–Shannon divergence of their softmax' } })),
    { supercell: SYSTEM_PARAMS.supercell, maxDistance: SYSTEM_PARAMS.maxDistance, block: SYSTEM_PARAMS.block },
  )
    .option('--svg <file>', 'write the grouped similarity matrix with the threshold ladder')
    .option('--json', 'JSON on stdout')
    .action(async (o: { model: string; structure?: string; elements?: string; family?: string; similarity: 'cosine' | 'js'; supercell: string; maxDistance: number; block?: string; svg?: string; json?: boolean }) => {
      const r = await chemicalEnvironmentVectors({
        model: o.model,
        cif: o.structure,
        block: o.block,
        supercell: o.supercell,
        maxDistance: o.maxDistance,
        family: o.family,
        elements: o.elements === undefined ? undefined : elementList(o.elements, []),
        similarity: o.similarity,
      });
      if (o.svg) writeOutput(o.svg, cecvSvg(r, `CECV of ${r.structure} (${r.family} family, ${r.substitutions} substitutions)`));
      const sim = r.similarity === 'cosine' ? r.cosine : r.js;
      emit(r, o.json, (x) =>
        `CECV of ${x.structure}: ${x.elements.length} elements over ${x.substitutions} substitutions, ${x.family} family, ${x.similarity} similarity${o.svg ? `, figure ${o.svg}` : ''}\n` +
        table(['', ...x.order.map((i) => x.elements[i])], x.order.map((i) => [x.elements[i], ...x.order.map((j) => fixed(sim[i][j], 2))])) +
        x.levels.map((l) => `1 − s ≤ ${fixed(l.threshold, 2)}: ${l.groups.length} group${l.groups.length === 1 ? '' : 's'}  ${l.groups.map((g) => `{${g.join(' ')}}`).join(' ')}\n`).join(''),
      );
    });

  program
    .command('attention')
    .description('attention maps of a multi-head attention model (MHAR) in a model file: one substitution per head and head mean, and the mean per site pair')
    .requiredOption('--model <file>', 'model file written by `cescreen train --model mhar`')
    .option('--substitution <X@a,Y@b>', "the substitution to show, e.g. 'Ti@NbI,Zr@SiII' (a kept host as its own element, e.g. Nb@NbI)")
    .addOption(paramOption('pair', number('configuration id of the pair (default: the nearest pair of the two sites)', 1, { min: 1, integer: true }), { withDefault: false }))
    .option('--pair-means', 'also the mean map per site pair (NbI–SiII …) over every double substitution of that pair, by CE block')
    .option('--family <name>', 'model of the file (default: the first MHAR one, site before transfer)')
    .option('--labels <list>', 'one label per token, comma-separated (default: the CE feature names)')
    .option('--svg <file>', "write the substitution's maps (or, with --pair-means alone, the pair means)")
    .option('--pair-svg <file>', 'write the per-site-pair means')
    .option('--html <file>', 'write a report page with the maps and the strongest weights')
    .option('--json', 'JSON output (maps as nested arrays; no SVG)')
    .addHelpText('after', `
Rows are the token that reads (query), columns the token it reads from (key); each row sums to 1.
Tokens are the CE features of the pair vector, grouped into blocks (centre 1, shell 1, geometry 1,
centre 2, …, pair). Per-site-pair means are shown by block as attention ÷ uniform (1 = a uniform
row's share), so wide and narrow blocks compare. Example:
  cescreen train --model mhar --families site -o mhar.json
  cescreen attention --model mhar.json --substitution Ti@NbI,Zr@SiII --pair-means --svg ti-zr.svg --pair-svg pairs.svg`)
    .action(async (o: { model: string; substitution?: string; pair?: number; pairMeans?: boolean; family?: string; labels?: string; svg?: string; pairSvg?: string; html?: string; json?: boolean }) => {
      const labels = o.labels?.split(',').map((x) => x.trim());
      const r = await attentionMaps({ model: o.model, substitution: o.substitution, pair: o.pair, pairMeans: o.pairMeans || o.pairSvg !== undefined, family: o.family, labels });
      const main = r.svg ?? r.pairSvg;
      if (o.svg && main) writeOutput(o.svg, main);
      if (o.pairSvg && r.pairSvg) writeOutput(o.pairSvg, r.pairSvg);
      if (o.html) writeOutput(o.html, reportHtml(`cescreen — attention of ${r.family} (${o.model})`, '', [attentionSection(r)]));
      const { svg: _svg, blockSvg: _blockSvg, meanSvg: _meanSvg, pairSvg: _pairSvg, ...plain } = r;
      emit(plain, o.json, (x) => {
        const lines: string[] = [`${x.family} family, MHAR with ${x.heads} heads over ${x.labels.length} tokens (${x.blocks.map((b) => b.name).join(', ')})\n`];
        if (x.substitution) {
          const s = x.substitution;
          lines.push(`${s.text}, pair ${s.config} (${s.site_a}–${s.site_b}, ${fixed(s.distance, 3)} Å): predicted E_DS ${fixed(s.eds_pred, 3)} eV; strongest weights (head mean; uniform ${fixed(1 / x.labels.length, 3)})\n`);
          lines.push(table(['query', 'key', 'weight'], s.strongest.map((w) => [w.query, w.key, fixed(w.weight, 3)])));
        }
        for (const p of x.pairMeans ?? []) {
          const cells = p.blocks.flatMap((row, q) => row.map((v, k) => ({ v, q, k }))).sort((a, b) => b.v - a.v).slice(0, 3);
          lines.push(`${p.site_a}–${p.site_b} (${p.substitutions} substitutions): most read ${cells.map((c) => `${x.blocks[c.q].name} → ${x.blocks[c.k].name} ${fixed(c.v, 2)}×`).join(', ')}\n`);
        }
        return lines.join('');
      });
    });

  program
    .command('models')
    .description('the registries: regressors with their hyper-parameters, model families, protocols, feature sets')
    .option('--json', 'JSON output')
    .action((o: { json?: boolean }) => {
      const registry = {
        regressors: REGRESSORS.map((r) => ({ name: r.name, kind: r.kind, description: r.description, params: r.params, grid: r.grid })),
        families: FAMILIES.map((f) => ({ name: f.name, description: f.description, role: f.role, regressor: f.regressor ?? null, capabilities: f.capabilities, params: f.params, minimum: f.minimum, defaults: f.defaults })),
        protocols: PROTOCOLS.map((p) => ({ name: p.name, description: p.description, leaky: p.leaky })),
        featureSets: FEATURE_SETS.map((s) => ({ name: s.name, description: s.description })),
      };
      emit(registry, o.json, (r) =>
        `regressors (--model; hyper-parameters with --param name=value,...)\n` +
        r.regressors.map((x) => `  ${x.name.padEnd(10)} ${x.description}\n` + Object.entries(x.params).map(([k, p]) => `    ${k.padEnd(12)} ${describeParam(p)} (default ${p.default})\n`).join('') + `    search grid (--search, train --select): ${Object.entries(x.grid).map(([k, v]) => `${k} ${(v as readonly number[]).join('/')}`).join(', ')}\n`).join('') +
        `families (--family; capabilities: ${Object.keys(CAPABILITIES).join(', ')})\n` +
        r.families
          .map(
            (x) =>
              `  ${x.name.padEnd(10)} ${x.description}\n    ${x.role === 'baseline' ? 'baseline' : x.regressor ? `built on a regressor (--model) reading ${x.regressor.reads.join(' + ')}` : 'a model of its own'}; capabilities: ${x.capabilities.join(', ') || 'none'}; at least ${x.minimum.calculations} calculations\n` +
              Object.entries(x.params).map(([k, p]) => `    ${k.padEnd(12)} ${describeParam(p)}${isFitted(p) ? '' : ` (default ${p.default})`}\n`).join(''),
          )
          .join('') +
        `protocols (--protocol)\n` + r.protocols.map((x) => `  ${x.name.padEnd(18)} ${x.description}\n`).join('') +
        `feature sets (--features)\n` + r.featureSets.map((x) => `  ${x.name.padEnd(10)} ${x.description}\n`).join(''),
      );
    });
}

/** The selected models side by side: inner-CV scores, then the calculations each flags and which both flag. */
function formatSelection(sel: SelectionReport[]): string {
  const t = sel[0].inner_cv.threshold;
  const text = (p: SelectionReport['flagged']['pairs'][number]) => `${substitutionText(p.element_a, p.site_a, p.element_b, p.site_b, p.host_a, p.host_b)} (${fixed(p.distance, 2)} Å) ${formatNumber(p.eds_pred, 2)}`;
  const lines = [
    `selected by grouped ${sel[0].inner_cv.folds}-fold CV inside the training data; "stabilising" = E_DS < ${t} eV\n`,
    table(
      ['model', 'regressor', 'params', 'MAE meV', 'R²', 'F1', 'precision', 'recall', `flags in ${sel[0].flagged.formula}`],
      sel.map((s) => [s.model, s.regressor, Object.entries(s.params).map(([k, v]) => `${k}=${v}`).join(' '), fixed(s.inner_cv.mae * 1000, 1), fixed(s.inner_cv.r2, 3), fixed(s.inner_cv.f1, 3), fixed(s.inner_cv.precision, 3), fixed(s.inner_cv.recall, 3), `${s.flagged.count} of ${s.flagged.calculations}`]),
    ),
  ];
  for (const s of sel) lines.push(`${s.model} flags: ${s.flagged.pairs.slice(0, 8).map(text).join(', ')}${s.flagged.count > 8 ? `, … (${s.flagged.count}; --json for all)` : ''}\n`);
  const flags = flagsAcrossModels(sel);
  for (const family of new Set(sel.map((s) => s.family))) {
    const [a, b] = sel.filter((s) => s.family === family);
    if (!a || !b) continue;
    const both = flags.filter((f) => f.byModel.has(a.model) && f.byModel.has(b.model)).length;
    lines.push(`${a.model} and ${b.model} both flag ${both}; only ${a.model} ${a.flagged.count - both}, only ${b.model} ${b.flagged.count - both}\n`);
  }
  return lines.join('');
}
