import { trainingData, DEFAULT_DATA } from '../../src/substitution/system.ts';
import { collapseByKey } from '../../src/substitution/dataset.ts';
import { familySpec, fitFamily } from '../../src/model/families.ts';
import { isProbabilistic } from '../../src/model/gpFamily.ts';
import { groupKFold, leaveGroupOut, take } from '../../src/model/splits.ts';
import { substitutedSites } from '../../src/model/protocols.ts';

const { data } = trainingData(DEFAULT_DATA);
const samples = collapseByKey(data.rows);
const which = process.argv[2] ?? 'both';
const params = JSON.parse(process.argv[3] ?? '{}');

async function run(name: string, splits: { train: number[]; test: number[]; tag?: string }[], specs: [string, ReturnType<typeof familySpec>][]) {
  for (const [label, spec] of specs) {
    const t0 = performance.now();
    let err = 0, n = 0, cov = 0, width = 0, nint = 0;
    const per: string[] = [];
    for (const s of splits) {
      const m = await fitFamily(spec, take(samples, s.train));
      const test = take(samples, s.test);
      const e = test[0].enumeration;
      let se = 0, sc = 0, sw = 0;
      if (isProbabilistic(m)) {
        const d = m.predictDistribution(e, test.map((x) => x.substitution));
        test.forEach((x, k) => { se += Math.abs(d.mean[k] - x.eds); if (x.eds >= d.lo[k] && x.eds <= d.hi[k]) sc++; sw += d.hi[k] - d.lo[k]; });
        cov += sc; width += sw; nint += test.length;
        if (s.tag) per.push(`${s.tag} ${(se / test.length * 1000).toFixed(0)} cov ${(sc / test.length * 100).toFixed(0)}% w ${(sw / test.length).toFixed(2)}`);
        if (s.tag || splits.length < 6) console.error('   ', JSON.stringify((m as any).summary));
      } else {
        const p = m.predict(e, test.map((x) => x.substitution));
        test.forEach((x, k) => (se += Math.abs(p[k] - x.eds)));
        if (s.tag) per.push(`${s.tag} ${(se / test.length * 1000).toFixed(0)}`);
      }
      err += se; n += test.length;
    }
    console.log(`${name.padEnd(16)} ${label.padEnd(12)} MAE ${(err / n * 1000).toFixed(1)} meV` + (nint ? ` cov90 ${(cov / nint * 100).toFixed(1)}% width ${(width / nint).toFixed(2)} eV` : '') + ` ${((performance.now() - t0) / 1000).toFixed(1)} s  ${per.join(' | ')}`);
  }
}
const gp = familySpec('gp', 'svr', { seed: 0, params });
const specs: [string, ReturnType<typeof familySpec>][] = [['gp', gp], ['site-svr', familySpec('site', 'svr', { seed: 0 })], ['additive', familySpec('additive')]];
if (which !== 'lso') await run('grouped 5-fold', groupKFold(samples.map((s) => s.key), 5, 0), process.argv.includes('--gp-only') ? specs.slice(0, 1) : process.argv.includes('--others') ? specs.slice(1) : specs);
const lsoSpecs: typeof specs = [...specs, ['transfer', familySpec('transfer', 'svr', { seed: 0 })]];
if (which !== 'grouped') await run('leave-site-out', leaveGroupOut(samples.map(substitutedSites)), process.argv.includes('--gp-only') ? specs.slice(0, 1) : process.argv.includes('--others') ? lsoSpecs.slice(1) : lsoSpecs);
