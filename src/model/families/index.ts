/**
 * The model-family registry: the SVR families, the structured GP and the
 * baselines. Adding a family = one entry in FAMILIES.
 */
import { DEFAULT_CE, type CeDefinition } from '../../features/ce.ts';
import type { PairEnumeration } from '../../substitution/pairs.ts';
import { regressorEntry } from '../learn/regressors.ts';
import { InputError } from '../../util/errors.ts';
import type { FamilyEntry, FamilyJSON, FamilySpec, SubstitutionModel, TrainingSample } from './contract.ts';
import { SVR_FAMILIES } from './regressor.ts';
import { BASELINE_FAMILIES } from './baselines.ts';
import { GP_FAMILY } from './gp.ts';

export const FAMILIES: readonly FamilyEntry[] = [GP_FAMILY, ...SVR_FAMILIES, ...BASELINE_FAMILIES];

/** The families a user picks for predictions (baselines are reported, not chosen). */
export const MODEL_FAMILIES = FAMILIES.filter((f) => !f.baseline);

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

/** A family with a regressor (CLI name or kind), its defaults overridden by `params`. */
export function familySpec(
  family: string,
  regressor = 'svr',
  o: { params?: Record<string, number>; singleParams?: Record<string, number>; features?: Partial<CeDefinition>; seed?: number } = {},
): FamilySpec {
  const base = familyEntry(family);
  const kind = base.baseline || base.regressor === false ? 'none' : regressorEntry(regressor).kind;
  const defaults = base.defaults[kind] ?? { params: {}, singleParams: {} };
  const features = o.features ?? {};
  return {
    family,
    regressor: kind,
    params: { ...defaults.params, ...o.params },
    singleParams: { ...defaults.singleParams, ...o.params, ...o.singleParams },
    seed: o.seed ?? 0,
    features: { ...DEFAULT_CE, ...base.features, ...features },
    endFeatures: base.endFeatures ? { ...DEFAULT_CE, ...base.endFeatures, ...pickShell(features) } : null,
  };
}

export async function fitFamily(spec: FamilySpec, samples: TrainingSample[]): Promise<SubstitutionModel> {
  if (samples.length === 0) throw new RangeError('no training samples');
  return familyEntry(spec.family).fit(spec, samples);
}

export async function familyFromJSON(json: FamilyJSON, cells: PairEnumeration[] = []): Promise<SubstitutionModel> {
  return familyEntry(json?.spec?.family).fromJSON(json, cells);
}

