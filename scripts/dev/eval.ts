import { trainingData, DEFAULT_DATA } from '../../src/substitution/system.ts';
import { familySpec } from '../../src/model/families.ts';
import { evaluate } from '../../src/model/evaluate.ts';
const { data } = trainingData(DEFAULT_DATA);
const [protocol, family, extra] = [process.argv[2] ?? 'grouped', process.argv[3] ?? 'gp', JSON.parse(process.argv[4] ?? '{}')];
const c0 = process.cpuUsage(); const t0 = performance.now();
const r = await evaluate(data, { protocol, spec: familySpec(family, 'svr', { seed: 0 }), seed: 0, repeats: 0, ...extra });
console.log(JSON.stringify({ test: r.test, per_site: Object.fromEntries(Object.entries(r.per_site).map(([k, v]) => [k, [v.mae, v.coverage, v.width]])), baselines: Object.fromEntries(Object.entries(r.baselines).map(([k, v]) => [k, v.mae])), cv: r.cv, shots: r.shots?.map((s) => [s.strategy, s.k, s.mae.toFixed(3), Object.values(s.per_site).map((x) => x.mae.toFixed(3)).join('/')]), lc: r.learning_curve }, null, 1));
console.log(`cpu ${(process.cpuUsage(c0).user / 1e6).toFixed(1)} s wall ${((performance.now() - t0) / 1000).toFixed(1)} s`);
