/**
 * Published reference numbers for α-Nb5Si3 (test MAE, meV per cell; CEAET
 * features; Digital Discovery 2025, doi:10.1039/d5dd00079c), per centre site and
 * over all sites. `compare` prints ours beside them.
 */
export const ANCHORS: { name: string; NbI: number; NbII: number; SiI: number; SiII: number; all: number | null }[] = [
  { name: 'CEAET-SVR (literature)', NbI: 137.95, NbII: 177.35, SiI: 174.86, SiII: 71.39, all: 329.43 },
  { name: 'CEAET-RF (literature)', NbI: 391.11, NbII: 454.11, SiI: 347.7, SiII: 359.95, all: 578.16 },
  { name: '3D-ELAN graph network', NbI: 248.8, NbII: 307.6, SiI: 419.2, SiII: 301.2, all: null },
];

/** The feature sets of the literature's comparison. */
export const FEATURE_SETS: Record<string, { features: string; weight?: number; label: string }> = {
  ceaet: { features: 'ceaet', weight: -1, label: 'CEAET r^-1' },
  'ceaet-0.5': { features: 'ceaet', weight: -0.5, label: 'CEAET r^-1/2' },
  cenn: { features: 'cenn', weight: -1, label: 'CENN(12) r^-1' },
  cc: { features: 'cc', label: 'CC (composition)' },
};
