/**
 * Commander options generated from parameter declarations (src/util/params.ts)
 * and the registries: the CLI's flags, choices, defaults and help text are
 * never written by hand a second time.
 */
import { Option, type Command } from 'commander';
import type { DataSource } from '../substitution/system.ts';
import { choice, describeParam, expectation, kebab, number, parseParam, text, type Param, type ParamDefs } from '../util/params.ts';
import { InputError } from '../util/errors.ts';
import { MAX_SHARDS } from '../util/shard.ts';
import { DEFAULT_REGRESSOR, REGRESSORS, regressorEntry } from '../model/learn/regressors.ts';
import { DEFAULT_FAMILY, FAMILIES, familyParams } from '../model/families/index.ts';
import { EVALUATION_PARAMS, PROTOCOLS } from '../model/evaluation/protocols.ts';
import { FEATURE_SETS, CE_PARAMS } from '../features/sets.ts';
import { SYSTEM_PARAMS } from '../substitution/params.ts';
import { DEFAULT_DATA } from '../substitution/system.ts';
import { DATASET_COLUMNS } from '../substitution/dataset.ts';
import { describeColumns } from '../util/table.ts';
import { hasElement } from '../features/elements.ts';
import { elementSymbol } from '../structure/periodicTable.ts';

const placeholder = (name: string, p: Param) =>
  p.kind === 'choice' ? 'name' : p.kind === 'number' ? (p.unit === 'Å' ? 'angstrom' : p.unit === 'eV' ? 'eV' : p.integer ? 'n' : 'x') : name.toLowerCase();

/** One option from a declaration; `withDefault: false` leaves it undefined when not given (the caller's default applies). */
export function paramOption(name: string, p: Param, o: { withDefault?: boolean; flag?: string; description?: string } = {}): Option {
  const flag = o.flag ?? kebab(name);
  if (p.kind === 'flag') return new Option(flag, o.description ?? p.description);
  const opt = new Option(`${flag} <${placeholder(name, p)}>`, o.description ?? describeParam(p)).argParser((v: string) => parseParam(flag, p, v));
  if (o.withDefault !== false && !(p.kind === 'text' && p.default === '')) opt.default(p.default);
  return opt;
}

/** Every parameter of a declaration as an option. */
export function addParams(cmd: Command, defs: ParamDefs, o: { withDefault?: boolean } = {}): Command {
  for (const [name, p] of Object.entries(defs)) cmd.addOption(paramOption(name, p, o));
  return cmd;
}

const names = <T extends { name: string; description: string }>(entries: readonly T[]) => Object.fromEntries(entries.map((e) => [e.name, e.description]));

/** The choices of each registry, as declarations. */
export const CHOICES = {
  model: choice(`regressor of a family built on one (default ${DEFAULT_REGRESSOR}; a family that is a model of its own takes none)`, DEFAULT_REGRESSOR, names(REGRESSORS)),
  family: choice('model family', DEFAULT_FAMILY, names(FAMILIES)),
  protocol: choice('evaluation protocol', 'grouped', names(PROTOCOLS)),
  features: choice('feature set', 'ceaet', names(FEATURE_SETS)),
  seed: number('random seed (splits, models)', 0, { min: 0, integer: true }),
  threshold: EVALUATION_PARAMS.threshold,
  data: text('DFT substitution energies (data-set format: see `cescreen evaluate --help`)', DEFAULT_DATA),
};

/** Which cell the positions of a data set are fractions of. */
export const POSITIONS = choice('positions of the data set are fractions of', 'cell', { cell: 'the CIF cell', supercell: 'the --supercell cell of the calculations' });

