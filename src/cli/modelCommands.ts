import type { Command } from 'commander';
import { trainingData, substitutionSystem, DEFAULT_DATA } from '../substitution/system.ts';
import { collapseByKey } from '../substitution/dataset.ts';
import { SubstitutionModel, familySpec, type FamilyName } from '../model/family.ts';
import { evaluate, searchSiteParams, PROTOCOLS, type EvaluationResult, type Protocol } from '../model/protocols.ts';
import type { RegressorKind } from '../model/estimator.ts';
import { chooseFamily, loadModel, phaseOf, saveModel, type SavedModel } from '../predict/modelFile.ts';
import { stabilising } from '../predict/predict.ts';
import { predictParallel } from '../predict/parallel.ts';
import { expandSubstitutions } from '../substitution/substitution.ts';
import { availableParallelism } from 'node:os';
import { predictionsCsv } from '../predict/table.ts';
import { InputError } from '../util/errors.ts';
import { ANCHORS, FEATURE_SETS } from '../model/anchors.ts';
import { explainSiteModel } from '../model/explain.ts';
import { importanceSvg } from '../figures/importancePlot.ts';
import { progress } from '../util/progress.ts';
import { addFeatureFlags, elementList, featureDefinition, type FeatureFlags } from './substitutionCommands.ts';
import { emit, fixed, numberOption, table, writeOutput } from './output.ts';

export const MODEL_KINDS: Record<string, RegressorKind> = { svr: 'SVR', rf: 'RandomForest', dnn: 'DNN', mhar: 'MHAR' };

interface ModelFlags extends FeatureFlags {
  data: string;
  structure?: string;
  model: string;
  family: string;
  seed: string;
  supercell: string;
  maxDistance: string;
  json?: boolean;
}

function modelKind(name: string): RegressorKind {
  const k = MODEL_KINDS[name.toLowerCase()];
  if (!k) throw new InputError(`--model ${name}: expected one of ${Object.keys(MODEL_KINDS).join(', ')}`);
  return k;
}

function familyName(name: string): FamilyName {
  if (name !== 'site' && name !== 'transfer') throw new InputError(`--family ${name}: expected site or transfer`);
  return name;
}

function seedOf(o: { seed: string }): number {
  const s = numberOption('--seed', o.seed, 0);
  if (!Number.isInteger(s) || s < 0) throw new InputError(`--seed ${o.seed}: expected a non-negative integer`);
  return s;
}

function addModelFlags(c: Command): Command {
  return addFeatureFlags(
    c
      .option('--data <csv>', 'DFT substitution energies', DEFAULT_DATA)
      .option('--structure <cif>', 'structure of the data set (default: structure.cif beside it)')
      .option('--model <name>', 'svr, rf, dnn or mhar', 'svr')
      .option('--family <name>', 'site (best inside the training phase) or transfer (for a new phase)', 'site')
      .option('--seed <n>', 'random seed (splits, models)', '0')
      .option('--supercell <spec>', 'cell the DFT data were computed in', '1x1x1')
      .option('--max-distance <angstrom>', 'largest pair distance of the enumeration', '3.6')
      .option('--json', 'JSON output'),
  );
}

function load(o: ModelFlags) {
  return trainingData(o.data, { structure: o.structure, supercell: o.supercell, maxDistance: numberOption('--max-distance', o.maxDistance, 3.6) });
}

export function formatEvaluation(r: EvaluationResult): string {
  const row = (name: string, s: { n: number; mae: number; rmse: number; r2: number; f1: number }) => [name, s.n, fixed(s.mae * 1000, 1), fixed(s.rmse * 1000, 1), fixed(s.r2, 3), fixed(s.f1, 2)];
  const rows = [row(r.protocol === 'leave-site-out' || r.protocol === 'leave-element-out' ? 'pooled' : 'test', r.test)];
  for (const [k, s] of Object.entries(r.per_site)) rows.push(row(k, s));
  for (const [k, s] of Object.entries(r.per_element)) rows.push(row(k, s));
  return (
    `${r.model} ${r.family} family, ${r.protocol} protocol, seed ${r.seed}: ${r.n_train} train / ${r.n_test} test\n` +
    (r.cv ? `CV ${r.cv.folds} folds: MAE ${fixed(r.cv.mae * 1000, 1)} ± ${fixed(r.cv.sd * 1000, 1)} meV, R² ${fixed(r.cv.r2, 3)}\n` : '') +
    table(['', 'n', 'MAE meV', 'RMSE meV', 'R²', 'F1'], rows)
  );
}

