/**
 * The model-family registry: the structured GP, the families built on a
 * regressor and the baselines. Adding a family = its file (entry and model) and
 * one line in FAMILIES; everything else finds it by its declared capabilities.
 */
import { DEFAULT_CE, inputOf, type CeDefinition } from '../../features/ce.ts';
import type { PairEnumeration } from '../../substitution/pairs.ts';
import { DEFAULT_REGRESSOR, regressorEntry } from '../learn/regressors.ts';
import { isFitted, resolveParams, type ParamDefs } from '../../util/params.ts';
import { InputError } from '../../util/errors.ts';
export { CAPABILITIES, type Capability, type SuggestGoal } from './contract.ts';
import { hasCapability, type Capability, type FamilyEntry, type FamilyJSON, type FamilySpec, type SubstitutionModel, type TrainingSample } from './contract.ts';
import { SVR_FAMILIES } from './regressor.ts';
import { BASELINE_FAMILIES } from './baselines.ts';
import { GP_FAMILY } from './gp.ts';
import { HIERARCHICAL_FAMILY } from './hierarchical.ts';

// registry order is preference order: predict takes the first model of a file that fits the target
const registry: FamilyEntry[] = [HIERARCHICAL_FAMILY, GP_FAMILY, ...SVR_FAMILIES, ...BASELINE_FAMILIES];
export const FAMILIES: readonly FamilyEntry[] = registry;

/** A family from elsewhere (a plugin, a test): after the registered ones, found by its name and capabilities like them. */
export function registerFamily(entry: FamilyEntry): void {
  if (registry.some((f) => f.name === entry.name)) throw new Error(`a family named ${entry.name} is registered already`);
  registry.push(entry);
}

/** The family `evaluate` and `predict` use unless told otherwise, and the ones `train` fits into a model file. */
export const DEFAULT_FAMILY = 'hierarchical';
export const TRAINED_BY_DEFAULT = ['hierarchical', 'site'];

/** The families a user picks for predictions (baselines are reported, not chosen). */
export const modelFamilies = () => FAMILIES.filter((f) => f.role === 'model');

/** The model families that declare a capability, in registry order. */
export const familiesWith = (c: Capability) => modelFamilies().filter((f) => hasCapability(f, c));

export function familyEntry(name: string): FamilyEntry {
  const e = FAMILIES.find((f) => f.name === name);
  if (!e) throw new InputError(`--family ${name}: expected one of ${FAMILIES.map((f) => f.name).join(', ')}`);
  return e;
}

/** The shell choice and weight apply to both definitions of a family; the value layout does not. */
function pickShell(f: Partial<CeDefinition>): Partial<CeDefinition> {
  const out: Partial<CeDefinition> = {};
  if (f.env) out.env = f.env;
  if (f.nn) out.nn = f.nn;
  if (f.weight !== undefined) out.weight = f.weight;
  if (f.properties) out.properties = f.properties;
  if (f.layout) out.layout = f.layout;
  if (f.maxShell) out.maxShell = f.maxShell;
  return out;
}

/** The parameters a family takes: its regressor's (the named one or the registry's default), or its own. */
export function familyParams(family: string, regressor?: string): ParamDefs {
  const e = familyEntry(family);
  return e.regressor ? regressorEntry(regressor ?? DEFAULT_REGRESSOR).params : e.params;
}

/**
 * A family with its regressor (CLI name or kind; the registry's default when not given), its
 * defaults overridden by `params`. What the family cannot use is an input error naming it: a
 * regressor for a family that is a model of its own, a regressor that cannot read the feature
 * layout, a parameter it does not declare.
 */
export function familySpec(
  family: string,
  regressor?: string,
  o: { params?: Record<string, number>; singleParams?: Record<string, number>; features?: Partial<CeDefinition>; seed?: number } = {},
): FamilySpec {
  const base = familyEntry(family);
  const features = { ...DEFAULT_CE, ...base.features, ...(o.features ?? {}) };
  const input = inputOf(features);
  let kind = 'none';
  let params: Record<string, number> = {};
  let singleParams: Record<string, number> = {};
  if (base.regressor) {
    const r = regressorEntry(regressor ?? DEFAULT_REGRESSOR);
    if (!r.reads.includes(input)) throw new InputError(`--model ${r.name} reads ${r.reads.join(' or ')}, and --features ${features.layout === 'tokens' ? 'tokens' : '(CE vectors)'} gives ${input}`);
    kind = r.kind;
    const defaults = base.defaults[kind] ?? { params: {}, singleParams: {} };
    resolveParams(r.params, { ...o.params, ...o.singleParams }, `${r.name} parameter`);
    params = { ...defaults.params, ...o.params };
    singleParams = { ...defaults.singleParams, ...o.params, ...o.singleParams };
  } else {
    if (regressor !== undefined) throw new InputError(`--model ${regressor}: the ${family} family is a model of its own and takes no regressor; families built on one: ${modelFamilies().filter((f) => f.regressor).map((f) => f.name).join(', ')}`);
    if (input !== 'vectors') throw new InputError(`--features: the ${family} family reads CE vectors, not ${input}`);
    if (base.role === 'model') {
      const given = { ...o.params, ...o.singleParams };
      const all = resolveParams(base.params, given, `${family} parameter`);
      // fitted parameters stay free unless given (then they are fixed at that value)
      params = Object.fromEntries(Object.entries(all).filter(([k]) => !isFitted(base.params[k]) || k in given)) as Record<string, number>;
    }
  }
  return {
    family,
    regressor: kind,
    params,
    singleParams,
    seed: o.seed ?? 0,
    features,
    endFeatures: base.endFeatures ? { ...DEFAULT_CE, ...base.endFeatures, ...pickShell(o.features ?? {}) } : null,
  };
}

/** Fit a family, refusing a training set smaller than it declares it needs. */
export async function fitFamily(spec: FamilySpec, samples: TrainingSample[]): Promise<SubstitutionModel> {
  const entry = familyEntry(spec.family);
  const singles = samples.filter((s) => s.kind === 'single').length;
  const { calculations, singles: needSingles = 0 } = entry.minimum;
  if (samples.length < calculations || singles < needSingles)
    throw new InputError(`the ${spec.family} family needs at least ${calculations} calculations${needSingles ? ` with ${needSingles} single substitutions` : ''} to fit; this training set has ${samples.length}${needSingles ? ` (${singles} single)` : ''}`);
  return entry.fit(spec, samples);
}

export async function familyFromJSON(json: FamilyJSON, cells: PairEnumeration[] = []): Promise<SubstitutionModel> {
  return familyEntry(json?.spec?.family).fromJSON(json, cells);
}

/** The baselines every protocol reports beside a model, on the same splits (`lookup` only where a protocol is leaky). */
export function baselineSpecs(leaky: boolean, seed: number): [string, FamilySpec][] {
  return [
    ['mean', familySpec('mean', undefined, { seed })],
    ['additive', familySpec('additive', undefined, { seed })],
    ['additive-pairs', familySpec('additive-pairs', undefined, { seed })],
    ['element mean', familySpec('element-mean', undefined, { seed })],
    // scikit-learn's SVR defaults (C 1, ε 0.1, γ 1/d) on centre + AET-shell properties, no geometry
    ['CEAET-SVR (literature)', familySpec('site', 'svr', { seed, params: { C: 1, epsilon: 0.1, gammaScale: 1 }, features: { geometry: false } })],
    ...(leaky ? [['lookup', familySpec('lookup', undefined, { seed })] as [string, FamilySpec]] : []),
  ];
}
