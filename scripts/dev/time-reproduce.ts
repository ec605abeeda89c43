import * as ev from '../../src/model/evaluate.ts';
import { trainingData, DEFAULT_DATA } from '../../src/substitution/system.ts';
import { familySpec } from '../../src/model/families.ts';
import { compareModels } from '../../src/model/compare.ts';
import { FEATURE_SETS } from '../../src/features/sets.ts';
import { explainSiteModel } from '../../src/model/explain.ts';
import { collapseByKey } from '../../src/substitution/dataset.ts';
const { data } = trainingData(DEFAULT_DATA);
const t = async (label: string, f: () => Promise<unknown>) => { const c = process.cpuUsage(); await f(); console.log(label.padEnd(40), ((process.cpuUsage(c).user) / 1e6).toFixed(1), 's'); };
for (const protocol of ['grouped', 'leave-site-out', 'leave-element-out', 'paper'])
  for (const fam of ['gp', 'site', 'transfer']) {
    if (protocol === 'leave-element-out' && fam === 'gp') continue;
    await t(`${protocol} ${fam}`, () => ev.evaluate(data, { protocol, spec: familySpec(fam, 'svr', { seed: 0 }), seed: 0, repeats: 0, baselines: fam === 'gp', ...(fam === 'gp' && protocol === 'leave-site-out' ? { shots: [0, 5, 10, 20], draws: 3 } : {}) }));
  }
await t('baselines alone (grouped)', () => ev.evaluate(data, { protocol: 'grouped', spec: familySpec('mean'), seed: 0, repeats: 0 }));
await t('compare svr x4 paper', () => compareModels(data, { models: ['svr'], sets: [...FEATURE_SETS], family: 'site', protocol: 'paper', seed: 0, repeats: 0 }));
await t('compare rf paper', () => compareModels(data, { models: ['rf'], sets: FEATURE_SETS.slice(0, 1), family: 'site', protocol: 'paper', seed: 0, repeats: 0 }));
await t('importance', () => explainSiteModel(familySpec('site'), collapseByKey(data.rows), { seed: 0, shapSamples: 12, background: 8 }));
