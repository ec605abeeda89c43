import { trainingData, DEFAULT_DATA } from '../../src/substitution/system.ts';
import { featurizerFor } from '../../src/features/ce.ts';
import { familySpec } from '../../src/model/families.ts';
const { system } = trainingData(DEFAULT_DATA);
const f = featurizerFor(system.enumeration, familySpec('gp').endFeatures!);
const o = system.enumeration.symmetry.orbits.find((x) => x.label === 'SiII')!;
for (const a of o.atoms) console.log(a, f.environmentDescriptor(a).map((x) => x.toFixed(12)).slice(13).join(' '));
