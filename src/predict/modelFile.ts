import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { featureNames, siteBlockNames } from '../features/ce.ts';
import { InputError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/atomicWrite.ts';
import { SubstitutionModel, type FamilySpec } from '../model/family.ts';
import { analyzeSymmetry } from '../structure/symmetry.ts';
import type { Structure } from '../structure/structure.ts';
import type { RegressorJSON } from '../model/estimator.ts';

export const MODEL_FORMAT = 'cescreen-model';
export const MODEL_VERSION = 1;

/** The training cell, to tell whether a prediction target is the same phase. */
export interface PhaseFingerprint {
  formula: string;
  spacegroup: number;
  lattice: [number, number, number, number, number, number];
  /** `<label> <multiplicity><letter>` of every orbit, sorted. */
  sites: string[];
}

/** What a saved model remembers about its training, so predictions can flag extrapolation. */
export interface TrainingInfo {
  structure: string;
  data: string;
  phase: PhaseFingerprint;
  samples: number;
  /** Elements seen as substituents or hosts in training. */
  elements: string[];
  maxDistance: number;
  supercell: string;
  seed: number;
}

type FamilyJSON = { spec: FamilySpec; main: RegressorJSON; single: RegressorJSON | null };

interface ModelFileJSON {
  format: string;
  version: number;
  training: TrainingInfo;
  families: Record<string, { featureNames: { main: string[]; single: string[] | null; digest: string }; model: FamilyJSON }>;
}

/** Model names in a file: the two families, and the site family selected by R² or F1 (`train --select`). */
export const MODEL_NAMES = ['site', 'transfer', 'site-r2', 'site-f1'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export interface SavedModel {
  families: Partial<Record<ModelName, SubstitutionModel>>;
  training: TrainingInfo;
}

/** Feature names and a digest of the whole definition (weights, aggregation … that names do not show). */
function namesOf(spec: FamilySpec) {
  return {
    main: featureNames(spec.features),
    single: spec.endFeatures ? siteBlockNames(spec.endFeatures) : null,
    digest: createHash('sha256').update(JSON.stringify([spec.features, spec.endFeatures])).digest('hex'),
  };
}

export function saveModel(path: string, saved: SavedModel): void {
  const families: ModelFileJSON['families'] = {};
  for (const [name, m] of Object.entries(saved.families) as [ModelName, SubstitutionModel][]) {
    families[name] = { featureNames: namesOf(m.spec), model: m.toJSON() };
  }
  const json: ModelFileJSON = { format: MODEL_FORMAT, version: MODEL_VERSION, training: saved.training, families };
  writeFileAtomic(path, JSON.stringify(json) + '\n');
}

/** Read a model file; anything but a complete model of this version and feature definition is an InputError. */
export async function loadModel(path: string, text?: string): Promise<SavedModel> {
  const where = { file: path };
  let json: ModelFileJSON;
  try {
    json = JSON.parse(text ?? readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InputError(`not a readable model file (${(e as Error).message}); expected the JSON written by 'cescreen train'`, where);
  }
  if (!json || typeof json !== 'object' || json.format !== MODEL_FORMAT) {
    throw new InputError(`not a cescreen model (format '${String((json as { format?: unknown })?.format)}'); expected '${MODEL_FORMAT}'`, where);
  }
  if (json.version !== MODEL_VERSION) {
    throw new InputError(`model format version ${json.version} is not supported (this cescreen reads version ${MODEL_VERSION}); retrain with 'cescreen train'`, where);
  }
  const t = json.training;
  if (!t || !Array.isArray(t.elements) || !t.phase || !json.families || typeof json.families !== 'object') {
    throw new InputError('model file is incomplete (no training information or no model)', where);
  }
  const families: SavedModel['families'] = {};
  for (const [name, entry] of Object.entries(json.families) as [ModelName, ModelFileJSON['families'][string]][]) {
    if (!MODEL_NAMES.includes(name)) throw new InputError(`unknown model '${name}' (expected ${MODEL_NAMES.join(', ')})`, where);
    let names;
    try {
      names = namesOf(entry.model.spec);
    } catch (e) {
      throw new InputError(`the ${name} model's feature definition is invalid (${(e as Error).message})`, where);
    }
    if (JSON.stringify(names) !== JSON.stringify(entry.featureNames)) {
      throw new InputError(`the ${name} model was built with another feature definition than this cescreen builds; retrain it`, where);
    }
    try {
      families[name] = await SubstitutionModel.fromJSON(entry.model);
    } catch (e) {
      throw new InputError(`the ${name} model is damaged (${(e as Error).message})`, where);
    }
  }
  if (Object.keys(families).length === 0) throw new InputError('model file holds no model', where);
  return { families, training: t };
}

/** Same phase: same formula, space group, Wyckoff sites and lattice parameters within 2 %. */
export function samePhase(a: PhaseFingerprint, b: PhaseFingerprint): boolean {
  return (
    a.formula === b.formula &&
    a.spacegroup === b.spacegroup &&
    JSON.stringify(a.sites) === JSON.stringify(b.sites) &&
    a.lattice.every((x, k) => Math.abs(x - b.lattice[k]) <= 0.02 * Math.abs(b.lattice[k]))
  );
}

export function phaseOf(structure: Structure): PhaseFingerprint {
  const sym = analyzeSymmetry(structure);
  const l = structure.lattice;
  return {
    formula: structure.formula(),
    spacegroup: sym.number,
    lattice: [l.a, l.b, l.c, l.alpha, l.beta, l.gamma],
    sites: sym.orbits.map((x) => `${x.label} ${x.multiplicity}${x.wyckoff}`).sort(),
  };
}

/** The family a prediction uses: asked for, else site on the training phase and transfer on any other. */
export function chooseFamily(saved: SavedModel, target: Structure, asked?: string): { family: string; model: SubstitutionModel } {
  if (asked !== undefined && !MODEL_NAMES.includes(asked as ModelName)) throw new InputError(`family ${asked}: expected one of ${MODEL_NAMES.join(', ')}`);
  const name = (asked ?? (samePhase(phaseOf(target), saved.training.phase) ? 'site' : 'transfer')) as ModelName;
  const model = saved.families[name] ?? (asked ? undefined : Object.values(saved.families)[0]);
  if (!model) throw new InputError(`the model file holds no ${name} model (it has ${Object.keys(saved.families).join(', ')})`);
  return { family: saved.families[name] ? name : model.spec.family, model };
}
