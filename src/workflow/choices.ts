/**
 * What a user chooses when they ask for a model: regressor, family, feature set
 * (+ CE options), hyper-parameters and seed, and where the DFT data come from.
 * Every workflow takes these typed values; the CLI only parses them.
 */
import { type FamilySpec } from '../model/families/contract.ts';
import { familySpec } from '../model/families/index.ts';
import { featureDefinition, type CeOptions } from '../features/sets.ts';
import { trainingSets, type DataSource, type SubstitutionSystem } from '../substitution/system.ts';
import { InputError } from '../util/errors.ts';
import type { CleanedDataSet } from '../substitution/dataset.ts';

/** Where the DFT data come from: one or several data sets, each with its structure and cell. */
export interface DataChoice {
  sources: DataSource[];
}

export interface ModelChoice {
  /** Regressor name (`svr`, `rf`, …). */
  model: string;
  family: string;
  /** Feature set name (`ceaet`, `cenn`, `cc`, …). */
  features?: string;
  /** CE options refining the set. */
  ce?: CeOptions;
  /** Hyper-parameters overriding the family's defaults. */
  params?: Record<string, number>;
  seed: number;
}

export function specOf(c: ModelChoice, family = c.family): FamilySpec {
  return familySpec(family, c.model, { params: c.params, features: featureDefinition(c.features, c.ce), seed: c.seed });
}

export function loadTraining(d: DataChoice): { systems: SubstitutionSystem[]; data: CleanedDataSet } {
  if (d.sources.length === 0) throw new InputError('no data set given (--data)');
  return trainingSets(d.sources);
}
