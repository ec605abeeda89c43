import { trainingData, DEFAULT_DATA } from '../../src/substitution/system.ts';
import { calculationKey, expandSubstitutions } from '../../src/substitution/substitution.ts';
import { featurizerFor } from '../../src/features/ce.ts';
import { familySpec } from '../../src/model/families.ts';
const { system } = trainingData(DEFAULT_DATA);
const spec = familySpec('gp');
const subs = expandSubstitutions(system.enumeration, ['Ti']).filter((s) => calculationKey(system.enumeration, s) === 'SiI#2:Ti');
const f = featurizerFor(system.enumeration, spec.endFeatures!);
for (const s of subs) { const atom = s.elementA === 'Ti' ? s.pair.atomA : s.pair.atomB; console.log(s.pair.id, atom, f.environmentDescriptor(atom).slice(26).map(x=>x.toFixed(8)).join(' '), f.environmentDescriptor(atom).slice(13,16).map(x=>x.toFixed(8)).join(' ')); }
import { collapseByKey } from '../../src/substitution/dataset.ts';
import { fitFamily } from '../../src/model/families.ts';
const { data } = trainingData(DEFAULT_DATA);
const m: any = await fitFamily(familySpec('gp', 'svr', { seed: 0 }), collapseByKey(data.rows).slice(0, 400));
console.log(m.predict(system.enumeration, subs));
const q = m.inputsFor(system.enumeration, subs).inputs;
for (const d of q.designs) console.log(Array.from(d.start), Array.from(d.index), Array.from(d.coef));
