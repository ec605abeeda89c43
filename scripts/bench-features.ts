/**
 * CE features for all 14 × 14 element pairs over every configuration of a
 * 2×2×1 α-Nb5Si3 supercell within 5.5 Å (goal: under 1 s). Shell finding (AET
 * of the atoms involved) is reported apart from the feature arithmetic.
 * Run: npx tsx scripts/bench-features.ts
 */
import { readStructure } from '../src/structure/io.ts';
import { supercell } from '../src/structure/supercell.ts';
import { substitutionPairs } from '../src/substitution/pairs.ts';
import { expandSubstitutions } from '../src/substitution/substitution.ts';
import { CeFeaturizer } from '../src/features/ce.ts';
import { ALLOYING_ELEMENTS } from '../src/features/elements.ts';

const alpha = readStructure(new URL('../structures/alpha-Nb5Si3/structure.cif', import.meta.url).pathname, {});
let t = performance.now();
const e = substitutionPairs(supercell(alpha, [[2, 0, 0], [0, 2, 0], [0, 0, 1]]), { maxDistance: 5.5 });
const tPairs = performance.now() - t;
const subs = expandSubstitutions(e, [...ALLOYING_ELEMENTS]);
for (const def of [{ env: 'aet' as const }, { env: 'nn' as const, nn: 12 }, { values: 'both' as const, aggregate: 'sum' as const, host: true }]) {
  const f = new CeFeaturizer(e, def);
  t = performance.now();
  for (const p of e.pairs) f.site(p.atomA), f.site(p.atomB);
  const tShells = performance.now() - t;
  t = performance.now();
  let n = 0;
  for (const s of subs) n += f.features(s).length;
  const tFeat = performance.now() - t;
  console.log(
    `${JSON.stringify(def).padEnd(48)} ${e.cell.length} atoms, ${e.pairs.length} configurations, ${subs.length} substitutions × ${f.names.length} features: ` +
      `shells ${tShells.toFixed(0)} ms + features ${tFeat.toFixed(0)} ms = ${(tShells + tFeat).toFixed(0)} ms (${n} values)`,
  );
}
console.log(`pair enumeration (symmetry of the 128-atom cell): ${tPairs.toFixed(0)} ms`);
