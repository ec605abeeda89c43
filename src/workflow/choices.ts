/**
 * What a user chooses when they ask for a model: regressor, family, feature set
 * (+ CE options), hyper-parameters and seed, and where the DFT data come from.
 * Every workflow takes these typed values; the CLI only parses them.
 */
import { familySpec, type FamilySpec } from '../model/family.ts';
import { featureDefinition, type CeOptions } from '../features/sets.ts';
import { trainingData, type SubstitutionSystem } from '../substitution/system.ts';
import type { CleanedDataSet } from '../substitution/dataset.ts';

export interface DataChoice {
  /** DFT substitution energies (data-set format). */
  data: string;
  /** Its structure; default `structure.cif` beside the data. */
  structure?: string;
  supercell?: string;
  maxDistance?: number;
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

export function loadTraining(d: DataChoice): { system: SubstitutionSystem; data: CleanedDataSet } {
  return trainingData(d.data, { structure: d.structure, supercell: d.supercell, maxDistance: d.maxDistance });
}
