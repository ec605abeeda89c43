/**
 * Commander options generated from parameter declarations (src/util/params.ts)
 * and the registries: the CLI's flags, choices, defaults and help text are
 * never written by hand a second time.
 */
import { Option, type Command } from 'commander';
import { choice, describeParam, expectation, kebab, number, parseParam, text, type Param, type ParamDefs } from '../util/params.ts';
import { InputError } from '../util/errors.ts';
import { REGRESSORS, regressorEntry } from '../model/regressors.ts';
import { FAMILIES } from '../model/family.ts';
import { PROTOCOLS } from '../model/protocols.ts';
import { FEATURE_SETS, CE_PARAMS } from '../features/sets.ts';
import { SYSTEM_PARAMS } from '../substitution/params.ts';
import { DEFAULT_DATA } from '../substitution/system.ts';
import { DATASET_COLUMNS } from '../substitution/dataset.ts';
import { describeColumns } from '../util/table.ts';
import { hasElement } from '../features/elements.ts';
import { normaliseElement } from '../structure/periodicTable.ts';

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
  model: choice('regressor', 'svr', names(REGRESSORS)),
  family: choice('model family', 'site', names(FAMILIES)),
  protocol: choice('evaluation protocol', 'grouped', names(PROTOCOLS)),
  features: choice('feature set', 'ceaet', names(FEATURE_SETS)),
  seed: number('random seed (splits, models)', 0, { min: 0, integer: true }),
  threshold: number('E_DS below this is "stabilising" (F1, precision, recall)', 0, { unit: 'eV', min: -100, max: 100 }),
  data: text('DFT substitution energies (data-set format: see `cescreen evaluate --help`)', DEFAULT_DATA),
};

/** --data, --structure, --supercell, --max-distance. */
export function addDataOptions(cmd: Command): Command {
  return cmd
    .addOption(paramOption('data', CHOICES.data))
    .option('--structure <cif>', 'structure of the data set (default: structure.cif beside it)')
    .addOption(paramOption('supercell', SYSTEM_PARAMS.supercell))
    .addOption(paramOption('maxDistance', SYSTEM_PARAMS.maxDistance));
}

/** --features and the CE options that refine it (unset CE options keep the family's layout). */
export function addFeatureOptions(cmd: Command): Command {
  cmd.addOption(paramOption('features', CHOICES.features));
  return addParams(cmd, CE_PARAMS, { withDefault: false });
}

/** --model, --family, --param, --seed, features. */
export function addModelOptions(cmd: Command, o: { family?: boolean } = {}): Command {
  cmd.addOption(paramOption('model', CHOICES.model));
  if (o.family !== false) cmd.addOption(paramOption('family', CHOICES.family));
  cmd.option('--param <name=value,...>', "the regressor's hyper-parameters (see `cescreen models`), e.g. C=30,epsilon=0.02").addOption(paramOption('seed', CHOICES.seed));
  return addFeatureOptions(cmd);
}

/** `C=30,epsilon=0.02` checked against the regressor's declaration. */
export function hyperParameters(model: string, spec: string | undefined): Record<string, number> | undefined {
  if (spec === undefined) return undefined;
  const entry = regressorEntry(model);
  const out: Record<string, number> = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [k, v, ...rest] = part.split('=');
    const p = entry.params[k];
    if (!p || rest.length || v === undefined) throw new InputError(`--param ${part}: expected name=value with a name of ${entry.name}'s parameters: ${Object.keys(entry.params).join(', ')}`);
    out[k] = parseParam(`--param ${k}=`, p, v) as number;
  }
  return out;
}

/** Element symbols as users type them (`ti,b` → Ti, B), each checked against the element table. */
export function elementList(value: string | undefined, fallback: readonly string[], flag = '--elements'): string[] {
  const items = value === undefined ? [...fallback] : value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new InputError(`${flag}: expected a comma-separated list of element symbols`);
  return items.map((raw) => {
    const el = /^[A-Za-z]{1,2}$/.test(raw) ? normaliseElement(raw) : undefined;
    if (!el || el.toLowerCase() !== raw.toLowerCase() || !hasElement(el)) throw new InputError(`${flag}: unknown element '${raw}'`);
    return el;
  });
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
Each row is matched to a site pair of the structure by its labels and positions.`;
