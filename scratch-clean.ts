import { readStructure } from './src/structure/io.ts';
import { substitutionPairs } from './src/substitution/pairs.ts';
import { loadDataset, cleanDataset, collapseByKey } from './src/substitution/dataset.ts';
const e = substitutionPairs(readStructure('structures/alpha-Nb5Si3/structure.cif', {}), { maxDistance: 3.6 });
const ds = loadDataset('structures/alpha-Nb5Si3/eds.csv', e);
const c = cleanDataset(ds);
console.log(c.rows.length, c.dropped.length, c.pristineEnergy);
console.log(c.dropped.filter(d => !d.reason.startsWith('pristine')));
const s = collapseByKey(c.rows); console.log('samples', s.length, s.filter(x=>x.kind==='single').length);
// spread within key groups
const spreads = collapseByKey(c.rows).map(x => { const v = c.rows.filter(r => r.key === x.key).map(r=>r.eds); return Math.max(...v)-Math.min(...v); });
console.log('groups with spread>0.1', spreads.filter(x=>x>0.1).length);
