import { collapseByKey, type Sample } from '../substitution/dataset.ts';
import { fitFamily } from '../model/families.ts';
import { searchFamilyParams } from '../model/search.ts';
import { phaseOf, storeCell, type SavedModel, type TrainingInfo } from '../predict/modelFile.ts';
import type { SubstitutionSystem } from '../substitution/system.ts';
import { SILENT, inStage, type Progress } from '../util/progress.ts';
import { loadTraining, specOf, type DataChoice, type ModelChoice } from './choices.ts';

export interface TrainRequest extends DataChoice, Omit<ModelChoice, 'family'> {
  /** Families to fit into the file. */
  families: string[];
  /** Also keep the site family tuned for the best CV R² and/or F1 (saved as site-r2, site-f1). */
  select?: ('r2' | 'f1')[];
  progress?: Progress;
}

/** Fit every requested family on every row of a data set. */
export async function trainModel(r: TrainRequest): Promise<SavedModel> {
  const { systems, data } = loadTraining(r);
  const samples = collapseByKey(data.rows);
  const select = r.select ?? [];
  const families: SavedModel['families'] = {};
  await inStage(r.progress ?? SILENT, 'training', r.families.length + select.length, async (stage) => {
    for (const name of r.families) {
      families[name] = await fitFamily(specOf({ ...r, family: name }), samples);
      stage.tick();
    }
    for (const criterion of select) {
      const spec = await searchFamilyParams(specOf({ ...r, family: 'site' }), samples, { seed: r.seed, selectBy: criterion });
      families[`site-${criterion}`] = await fitFamily(spec, samples);
      stage.tick();
    }
  });
  return { families, training: trainingInfo(systems, r.sources.map((x) => x.data), samples, r.seed) };
}

/** What a model file records of its training data: each phase with its cell, the elements seen. */
export function trainingInfo(systems: SubstitutionSystem[], dataFiles: string[], samples: readonly Sample[], seed: number): TrainingInfo {
  const elements = new Set<string>(systems.flatMap((s) => s.enumeration.cell.sites.map((x) => x.element)));
  for (const s of samples) elements.add(s.substitution.elementA).add(s.substitution.elementB);
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
    seed,
  };
}