/** --data, --structure, --supercell, --max-distance. */
export function addDataOptions(cmd: Command, o: { several?: boolean } = {}): Command {
  const collect = (p: Param, flag: string) => (v: string, prev: string[] | undefined) => [...(prev ?? []), parseParam(flag, p, v) as string];
  if (!o.several)
    return cmd
      .addOption(paramOption('data', CHOICES.data))
      .option('--structure <cif>', 'structure of the data set (default: structure.cif beside it)')
      .addOption(paramOption('supercell', SYSTEM_PARAMS.supercell))
      .addOption(paramOption('maxDistance', SYSTEM_PARAMS.maxDistance));
  return cmd
    .addOption(new Option('--data <csv>', `${CHOICES.data.description}; repeat it (with --structure each) to learn from several phases (default: the bundled α-Nb5Si3 set)`).argParser(collect(CHOICES.data, '--data')))
    .addOption(new Option('--structure <cif>', 'structure of the data set, one per --data in the same order (default: structure.cif beside each)').argParser(collect(text('', ''), '--structure')))
    .addOption(new Option('--supercell <spec>', `${SYSTEM_PARAMS.supercell.description}; one for all data sets or one per --data`).argParser(collect(SYSTEM_PARAMS.supercell, '--supercell')))
    .addOption(
      new Option('--max-distance <angstrom>', `${describeParam(SYSTEM_PARAMS.maxDistance)}; one for all data sets or one per --data (default ${SYSTEM_PARAMS.maxDistance.default})`).argParser(
        (v: string, prev: number[] | undefined) => [...(prev ?? []), parseParam('--max-distance', SYSTEM_PARAMS.maxDistance, v)],
      ),
    )
    .addOption(paramOption('positions', POSITIONS));
}

/** The data sets of repeated --data/--structure/--supercell options, paired in order. */
export function dataSources(o: { data?: string | string[]; structure?: string | string[]; supercell?: string | string[]; maxDistance?: number | number[]; positions?: 'cell' | 'supercell' }): DataSource[] {
  const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const data = list(o.data).length ? list(o.data) : [DEFAULT_DATA];
  const structures = list(o.structure);
  const supercells = list(o.supercell);
  const distances = o.maxDistance === undefined ? [] : Array.isArray(o.maxDistance) ? o.maxDistance : [o.maxDistance];
  if (distances.length > 1 && distances.length !== data.length) throw new InputError(`--max-distance given ${distances.length} times for ${data.length} data sets: give one for all or one per --data`);
  if (structures.length > data.length || (structures.length && structures.length !== data.length))
    throw new InputError(`--structure given ${structures.length} times for ${data.length} data set(s): give one per --data, in the same order, or none (structure.cif beside each)`);
  if (supercells.length > 1 && supercells.length !== data.length) throw new InputError(`--supercell given ${supercells.length} times for ${data.length} data sets: give one for all or one per --data`);
  return data.map((d, i) => ({ data: d, structure: structures[i], supercell: supercells.length > 1 ? supercells[i] : supercells[0], maxDistance: distances.length > 1 ? distances[i] : distances[0], positions: o.positions }));
}

/** --features and the CE options that refine it (unset CE options keep the family's layout). */
export function addFeatureOptions(cmd: Command): Command {
  cmd.addOption(paramOption('features', CHOICES.features));
  return addParams(cmd, CE_PARAMS, { withDefault: false });
}

/** --model (no default: a family built on a regressor takes the registry's default), --family, --param, --seed, features. */
export function addModelOptions(cmd: Command, o: { family?: boolean } = {}): Command {
  cmd.addOption(paramOption('model', CHOICES.model, { withDefault: false }));
  if (o.family !== false) cmd.addOption(paramOption('family', CHOICES.family));
  cmd
    .option('--param <name=value,...>', "parameters of the family's regressor, or of a family that is a model of its own (see `cescreen models`), e.g. C=30,epsilon=0.02 or optimizeOn=500")
    .addOption(paramOption('seed', CHOICES.seed));
  return addFeatureOptions(cmd);
}

/**
 * `name=value,…` against several declarations: each name must be a parameter of at least one
 * of them, and is checked against every declaration that has it.
 */
function parametersOf(owners: readonly { name: string; defs: ParamDefs }[], spec: string | undefined): Record<string, number> | undefined {
  if (spec === undefined) return undefined;
  const out: Record<string, number> = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [k, v, ...rest] = part.split('=');
    const having = owners.filter((o) => k in o.defs);
    if (!having.length || rest.length || v === undefined)
      throw new InputError(`--param ${part}: expected name=value with a parameter of ${owners.map((o) => `${o.name} (${Object.keys(o.defs).join(', ') || 'none'})`).join('; ')}`);
    for (const o of having) out[k] = parseParam(`--param ${k}=`, o.defs[k], v) as number;
  }
  return out;
}

