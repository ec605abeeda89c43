import { collapseByKey } from '../substitution/dataset.ts';
import { fitFamily } from '../model/family.ts';
import { searchFamilyParams } from '../model/search.ts';
import { phaseOf, type SavedModel } from '../predict/modelFile.ts';
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
  const { system, data } = loadTraining(r);
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
  const elements = new Set<string>(system.enumeration.cell.sites.map((s) => s.element));
  for (const s of samples) elements.add(s.substitution.elementA).add(s.substitution.elementB);
  return {
    families,
    training: {
      structure: system.file,
      data: r.data,
      phase: phaseOf(system.structure),
      samples: samples.length,
      elements: [...elements].sort(),
      maxDistance: system.maxDistance,
      supercell: system.supercell,
      seed: r.seed,
    },
  };
}
