import { collapseByKey, type Sample } from '../substitution/dataset.ts';
import { familyEntry, fitFamily, modelFamilies } from '../model/families/index.ts';
import type { SubstitutionModel } from '../model/families/contract.ts';
import { searchFamilyBy, type InnerCVScores } from '../model/evaluation/search.ts';
import { phaseOf, storeCell, type SavedModel, type TrainingInfo } from '../predict/modelFile.ts';
import { DEFAULT_TARGET, substitutionSystem, type SubstitutionSystem } from '../substitution/system.ts';
import type { SubstitutionKind } from '../substitution/substitution.ts';
import { predictAll, stabilising } from '../predict/predict.ts';
import { SILENT, inStage, type Progress } from '../util/progress.ts';
import { InputError } from '../util/errors.ts';
import { loadTraining, specOf, type DataChoice, type ModelChoice } from './choices.ts';

export interface TrainRequest extends DataChoice, Omit<ModelChoice, 'family'> {
  /** Families to fit into the file. */
  families: string[];
  /**
   * Also keep each requested family that has a regressor (site when none has) tuned, from its
   * regressor's declared grid by grouped CV inside the training data, for the best CV R² and/or F1
   * of "stabilising" (saved as <family>-r2, <family>-f1).
   */
  select?: ('r2' | 'f1')[];
  /** E_DS below this (eV) is "stabilising" for F1, precision, recall and the flags (default 0). */
  threshold?: number;
  /** Structure whose substitutions each selected model flags as stabilising (default β-Nb5Si3). */
  flagStructure?: string;
  /** Inner CV folds of the selection (default 3). */
  folds?: number;
  /** A grid in place of the regressor's declared one (tests, studies). */
  grid?: Record<string, readonly number[]>;
  progress?: Progress;
}


/** A substitution a selected model predicts below the threshold. */
export interface FlaggedPair {
  config: number;
  site_a: string;
  element_a: string;
  site_b: string;
  element_b: string;
  /** single: one end keeps its host element (host_a or host_b). */
  kind: SubstitutionKind;
  host_a: string;
  host_b: string;
  distance: number;
  eds_pred: number;
}

/** What `train --select` reports of one selected model. */
export interface SelectionReport {
  /** Name in the model file (site-f1 …). */
  model: string;
  family: string;
  regressor: string;
  /** The chosen hyper-parameters (declared defaults overridden). */
  params: Record<string, number>;
  inner_cv: InnerCVScores;
  /** The flag structure's calculations predicted below the threshold, most negative first. */
  flagged: { structure: string; formula: string; calculations: number; count: number; pairs: FlaggedPair[] };
}

export interface TrainResult extends SavedModel {
  selection: SelectionReport[];
}