/** The parameters of a command's families: their regressor's, or their own for a family that is a model of its own. */
export const modelParameters = (families: readonly string[], model: string | undefined, spec: string | undefined) =>
  parametersOf(families.map((f) => ({ name: f, defs: familyParams(f, model) })), spec);

/** The parameters of several regressors (compare): each goes to the regressors that declare it. */
export const sharedHyperParameters = (models: readonly string[], spec: string | undefined) => parametersOf(models.map((m) => ({ name: m, defs: regressorEntry(m).params })), spec);

/** Element symbols as users type them (`ti,b` → Ti, B), each checked against the element table. */
export function elementList(value: string | undefined, fallback: readonly string[], flag = '--elements'): string[] {
  const items = value === undefined ? [...fallback] : value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new InputError(`${flag}: expected a comma-separated list of element symbols`);
  return items.map((raw) => {
    const el = elementSymbol(raw);
    if (!el || !hasElement(el)) throw new InputError(`${flag}: unknown element '${raw}'`);
    return el;
  });
}

/** A comma-separated list of numbers within a range. */
export function numberList(flag: string, value: string, o: { integer?: boolean; min?: number; max?: number } = {}): number[] {
  const p = number('list item', 0, { integer: o.integer, min: o.min, max: o.max });
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new InputError(`${flag}: expected a comma-separated list of numbers`);
  return items.map((x) => parseParam(flag, p, x) as number);
}

/** A comma-separated list whose items must be names of a registry. */
export function choiceList(flag: string, value: string, allowed: readonly string[]): string[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const x of items) if (!allowed.includes(x)) throw new InputError(`${flag} ${x}: expected ${expectation({ kind: 'choice', default: '', description: '', choices: Object.fromEntries(allowed.map((a) => [a, a])) })}`);
  if (items.length === 0) throw new InputError(`${flag}: expected a comma-separated list`);
  return items;
}

/** The data-set format, for the help of every command that reads one. */
export const DATASET_HELP = `
Data set (--data): a CSV file with a header and one DFT energy per row:
${describeColumns(DATASET_COLUMNS)}
Positions are fractions of the CIF cell (--positions supercell: of the --supercell
cell). Each row is matched to a site pair of the (super)cell by its site labels
and the atoms at a and a + d; rows of one physical calculation (a single
substitution listed under several pairs, duplicates) are merged by their median.
\`cescreen pairs <cif> --elements … --template rows.csv\` writes the rows to fill.`;

/** The options of a command that can run as a Slurm job array (screen, compute). */
export interface SlurmFlags {
  slurm?: boolean;
  shards: number;
  partition?: string;
  account?: string;
  time?: string;
  mem?: string;
  sbatch?: string[];
}

const SHARDS = number('array tasks of --slurm (one shard each)', 4, { min: 1, max: MAX_SHARDS, integer: true });

export function addSlurmOptions(cmd: Command): Command {
  return cmd
    .option('--slurm', 'submit the N shards as a Slurm job array instead of running here')
    .addOption(paramOption('shards', SHARDS))
    .option('--partition <name>', 'Slurm partition (--slurm)')
    .option('--account <name>', 'Slurm account (--slurm)')
    .option('--time <limit>', "wall time per task, as sbatch takes it: '30', '2:00:00' (--slurm)")
    .option('--mem <size>', "memory per task, e.g. '4G' (--slurm)")
    .option('--sbatch <option...>', 'further sbatch options, e.g. --sbatch=--qos=short (--slurm)');
}

/** Names of those options as commander stores them. */
export const SLURM_OPTIONS = ['slurm', 'shards', 'partition', 'account', 'time', 'mem', 'sbatch'] as const;

/** sbatch settings of the parsed Slurm options. */
export const slurmJob = (o: SlurmFlags) => ({ partition: o.partition, account: o.account, time: o.time, memory: o.mem, sbatchArgs: o.sbatch });
