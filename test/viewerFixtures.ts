// Real data for the figure and viewer tests: the α-Nb5Si3 DFT data set mapped to the pair
// enumeration's configuration ids (as `reproduce` writes alpha-dft.csv), loaded once.
import type { PredictionRow } from '../src/predict/table.ts';
import type { ReferenceEnergy } from '../src/figures/siteHeatmaps.ts';
import { collapseByKey } from '../src/substitution/dataset.ts';
import { DEFAULT_DATA, trainingData } from '../src/substitution/system.ts';

export interface AlphaDft {
  /** Reference energies: config, sites, elements, distance, eds (1612 distinct calculations). */
  reference: (ReferenceEnergy & { site_a: string; site_b: string; distance: number })[];
  /** The same values in the predictions format (eds_pred = the DFT value), for components that take predictions. */
  asPredictions: PredictionRow[];
}

let cached: AlphaDft | undefined;

export function alphaDft(): AlphaDft {
  if (cached) return cached;
  const { data } = trainingData(DEFAULT_DATA);
  const samples = collapseByKey(data.rows);
  const reference = samples.map((s) => ({
    config: s.substitution.pair.id,
    site_a: s.substitution.pair.siteA,
    element_a: s.substitution.elementA,
    site_b: s.substitution.pair.siteB,
    element_b: s.substitution.elementB,
    distance: s.substitution.pair.distance,
    eds: s.eds,
  }));
  const asPredictions: PredictionRow[] = reference.map(({ eds, ...r }, k) => ({ ...r, eds_pred: eds, kind: samples[k].kind, unseen: false }));
  cached = { reference, asPredictions };
  return cached;
}