export function registerModelCommands(program: Command): void {
  addModelFlags(program.command('evaluate').description('train and test a model on a DFT data set under an honest protocol'))
    .option('--protocol <name>', PROTOCOLS.join(', '), 'grouped')
    .option('--site <label>', "'all' or one centre site (the data's folder)", 'all')
    .option('--repeats <n>', 'repetitions of 5-fold CV on the training part', '20')
    .option('--threshold <eV>', 'E_DS below this is stabilising (F1)', '0')
    .option('--search', "choose the site family's SVR C, γ, ε by grouped CV inside each training set")
    .option('--select <criterion>', 'search criterion: mae, r2 or f1', 'mae')
    .action(async (o: ModelFlags & { protocol: string; site: string; repeats: string; threshold: string; search?: boolean; select: string }) => {
      if (!['mae', 'r2', 'f1'].includes(o.select)) throw new InputError(`--select ${o.select}: expected mae, r2 or f1`);
      if (!PROTOCOLS.includes(o.protocol as Protocol)) throw new InputError(`--protocol ${o.protocol}: expected ${PROTOCOLS.join(', ')}`);
      const { system, data } = load(o);
      const labels = system.enumeration.cell.labels();
      if (o.site !== 'all' && !labels.includes(o.site)) throw new InputError(`--site ${o.site}: expected all or one of ${labels.join(', ')}`);
      const repeats = numberOption('--repeats', o.repeats, 20);
      const spec = familySpec(familyName(o.family), modelKind(o.model), { seed: seedOf(o) }, featureDefinition(o));
      const r = await evaluate(system.enumeration, data, {
        protocol: o.protocol as Protocol,
        spec,
        seed: seedOf(o),
        repeats,
        site: o.site,
        perSite: true,
        search: !!o.search,
        select: o.select as 'mae' | 'r2' | 'f1',
        threshold: numberOption('--threshold', o.threshold, 0),
      });
      emit(r, o.json, formatEvaluation);
    });

  addModelFlags(program.command('train').description('fit on every row of a data set and save the model'))
    .option('--families <list>', 'families to fit into the file: site, transfer or both', 'site,transfer')
    .option('--select <list>', "also keep the site family tuned for best CV R² and/or F1 (e.g. 'r2,f1'; saved as site-r2, site-f1)")
    .requiredOption('-o, --output <file>', 'model file (JSON)')
    .action(async (o: ModelFlags & { families: string; output: string }) => {
      const saved = await trainModel(o);
      saveModel(o.output, saved);
      emit({ file: o.output, families: Object.keys(saved.families), training: saved.training }, o.json, (r) => `wrote ${r.file}: ${r.families.join(' + ')} on ${r.training.samples} substitutions of ${r.training.phase.formula} (${r.training.elements.join(' ')})\n`);
    });

  addModelFlags(program.command('importance').description('permutation importance and SHAP sign of effect of the site-family features'))
    .option('--top <n>', 'features to show', '15')
    .option('--svg <file>', 'write the bar chart')
    .action(async (o: ModelFlags & { top: string; svg?: string }) => {
      const { system, data } = load(o);
      const spec = familySpec('site', modelKind(o.model), { seed: seedOf(o) }, featureDefinition(o));
      const r = await explainSiteModel(spec, system.enumeration, collapseByKey(data.rows), { seed: seedOf(o) });
      const top = numberOption('--top', o.top, 15);
      if (o.svg) writeOutput(o.svg, importanceSvg(r.features.slice(0, top), `${spec.regressor} site family: top ${top} CE features`));
      emit(r, o.json, (x) =>
        `test MAE ${fixed(x.baselineMae * 1000, 1)} meV; rise of the MAE (meV) when a feature is shuffled, sign of effect from SHAP\n` +
        table(['feature', 'importance', 'sd', 'mean |SHAP| meV', 'effect'], x.features.slice(0, top).map((f) => [f.feature, fixed(f.importance * 1000, 1), fixed(f.sd * 1000, 1), fixed(f.shap * 1000, 1), f.sign > 0 ? 'raises E' : f.sign < 0 ? 'lowers E' : '—'])) +
        `summed over both sites: ${x.properties.slice(0, 8).map((p) => `${p.feature} ${fixed(p.importance * 1000, 0)}`).join(', ')}\n`,
      );
    });

  program
    .command('compare')
    .description('the literature table with our numbers beside it: every model × feature set × centre site')
    .option('--data <csv>', 'DFT substitution energies', DEFAULT_DATA)
    .option('--structure <cif>', 'structure of the data set')
    .option('--models <list>', 'svr, rf, dnn, mhar', 'svr,rf,dnn,mhar')
    .option('--feature-sets <list>', Object.keys(FEATURE_SETS).join(', '), Object.keys(FEATURE_SETS).join(','))
    .option('--family <name>', 'site or transfer', 'site')
    .option('--protocol <name>', PROTOCOLS.join(', '), 'paper')
    .option('--repeats <n>', 'CV repetitions on the training part (0: test split only)', '0')
    .option('--seed <n>', 'random seed', '0')
    .option('--search', 'choose SVR C, γ, ε by grouped CV inside each training set')
    .option('--json', 'JSON output')
    .action(async (o: { data: string; structure?: string; models: string; featureSets: string; family: string; protocol: string; repeats: string; seed: string; search?: boolean; json?: boolean }) => {
      if (!PROTOCOLS.includes(o.protocol as Protocol)) throw new InputError(`--protocol ${o.protocol}: expected ${PROTOCOLS.join(', ')}`);
      const rows = await compareModels({
        data: o.data,
        structure: o.structure,
        models: o.models.split(',').map((s) => s.trim()),
        featureSets: o.featureSets.split(',').map((s) => s.trim()),
        family: familyName(o.family),
        protocol: o.protocol as Protocol,
        seed: seedOf(o),
        repeats: numberOption('--repeats', o.repeats, 0),
        search: !!o.search,
      });
      emit({ protocol: o.protocol, anchors: ANCHORS, rows }, o.json, (r) => formatCompare(r.rows, r.protocol));
    });

  program
    .command('predict <cif>')
    .description('predict every symmetry-distinct substitution energy of a structure')
    .requiredOption('--model <file>', 'model file written by cescreen train')
    .option('--elements <list>', 'elements to place (default: those the model was trained on)')
    .option('--family <name>', 'site or transfer (default: site for the training phase, transfer for any other)')
    .option('--supercell <spec>', 'periodic cell of the substitutions', '1x1x1')
    .option('--max-distance <angstrom>', 'largest pair distance', '3.6')
    .option('--block <name>', 'CIF data block')
    .option('--stabilising', 'only the rows below the threshold, most negative first')
    .option('--threshold <eV>', 'stabilising threshold', '0')
    .option('-o, --output <file>', 'write the table (CSV) to this file')
    .option('--csv', 'CSV on stdout')
    .option('--json', 'JSON on stdout')
    .option('--threads <n>', "worker threads: a number, or 'auto' (2 when there are over 10 000 substitutions)", 'auto')
    .action(async (cif: string, o: { model: string; elements?: string; family?: string; supercell: string; maxDistance: string; block?: string; stabilising?: boolean; threshold: string; output?: string; csv?: boolean; json?: boolean; threads: string }) => {
      // Validate everything on this thread first, so workers only ever see good input.
      const saved = await loadModel(o.model);
      const system = substitutionSystem(cif, { block: o.block, supercell: o.supercell, maxDistance: numberOption('--max-distance', o.maxDistance, 3.6) });
      const { family } = chooseFamily(saved, system.structure, o.family);
      const elements = elementList(o.elements, saved.training.elements);
      const count = expandSubstitutions(system.enumeration, elements).length;
      const threads = o.threads === 'auto' ? (count > 10000 && availableParallelism() > 1 ? 2 : 1) : numberOption('--threads', o.threads, 1);
      if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new InputError(`--threads ${o.threads}: expected auto or an integer from 1 to 64`);
      const result = await predictParallel({ model: o.model, cif, block: o.block, supercell: o.supercell, maxDistance: system.maxDistance, family: o.family, elements }, threads);
      let rows = result.rows;
      if (o.stabilising) rows = stabilising(rows, numberOption('--threshold', o.threshold, 0));
      if (o.output) writeOutput(o.output, predictionsCsv(rows));
      if (o.csv) process.stdout.write(predictionsCsv(rows));
      else
        emit({ family, rows }, o.json, (r) =>
          `${r.rows.length} substitutions of ${system.structure.formula()} (${system.supercell}), ${family} family${threads > 1 ? `, ${threads} threads` : ''}${o.output ? `, written to ${o.output}` : ''}\n` +
          table(['config', 'X@site a', 'Y@site b', 'd (Å)', 'E_DS (eV)', ''], r.rows.slice(0, o.stabilising ? 40 : 20).map((x) => [x.config, `${x.element_a}@${x.site_a}`, `${x.element_b}@${x.site_b}`, fixed(x.distance, 3), fixed(x.eds_pred, 3), x.unseen ? 'unseen element' : ''])) +
          (r.rows.length > (o.stabilising ? 40 : 20) ? `… (${r.rows.length} rows; --csv or -o for all)\n` : ''),
        );
    });
}