/** Every calculation any selected model flags (as the last model flagging it lists it), with each flagging model's E_DS, most negative first. */
export function flagsAcrossModels(sel: readonly SelectionReport[]): { pair: FlaggedPair; byModel: Map<string, number> }[] {
  const rows = new Map<string, { pair: FlaggedPair; byModel: Map<string, number> }>();
  for (const s of sel) {
    for (const p of s.flagged.pairs) {
      const k = `${p.config}:${p.element_a}:${p.element_b}`;
      const row = rows.get(k) ?? { pair: p, byModel: new Map<string, number>() };
      row.pair = p;
      row.byModel.set(s.model, p.eds_pred);
      rows.set(k, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.pair.eds_pred - b.pair.eds_pred);
}

/** Every physical calculation of a structure with the training elements, and those a model puts below the threshold. */
function flaggedBy(model: SubstitutionModel, system: SubstitutionSystem, elements: string[], threshold: number): SelectionReport['flagged'] {
  const rows = predictAll(model, system.enumeration, elements, elements);
  const hosts = system.structure.hosts();
  const pairs = stabilising(rows, threshold).map((r) => ({ config: r.config, site_a: r.site_a, element_a: r.element_a, site_b: r.site_b, element_b: r.element_b, kind: r.kind, host_a: hosts.get(r.site_a)!, host_b: hosts.get(r.site_b)!, distance: r.distance, eds_pred: r.eds_pred }));
  return { structure: system.file, formula: system.structure.formula(), calculations: rows.length, count: pairs.length, pairs };
}

/** Fit every requested family on every row of a data set (and the R²/F1-selected ones with --select). */
export async function trainModel(r: TrainRequest): Promise<TrainResult> {
  const { systems, data } = loadTraining(r);
  const samples = collapseByKey(data.rows);
  const select = r.select ?? [];
  const threshold = r.threshold ?? 0;
  const tunable = r.families.filter((f) => familyEntry(f).regressor);
  if (r.model !== undefined && !tunable.length && !r.select?.length)
    throw new InputError(`--model ${r.model}: none of the families ${r.families.join(', ')} is built on a regressor; families that are: ${modelFamilies().filter((f) => f.regressor).map((f) => f.name).join(', ')}`);
  // the regressor goes to the families built on one
  const spec = (family: string) => specOf({ ...r, family, model: familyEntry(family).regressor ? r.model : undefined });
  // with no family on a regressor among those asked for, the first one in the registry is tuned
  const selected = select.length ? (tunable.length ? tunable : [modelFamilies().find((f) => f.regressor)!.name]) : [];
  const families: SavedModel['families'] = {};
  const selection: SelectionReport[] = [];
  const training = trainingInfo(systems, r.sources.map((x) => x.data), samples, r.seed);
  const flagSystem = selected.length ? substitutionSystem(r.flagStructure ?? DEFAULT_TARGET) : null;
  const progress = r.progress ?? SILENT;
  await inStage(progress, 'training', r.families.length + select.length * selected.length, async (stage) => {
    for (const name of r.families) {
      families[name] = await inStage(progress, `fit ${name} on ${samples.length} calculations`, 1, () => fitFamily(spec(name), samples));
      stage.tick();
    }
    for (const family of selected) {
      const found = await searchFamilyBy(spec(family), samples, select, { seed: r.seed, threshold, folds: r.folds, grid: r.grid, progress });
      for (const [c, criterion] of select.entries()) {
        const { spec, scores } = found[c];
        const name = `${family}-${criterion}`;
        const model = await inStage(progress, `fit ${name}`, 1, () => fitFamily(spec, samples));
        families[name] = model;
        selection.push({ model: name, family, regressor: spec.regressor, params: spec.params, inner_cv: scores!, flagged: flaggedBy(model, flagSystem!, training.elements, threshold) });
        stage.tick();
      }
    }
  });
  return { families, training, selection };
}

/** What a model file records of its training data: each phase with its cell, the elements seen. */
export function trainingInfo(systems: SubstitutionSystem[], dataFiles: string[], samples: readonly Sample[], seed: number): TrainingInfo {
  const elements = new Set<string>(systems.flatMap((s) => s.enumeration.cell.sites.map((x) => x.element)));
  const substituents = new Set<string>();
  for (const s of samples) {
    elements.add(s.substitution.elementA).add(s.substitution.elementB);
    for (const [atom, el] of [
      [s.substitution.pair.atomA, s.substitution.elementA],
      [s.substitution.pair.atomB, s.substitution.elementB],
    ] as const)
      if (s.enumeration.cell.sites[atom].element !== el) substituents.add(el);
  }
  return {
    // phases in the order their cells first appear among the samples: models that keep their data number cells so
    phases: systems.map((system, i) => ({
      structure: system.file,
      data: dataFiles[i],
      phase: phaseOf(system.structure),
      samples: samples.filter((s) => s.enumeration === system.enumeration).length,
      supercell: system.supercell,
      maxDistance: system.maxDistance,
      cell: storeCell(system.enumeration, system.maxDistance),
    })),
    samples: samples.length,
    elements: [...elements].sort(),
    substituents: [...substituents].sort(),
    seed,
  };
}
