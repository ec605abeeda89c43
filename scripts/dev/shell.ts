import { trainingData, DEFAULT_DATA, substitutionSystem } from '../../src/substitution/system.ts';
import { featurizerFor, DEFAULT_CE } from '../../src/features/ce.ts';
for (const f of ['/work/main/structures/alpha-Nb5Si3/structure.cif','/work/main/structures/beta-Nb5Si3/structure.cif']) {
const { enumeration } = substitutionSystem(f);
const fz = featurizerFor(enumeration, DEFAULT_CE);
for (const o of enumeration.symmetry.orbits) { const s = fz.site(o.atoms[0]); const c: Record<string,number> = {}; s.shell.forEach((n,k)=> c[n.element]=(c[n.element]??0)+s.weights[k]); const cnt: Record<string,number> = {}; s.shell.forEach(n=>cnt[n.element]=(cnt[n.element]??0)+1); console.log(o.label, s.cn, JSON.stringify(cnt), JSON.stringify(Object.fromEntries(Object.entries(c).map(([k,v])=>[k,v.toFixed(2)]))), s.meanDistance.toFixed(3), s.volume.toFixed(1)); }
}