export interface CompareRow {
  model: string;
  features: string;
  family: string;
  per_site: Record<string, number>;
  all: number;
  r2: number;
}

/** Every model × feature set on one protocol, per centre site and over all sites (test MAE, meV). */
export async function compareModels(o: {
  data: string;
  structure?: string;
  models: string[];
  featureSets: string[];
  family: FamilyName;
  protocol: Protocol;
  seed: number;
  repeats: number;
  search?: boolean;
}): Promise<CompareRow[]> {
  const { system, data } = trainingData(o.data, { structure: o.structure });
  const rows: CompareRow[] = [];
  for (const m of o.models)
    for (const fs of o.featureSets) {
      const set = FEATURE_SETS[fs];
      if (!set) throw new InputError(`--feature-sets: '${fs}' is not one of ${Object.keys(FEATURE_SETS).join(', ')}`);
      const def = featureDefinition({ features: set.features, weight: set.weight === undefined ? undefined : String(set.weight) });
      const spec = familySpec(o.family, modelKind(m), { seed: o.seed }, def);
      const r = await evaluate(system.enumeration, data, { protocol: o.protocol, spec, seed: o.seed, repeats: o.repeats, perSite: true, search: o.search });
      rows.push({
        model: spec.regressor,
        features: set.label,
        family: o.family,
        per_site: Object.fromEntries(Object.entries(r.per_site).map(([k, v]) => [k, v.mae * 1000])),
        all: r.test.mae * 1000,
        r2: r.test.r2,
      });
    }
  return rows;
}

