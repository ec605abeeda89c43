/**
 * Feature definitions by name (the `--features` and `--feature-sets` choices)
 * and the CE parameters that refine them, declared once.
 */
import { choice, number, type ParamValues } from '../util/params.ts';
import { InputError } from '../util/errors.ts';
import { DEFAULT_CE, type CeDefinition } from './ce.ts';

/** Every CE option a user can set; unset options keep the model family's layout. */
export const CE_PARAMS = {
  env: choice('shell of a site', DEFAULT_CE.env, { aet: 'its atomic environment type (CEAET)', nn: 'its n nearest neighbours (CENN)' }),
  nn: number('neighbours in the CENN shell', DEFAULT_CE.nn, { min: 1, max: 100, integer: true }),
  weight: number('environment weight exponent m of r^m (−1, −0.5; 0 = composition only)', DEFAULT_CE.weight, { min: -6, max: 6 }),
  aggregate: choice('how the shell is summed', DEFAULT_CE.aggregate, { mean: 'weighted mean Σw·p/Σw', sum: 'unnormalised weighted sum Σw·p (keeps CN and bond lengths)' }),
  values: choice('element properties', DEFAULT_CE.values, { absolute: 'as such', relative: 'minus the host’s (the pristine cell is the zero vector)', both: 'both' }),
} as const;
export type CeOptions = Partial<ParamValues<typeof CE_PARAMS>>;

export interface FeatureSet {
  name: string;
  /** Label in comparison tables. */
  label: string;
  description: string;
  definition: Partial<CeDefinition>;
}

export const FEATURE_SETS: readonly FeatureSet[] = [
  { name: 'ceaet', label: 'CEAET r^-1', description: 'centre + AET shell, r^-1 weights', definition: { env: 'aet', weight: -1 } },
  { name: 'ceaet-0.5', label: 'CEAET r^-1/2', description: 'centre + AET shell, r^-1/2 weights', definition: { env: 'aet', weight: -0.5 } },
  { name: 'cenn', label: 'CENN(12) r^-1', description: 'centre + 12 nearest neighbours, r^-1 weights', definition: { env: 'nn', weight: -1 } },
  { name: 'cc', label: 'CC (composition)', description: 'composition only: unweighted AET-shell mean', definition: { env: 'aet', weight: 0, aggregate: 'mean' } },
  // for sequence models (lgdcnn, mhar): a kernel on 900 padded columns learns nothing useful
  { name: 'tokens', label: 'tokens (AET) r^-1', description: 'token sequence: both centres, then their AET shell atoms by distance (for lgdcnn, mhar)', definition: { env: 'aet', weight: -1, layout: 'tokens' } },
];

export function featureSet(name: string): FeatureSet {
  const f = FEATURE_SETS.find((s) => s.name === name);
  if (!f) throw new InputError(`--features ${name}: expected one of ${FEATURE_SETS.map((s) => s.name).join(', ')}`);
  return f;
}

/** A named set refined by explicit CE options (options win). */
export function featureDefinition(set = 'ceaet', options: CeOptions = {}): Partial<CeDefinition> {
  const def: Partial<CeDefinition> = { ...featureSet(set).definition };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) (def as Record<string, unknown>)[k] = v;
  return def;
}
