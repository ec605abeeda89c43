import { createHash } from 'node:crypto';
import { featureNames, siteBlockNames } from '../features/ce.ts';
import { InputError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/atomicWrite.ts';
import { readTextFile } from '../util/inputFile.ts';
import { MAX_MODEL_FILE_BYTES } from '../util/limits.ts';
import { type FamilyJSON, type FamilySpec, type SubstitutionModel } from '../model/families/contract.ts';
import { familiesWith, familyEntry, familyFromJSON, modelFamilies } from '../model/families/index.ts';
import { hasCapability } from '../model/families/contract.ts';
import { analyzeSymmetry } from '../structure/symmetry.ts';
import { Structure } from '../structure/structure.ts';
import { Lattice, type Mat3, type Vec3 } from '../structure/lattice.ts';
import { substitutionPairs, type PairEnumeration } from '../substitution/pairs.ts';

export const MODEL_FORMAT = 'cescreen-model';
/** 2: several training phases, each with its periodic cell (models that keep their data, as the GP, refer to it). */
export const MODEL_VERSION = 2;

/** The training cell, to tell whether a prediction target is the same phase. */
export interface PhaseFingerprint {
  formula: string;
  spacegroup: number;
  lattice: [number, number, number, number, number, number];
  /** `<label> <multiplicity><letter>` of every orbit, sorted. */
  sites: string[];
}

/** The periodic cell the substitutions of a training phase were computed in, stored whole. */
export interface StoredCell {
  title: string;
  lattice: Mat3;
  sites: { element: string; label: string; frac: Vec3 }[];
  maxDistance: number;
}

/** One data set a model learnt from. */
export interface TrainingPhase {
  structure: string;
  data: string;
  phase: PhaseFingerprint;
  samples: number;
  supercell: string;
  maxDistance: number;
  cell: StoredCell;
}

/** What a saved model remembers about its training, so predictions can flag extrapolation. */
export interface TrainingInfo {
  phases: TrainingPhase[];
  samples: number;
  /** Elements seen as substituents or hosts in training. */
  elements: string[];
  /** Elements placed on a site of another host in training (older files: absent). */
  substituents?: string[];
  seed: number;
}

export function storeCell(enumeration: PairEnumeration, maxDistance: number): StoredCell {
  const c = enumeration.cell;
  return { title: c.title, lattice: c.lattice.matrix.map((r) => [...r]) as Mat3, sites: c.sites.map((x) => ({ element: x.element, label: x.label, frac: [...x.frac] as Vec3 })), maxDistance };
}

/** The enumeration of a stored cell: the same pair ids as in training (the enumeration is deterministic). */
export function restoreCell(c: StoredCell): PairEnumeration {
  return substitutionPairs(new Structure(new Lattice(c.lattice), c.sites, c.title), { maxDistance: c.maxDistance });
}

interface ModelFileJSON {
  format: string;
  version: number;
  training: TrainingInfo;
  families: Record<string, { featureNames: { main: string[]; single: string[] | null; digest: string }; model: FamilyJSON }>;
}

/** Model names in a file: a family's name, or `<family>-r2` / `<family>-f1` for one selected by R² or F1 (`train --select`). */
export const SELECTION_SUFFIXES = ['r2', 'f1'] as const;

/** The family of a model name in a file (`site-r2` → site). */
const familyOfName = (name: string) => name.split('-')[0];

function checkModelName(name: string): boolean {
  const [family, suffix, ...rest] = name.split('-');
  try {
    familyEntry(family);
  } catch {
    return false;
  }
  return rest.length === 0 && (suffix === undefined || (SELECTION_SUFFIXES as readonly string[]).includes(suffix));
}

export interface SavedModel {
  families: Record<string, SubstitutionModel>;
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
  for (const [name, m] of Object.entries(saved.families)) {
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
    json = JSON.parse(text ?? readTextFile(path, 'model file', MAX_MODEL_FILE_BYTES));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`not a readable model file (${(e as Error).message}); expected the JSON written by 'cescreen train'`, where);
  }
  if (!json || typeof json !== 'object' || json.format !== MODEL_FORMAT) {
    throw new InputError(`not a cescreen model (format '${String((json as { format?: unknown })?.format)}'); expected '${MODEL_FORMAT}'`, where);
  }
  if (json.version !== MODEL_VERSION) {
    throw new InputError(`model format version ${json.version} is not supported (this cescreen reads version ${MODEL_VERSION}); retrain with 'cescreen train'`, where);
  }
  const t = json.training;
  if (!t || !Array.isArray(t.elements) || !Array.isArray(t.phases) || t.phases.length === 0 || !json.families || typeof json.families !== 'object') {
    throw new InputError('model file is incomplete (no training information or no model)', where);
  }
  let cells: PairEnumeration[];
  try {
    cells = t.phases.map((p) => restoreCell(p.cell));
  } catch (e) {
    throw new InputError(`a training cell of the model is damaged (${(e as Error).message})`, where);
  }
  const families: SavedModel['families'] = {};
  for (const [name, entry] of Object.entries(json.families)) {
    if (!checkModelName(name)) throw new InputError(`unknown model '${name}' (expected a family name, optionally with -r2 or -f1)`, where);
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
      families[name] = await familyFromJSON(entry.model, cells);
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

/** What chooseFamily picks when no family is asked for, for --help. */
export const DEFAULT_FAMILY_RULE =
  `the file's first model in the order ${modelFamilies().map((f) => f.name).join(', ')}; ` +
  `on a phase other than the training one, the first of those that predict a new phase (${familiesWith('newPhase').map((f) => f.name).join(', ')})`;

/**
 * The model a prediction uses: the one asked for; else, on a training phase, the
 * first model of the file in registry order (the default family first); on any
 * other phase, the first whose family declares it predicts a new phase. When the
 * file holds none of those, its first model is used with a warning saying why.
 */
export function chooseFamily(saved: SavedModel, target: Structure, asked?: string): { family: string; model: SubstitutionModel; warning?: string } {
  const names = Object.keys(saved.families);
  if (asked !== undefined) {
    const model = saved.families[asked];
    if (!model) throw new InputError(`the model file holds no ${asked} model (it has ${names.join(', ')})`);
    return { family: asked, model };
  }
  const fingerprint = phaseOf(target);
  const same = saved.training.phases.some((p) => samePhase(fingerprint, p.phase));
  const order = modelFamilies().map((f) => f.name);
  const fit = names
    .filter((n) => same || hasCapability(familyEntry(familyOfName(n)), 'newPhase'))
    .sort((a, b) => order.indexOf(familyOfName(a)) - order.indexOf(familyOfName(b)) || a.length - b.length);
  if (fit.length) return { family: fit[0], model: saved.families[fit[0]] };
  const family = names[0];
  return {
    family,
    model: saved.families[family],
    warning: `the model file holds no model for a phase other than its training phase (families that predict one: ${familiesWith('newPhase').map((f) => f.name).join(', ')}); using ${family}`,
  };
}
