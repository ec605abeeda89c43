// The model-family contract: a family declares its capabilities once and its fitted models provide
// exactly those members; a new family with a predictive distribution is one entry, and every
// consumer (evaluate, predict, the choice of model for a new phase) finds it by its capabilities.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainingData, DEFAULT_DATA } from '../src/substitution/system.ts';
import { collapseByKey } from '../src/substitution/dataset.ts';
import { CAPABILITIES, FAMILIES, familiesWith, familySpec, fitFamily, registerFamily } from '../src/model/families/index.ts';
import type { Capability, Distribution, FamilyEntry, SubstitutionModel } from '../src/model/families/contract.ts';
import { evaluate } from '../src/model/evaluation/evaluate.ts';
import { predictionRows } from '../src/predict/predict.ts';
import { Z90 } from '../src/util/normal.ts';

const { data } = trainingData(DEFAULT_DATA);
const samples = collapseByKey(data.rows).filter((_, i) => i % 20 === 0);

/** What each capability obliges a fitted model to provide. */
const MEMBER: Record<Exclude<Capability, 'newPhase'>, keyof SubstitutionModel> = {
  distribution: 'predictDistribution',
  heldOut: 'heldOut',
  withMore: 'withMore',
  suggest: 'suggest',
  explain: 'regressorOn',
};

test('every family: its fitted model provides exactly the members of the capabilities it declares', async () => {
  for (const f of FAMILIES) {
    if (f.name === 'lookup') continue; // meaningful on the leaky protocol only; the same contract
    const m = await fitFamily(familySpec(f.name, undefined, { seed: 0 }), samples);
    for (const [cap, member] of Object.entries(MEMBER)) {
      const declared = f.capabilities.includes(cap as Capability);
      assert.equal(m[member] !== undefined, declared, `${f.name}: ${cap} declared ${declared}, ${member} ${m[member] !== undefined ? 'present' : 'absent'}`);
    }
    for (const c of f.capabilities) assert.ok(c in CAPABILITIES, `${f.name}: unknown capability ${c}`);
    m.dispose();
  }
});

// A new family with a predictive distribution, in one entry: the training mean with the training spread.
class SpreadModel implements SubstitutionModel {
  constructor(
    readonly spec: ReturnType<typeof familySpec>,
    private readonly mean: number,
    private readonly sd: number,
  ) {}
  predict(_e: unknown, subs: unknown[]): number[] {
    return subs.map(() => this.mean);
  }
  predictDistribution(_e: unknown, subs: unknown[]): Distribution {
    const n = subs.length;
    const fill = (v: number) => new Array<number>(n).fill(v);
    return { mean: fill(this.mean), sd: fill(this.sd), lo: fill(this.mean - Z90 * this.sd), hi: fill(this.mean + Z90 * this.sd), domain: fill(0), outOfDomain: new Array<boolean>(n).fill(false) };
  }
  toJSON(): never {
    throw new Error('not saved');
  }
  dispose(): void {}
}
const SPREAD: FamilyEntry = {
  name: 'spread',
  description: 'test family: the training mean with the training spread',
  role: 'model',
  params: {},
  capabilities: ['distribution', 'newPhase'],
  minimum: { calculations: 2 },
  features: {},
  endFeatures: null,
  defaults: {},
  fit: async (spec, s) => {
    const mean = s.reduce((a, x) => a + x.eds, 0) / s.length;
    return new SpreadModel(spec, mean, Math.sqrt(s.reduce((a, x) => a + (x.eds - mean) ** 2, 0) / s.length));
  },
  fromJSON: async () => {
    throw new Error('not saved');
  },
};

test('a new family with a distribution is one entry: evaluate reports its coverage, predict its intervals and P(E_DS < 0), the new-phase choice lists it', async () => {
  registerFamily(SPREAD);
  assert.throws(() => registerFamily(SPREAD), /registered already/);
  assert.ok(familiesWith('newPhase').some((f) => f.name === 'spread'));
  assert.ok(!familiesWith('suggest').some((f) => f.name === 'spread'));
  const spec = familySpec('spread', undefined, { seed: 0 });
  assert.throws(() => familySpec('spread', 'svr'), /a model of its own and takes no regressor/);
  const r = await evaluate({ ...data, rows: data.rows.filter((_, i) => i % 5 === 0) }, { protocol: 'grouped', spec, seed: 0, repeats: 0, baselines: false });
  // a constant with the training sd covers about 90 % of a normal-ish spread: the coverage is the family's own
  assert.ok(r.test.coverage! > 0.8 && r.test.coverage! < 1, `coverage ${r.test.coverage}`);
  assert.ok(Math.abs(r.test.width! - 2 * Z90 * Math.sqrt(samples.reduce((a, x) => a + x.eds ** 2, 0) / samples.length - (samples.reduce((a, x) => a + x.eds, 0) / samples.length) ** 2)) < 0.3);
  const m = await fitFamily(spec, samples);
  const rows = predictionRows(m, samples[0].enumeration, samples.slice(0, 5).map((s) => s.substitution), ['Nb', 'Si']);
  assert.ok(rows.every((x) => x.eds_lo! < x.eds_pred && x.eds_hi! > x.eds_pred && x.p_stabilising! > 0 && x.p_stabilising! < 1));
});
