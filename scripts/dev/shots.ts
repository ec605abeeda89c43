import { trainingData, DEFAULT_DATA } from '../../src/substitution/system.ts';
import { collapseByKey } from '../../src/substitution/dataset.ts';
import { familySpec, fitFamily } from '../../src/model/families.ts';
import type { GPFamilyModel } from '../../src/model/gpFamily.ts';
import { leaveGroupOut, take } from '../../src/model/splits.ts';
import { substitutedSites } from '../../src/model/protocols.ts';
import { createRng, shuffleInPlace } from '../../src/model/random.ts';
const { data } = trainingData(DEFAULT_DATA);
const samples = collapseByKey(data.rows);
const params = JSON.parse(process.argv[2] ?? "{}");
const KS = [0, 5, 10, 20, 40];
const draws = Number(process.argv[3] ?? 3);
const out: string[] = [];
for (const s of leaveGroupOut(samples.map(substitutedSites))) {
  const base = take(samples, s.train), site = take(samples, s.test);
  const m = (await fitFamily(familySpec('gp', 'svr', { seed: 0, params }), base)) as GPFamilyModel;
  const e = site[0].enumeration;
  const mae = (mm: GPFamilyModel, shots: Set<number>) => { const rest = site.filter((_, i) => !shots.has(i)); const p = mm.predict(e, rest.map((x) => x.substitution)); return p.reduce((a, v, i) => a + Math.abs(v - rest[i].eds), 0) / rest.length; };
  const sug = m.suggest(e, site.map((x) => x.substitution), 40).map((x) => x.index);
  const row: string[] = [];
  for (const k of KS) {
    const chosen = new Set(sug.slice(0, k));
    const ms = k ? m.withData([...base, ...site.filter((_, i) => chosen.has(i))]) : m;
    const su = mae(ms, chosen);
    const rs: number[] = [];
    for (let d = 0; d < draws; d++) {
      const order = shuffleInPlace(site.map((_, i) => i), createRng(100 + d)).slice(0, k);
      const ch = new Set(order);
      rs.push(mae(k ? m.withData([...base, ...site.filter((_, i) => ch.has(i))]) : m, ch));
    }
    row.push(`k${k}: sug ${(su * 1000).toFixed(0)} rnd ${(rs.reduce((a, b) => a + b, 0) / rs.length * 1000).toFixed(0)}`);
  }
  const kinds = sug.slice(0, 10).map((i) => site[i].kind[0]).join('');
  out.push(`${s.tag!.padEnd(5)} ${row.join(' | ')}  first picks ${kinds}`);
  console.log(out[out.length - 1]);
}
