/**
 * What a user chooses when they ask for a model: regressor, family, feature set
 * (+ CE options), hyper-parameters and seed, and where the DFT data come from.
 * Every workflow takes these typed values; the CLI only parses them.
 */
import { type FamilySpec } from '../model/families/contract.ts';
import { familyParams, familySpec } from '../model/families/index.ts';
import { featureDefinition, type CeOptions } from '../features/sets.ts';
import { trainingSets, type DataSource, type SubstitutionSystem } from '../substitution/system.ts';
import { InputError } from '../util/errors.ts';
import type { CleanedDataSet } from '../substitution/dataset.ts';

/** Where the DFT data come from: one or several data sets, each with its structure and cell. */
export interface DataChoice {
  sources: DataSource[];
}

export interface ModelChoice {
  /** Regressor name (`svr`, `rf`, …) of a family built on one; absent: the registry's default. */
  model?: string;
  family: string;
  /** Feature set name (`ceaet`, `cenn`, `cc`, …). */
  features?: string;
  /** CE options refining the set. */
  ce?: CeOptions;
  /** Hyper-parameters overriding the family's defaults. */
  params?: Record<string, number>;
  seed: number;
}

/** The spec of one family of a choice; with several families, each takes the parameters it declares (checked by the CLI). */
export function specOf(c: ModelChoice, family = c.family): FamilySpec {
  const declared = familyParams(family, c.model);
  const params = c.params && Object.fromEntries(Object.entries(c.params).filter(([k]) => k in declared));
  return familySpec(family, c.model, { params, features: featureDefinition(c.features, c.ce), seed: c.seed });
}

export function loadTraining(d: DataChoice): { systems: SubstitutionSystem[]; data: CleanedDataSet } {
  if (d.sources.length === 0) throw new InputError('no data set given (--data)');
  return trainingSets(d.sources);
}