export function formatCompare(rows: CompareRow[], protocol: string): string {
  const sites = ['NbI', 'NbII', 'SiI', 'SiII'];
  const cell = (x: number | null | undefined) => (x === null || x === undefined ? '—' : fixed(x, 1));
  return (
    `test MAE in meV per cell, ${protocol} protocol (literature rows: their paper protocol)\n` +
    table(
      ['model', 'features', ...sites, 'all sites'],
      [
        ...ANCHORS.map((a) => [a.name, 'CEAET', ...sites.map((s) => cell(a[s as 'NbI'])), cell(a.all)]),
        ...rows.map((r) => [`${r.model} (${r.family})`, r.features, ...sites.map((s) => cell(r.per_site[s])), cell(r.all)]),
      ],
    )
  );
}

export async function trainModel(o: ModelFlags & { families: string; select?: string }): Promise<SavedModel> {
  const { system, data } = load(o);
  const samples = collapseByKey(data.rows);
  const names = o.families.split(',').map((s) => familyName(s.trim()));
  const seed = seedOf(o);
  const families: SavedModel['families'] = {};
  const bar = progress('training', names.length);
  for (const name of names) {
    families[name] = await SubstitutionModel.fit(familySpec(name, modelKind(o.model), { seed }, featureDefinition(o)), system.enumeration, samples);
    bar.tick();
  }
  for (const criterion of o.select ? o.select.split(',').map((x) => x.trim()) : []) {
    if (criterion !== 'r2' && criterion !== 'f1') throw new InputError(`--select ${criterion}: expected r2 and/or f1`);
    const base = familySpec('site', modelKind(o.model), { seed }, featureDefinition(o));
    const spec = await searchSiteParams(base, system.enumeration, samples, seed, criterion);
    families[`site-${criterion}`] = await SubstitutionModel.fit(spec, system.enumeration, samples);
  }
  bar.stop();
  const cell = system.enumeration.cell;
  const elements = new Set<string>(cell.sites.map((s) => s.element));
  for (const s of samples) elements.add(s.substitution.elementA).add(s.substitution.elementB);
  return {
    families,
    training: {
      structure: system.file,
      data: o.data,
      phase: phaseOf(system.structure),
      samples: samples.length,
      elements: [...elements].sort(),
      maxDistance: system.maxDistance,
      supercell: system.supercell,
      seed,
    },
  };
}
