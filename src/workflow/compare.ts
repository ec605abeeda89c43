import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compareModels as compare, type Comparison, type Literature } from '../model/evaluation/compare.ts';
import { FEATURE_SETS, featureSet } from '../features/sets.ts';
import { InputError } from '../util/errors.ts';
import type { Progress } from '../util/progress.ts';
import { loadTraining, type DataChoice } from './choices.ts';

/** Published numbers for a data set: `literature.json` beside it, when present. */
export function literatureFor(data: string): Literature | null {
  const file = join(dirname(data), 'literature.json');
  if (!existsSync(file)) return null;
  try {
    const j = JSON.parse(readFileSync(file, 'utf8')) as Literature;
    if (!Array.isArray(j.rows)) throw new Error('no rows');
    return { ...j, rows: j.rows.map((r) => ({ ...r, family: 'literature' })) };
  } catch (e) {
    throw new InputError(`not a literature table (${(e as Error).message}); expected {source, protocol, unit, rows: [{model, features, per_site, all}]}`, { file });
  }
}

export interface CompareRequest extends DataChoice {
  models: string[];
  featureSets: string[];
  family: string;
  protocol: string;
  seed: number;
  repeats: number;
  search?: boolean;
  /** Hyper-parameters, each given to the models that declare it (e.g. epochs for dnn and mhar). */
  params?: Record<string, number>;
  progress?: Progress;
}

/** Every set: each regressor is paired with the sets it can read (comparisonPairs). */
export const DEFAULT_FEATURE_SETS = FEATURE_SETS.map((s) => s.name);

/** Every model × feature set on one protocol beside the data set's published numbers. */
export async function compareModels(r: CompareRequest): Promise<Comparison> {
  const sets = r.featureSets.map(featureSet);
  const { systems, data } = loadTraining(r);
  const system = systems[0];
  const rows = await compare(data, { ...r, sets });
  const literature = literatureFor(r.sources[0].data);
  const sites = new Set([...rows, ...(literature?.rows ?? [])].flatMap((x) => Object.keys(x.per_site)));
  // sites in the structure's own order
  return { protocol: r.protocol, sites: system.enumeration.cell.labels().filter((s) => sites.has(s)), literature, rows };
}
