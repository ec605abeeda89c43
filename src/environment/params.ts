import { number } from '../util/params.ts';

/** How environments are analysed, declared once for the commands that take them. */
export const ENVIRONMENT_PARAMS = {
  // 0.01 Å, as pymatgen's default: absorbs the rounding of CIF coordinates
  symprec: number('symmetry tolerance', 0.01, { min: 0, minExclusive: true, max: 1, unit: 'Å' }),
  cutoff: number('distance cutoff of the nearest-neighbour histogram', 8, { min: 0, minExclusive: true, max: 50, unit: 'Å' }),
  maxRatio: number('candidate AET shells up to this multiple of the nearest distance', 2, { min: 1, max: 4 }),
  // 15°: noisy faces fold by ≤ 8.3° at 2 % displacement noise, distinct faces of the ideal library are ≥ 25.2° apart
  angleTolerance: number('coplanarity tolerance of hull faces for the topological code', 15, { min: 0, minExclusive: true, max: 45, unit: '°' }),
} as const;
