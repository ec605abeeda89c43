import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCampaign, type CampaignRequest, type CampaignResult } from '../src/workflow/campaign.ts';
import { compute } from '../src/workflow/compute.ts';
import { zhou2004Setfl } from '../src/engine/zhou2004.ts';
import { repoPath } from './helpers.ts';

const HAVE_LMP = spawnSync('lmp', ['-h'], { encoding: 'utf8' }).status === 0;
const skip = HAVE_LMP ? false : 'LAMMPS (lmp) is not installed: apt-get install lammps lammps-data (.ci/run does)';
const dir = mkdtempSync(join(tmpdir(), 'cescreen-campaign-'));
const bin = repoPath('bin/cescreen.js');
const cescreen = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, CESCREEN_QUIET: '1' } });

/** Every n-th row of an engine data set of data/ (header kept): a training phase that fits in a second. */
function subset(phase: string, n: number): string {
  const lines = readFileSync(repoPath(`data/${phase}/eds.csv`), 'utf8').trimEnd().split('\n');
  const file = join(dir, `${phase}.csv`);
  writeFileSync(file, [lines[0], ...lines.slice(1).filter((_, k) => k % n === 0)].join('\n') + '\n');
  return file;
}

/** A CSV file as records (the columns the test reads). */
function rows(file: string): Record<string, string>[] {
  const [head, ...body] = readFileSync(file, 'utf8').trim().split('\n');
  const h = head.split(',');
  return body.map((l) => Object.fromEntries(l.split(',').map((v, k) => [h[k], v])));
}
const id = (r: Record<string, string>) => `${r.config} ${r.element_a}@${r.site_a} ${r.element_b}@${r.site_b}`;

// target: B2 NiAl in a 16-atom cell, Co/Cu/Fe on both sites (27 calculations), never seen in training;
// training: a sixth of B2 CuZr and a tenth of L1₂ Ni3Al (the ZJW engine data: same potential and settings)
const potential = join(dir, 'AlCoCuFeNi.eam.alloy');
const target = { cif: repoPath('data/B2-NiAl/structure.cif'), supercell: '2x2x2', maxDistance: 3, elements: ['Co', 'Cu', 'Fe'] };
const engine = { engine: 'lammps', options: { potential }, jobs: 2 };
const base = (): Omit<CampaignRequest, 'output' | 'rounds'> => ({ ...target, ...engine, family: 'hierarchical', budget: 3, goal: 'stabilising', update: 'condition', seed: 0 });

test('a tiny campaign through LAMMPS: rounds computed as compute computes them, the model conditioned on them, scores from the files, resumed exactly', { skip }, async () => {
  writeFileSync(potential, zhou2004Setfl(['Al', 'Co', 'Cu', 'Fe', 'Ni']));
  const sources = [
    { data: subset('B2-CuZr', 6), structure: repoPath('data/B2-CuZr/structure.cif'), supercell: '3x3x3', maxDistance: 5.2 },
    { data: subset('L12-Ni3Al', 10), structure: repoPath('data/L12-Ni3Al/structure.cif'), supercell: '3x3x3', maxDistance: 5.2 },
  ];
  const a = join(dir, 'a');
  const r = await runCampaign({ ...base(), sources, rounds: 2, truth: 'compute', output: a });
  assert.equal(r.target.candidates, 27);
  assert.deepEqual(r.rounds.map((x) => [x.round, x.calculations, x.computed]), [[0, 0, 0], [1, 3, 3], [2, 6, 6]]);
  const picked = r.rounds.flatMap((x) => x.picks.map((p) => `${p.config} ${p.element_a}@${p.site_a} ${p.element_b}@${p.site_b}`));
  assert.equal(new Set(picked).size, 6, 'no calculation is picked twice');

  // 1. each round's energies equal a separate compute of its manifest (own cache: pristine and μ made again)
  const [m1, m2] = [1, 2].map((round) => readFileSync(join(a, `round-0${round}/manifest.csv`), 'utf8').trimEnd().split('\n'));
  const manifest = join(dir, 'both-rounds.csv');
  writeFileSync(manifest, [...m1, ...m2.slice(1)].join('\n') + '\n');
  const out = join(dir, 'separate.csv');
  await compute({ cif: target.cif, supercell: target.supercell, maxDistance: target.maxDistance, data: manifest, ...engine, output: out, cache: join(dir, 'separate-cache.json') });
  const separate = new Map(rows(out).map((x) => [id(x), Number(x.eds_eV)]));
  for (const round of [1, 2]) {
    for (const p of r.rounds[round].picks) {
      const e = separate.get(`${p.config} ${p.element_a}@${p.site_a} ${p.element_b}@${p.site_b}`)!;
      assert.ok(Number.isFinite(p.eds!) && Math.abs(p.eds! - e) < 1e-6, `round ${round}: campaign ${p.eds} vs compute ${e}`);
    }
  }

  // 2. conditioned on them: at each computed row the prediction moves to the computed energy, within noise
  const before = new Map(rows(join(a, 'round-00/predictions.csv')).map((x) => [id(x), x]));
  const after = rows(join(a, 'round-02/predictions.csv')).filter((x) => x.eds_eV !== '');
  assert.equal(after.length, 6);
  let errBefore = 0;
  let errAfter = 0;
  for (const x of after) {
    const e = Number(x.eds_eV);
    const b = before.get(id(x))!;
    assert.ok(Math.abs(Number(x.eds_pred) - e) <= Number(x.eds_sd), `${id(x)}: ${x.eds_pred} ± ${x.eds_sd} vs computed ${e}`);
    assert.ok(Number(x.eds_sd) < 0.2 * Number(b.eds_sd), `${id(x)}: sd ${b.eds_sd} → ${x.eds_sd}`);
    errBefore += Math.abs(Number(b.eds_pred) - e);
    errAfter += Math.abs(Number(x.eds_pred) - e);
  }
  assert.ok(errAfter < errBefore / 5, `error at the computed rows ${errBefore} → ${errAfter}`);

  // 3. the scores, recomputed from round 2's predictions and the truth computed at the end
  const truth = new Map([...rows(join(a, 'truth.csv')), ...after].map((x) => [id(x), Number(x.eds_eV)]));
  assert.equal(truth.size, 27);
  const open = rows(join(a, 'round-02/predictions.csv')).filter((x) => x.eds_eV === '');
  const mae = open.reduce((s, x) => s + Math.abs(Number(x.eds_pred) - truth.get(id(x))!), 0) / open.length;
  const inside = open.filter((x) => truth.get(id(x))! >= Number(x.eds_lo) && truth.get(id(x))! <= Number(x.eds_hi)).length;
  const s = r.rounds[2].scores!;
  assert.equal(s.uncomputed, 21);
  assert.ok(Math.abs(s.mae! - mae) < 1e-5, `${s.mae} vs ${mae}`);
  assert.equal(s.coverage, inside / 21);
  const all = rows(join(a, 'round-02/predictions.csv'));
  const called = all.map((x) => (x.eds_eV !== '' ? Number(x.eds_eV) < 0 : Number(x.p_stabilising) >= 0.9));
  const isTrue = all.map((x) => truth.get(id(x))! < 0);
  const tp = called.filter((c, i) => c && isTrue[i]).length;
  assert.equal(s.stabilising.true, isTrue.filter(Boolean).length);
  assert.equal(s.stabilising.predicted, called.filter(Boolean).length);
  assert.ok(Math.abs(s.stabilising.f1 - (2 * tp) / (called.filter(Boolean).length + isTrue.filter(Boolean).length)) < 1e-12);
  assert.ok(s.mae! < r.rounds[0].scores!.mae!, `MAE ${r.rounds[0].scores!.mae} → ${s.mae}`);

  // 4. resume: one round, then two, from the same starting model, is the straight two-round campaign
  const b = join(dir, 'b');
  const fromFile = { ...base(), modelFile: join(a, 'round-00/model.json'), truth: join(a, 'truth.csv') };
  const b1 = await runCampaign({ ...fromFile, rounds: 1, output: b });
  assert.equal(b1.resumed, 0);
  const b2 = await runCampaign({ ...fromFile, rounds: 2, output: b });
  assert.equal(b2.resumed, 2);
  const picks = (x: CampaignResult) => x.rounds.map((q) => q.picks.map((p) => [p.config, p.element_a, p.element_b, p.eds]));
  assert.deepEqual(picks(b2), picks(r));
  assert.deepEqual(b2.rounds[2].scores, r.rounds[2].scores);

  // an interrupted round (its engine output written, its record not) continues without computing again
  const record = join(b, 'round-02/round.json');
  rmSync(record);
  const b3 = await runCampaign({ ...fromFile, rounds: 2, output: b });
  assert.equal(b3.resumed, 2);
  assert.deepEqual(picks(b3), picks(b2));
  assert.equal(JSON.parse(readFileSync(join(b, 'round-02/eds.compute.json'), 'utf8')).timing.relaxations, 0, 'no relaxation repeated');
  assert.ok(statSync(record).isFile());

  // other settings in that folder are refused; the CLI reads the whole campaign back (nothing computed)
  await assert.rejects(runCampaign({ ...fromFile, goal: 'variance', rounds: 2, output: b }), /campaign\.json: the campaign in this folder was started with other settings \(goal differ\)/);
  const j = cescreen('campaign', target.cif, '--target-supercell', '2x2x2', '--target-max-distance', '3', '--elements', 'Co,Cu,Fe', '--model', join(a, 'round-00/model.json'), '--family', 'hierarchical', '--potential', potential, '--budget', '3', '--rounds', '2', '--truth', join(a, 'truth.csv'), '-o', b, '--json');
  assert.equal(j.status, 0, j.stderr);
  const read = JSON.parse(j.stdout) as CampaignResult;
  assert.equal(read.resumed, 3);
  assert.deepEqual(read.rounds.map((q) => q.scores), b3.rounds.map((q) => q.scores));

  // a replayed row whose atoms moved more than 1 Å is another arrangement: picked, recorded with why, neither learned from nor scored
  const truthLines = readFileSync(join(a, 'truth.csv'), 'utf8').trimEnd().split('\n');
  const replay = join(dir, 'replay.csv');
  writeFileSync(replay, [`${truthLines[0]},max_displacement`, ...truthLines.slice(1).map((l, k) => `${l},${k === 0 ? 1.5 : 0.1}`)].join('\n') + '\n');
  const moved = id(rows(replay)[0]);
  const every = await runCampaign({ ...base(), modelFile: join(a, 'round-00/model.json'), replay, goal: 'random', budget: 27, rounds: 1, output: join(dir, 'c') });
  const pick = every.rounds[1].picks.find((p) => `${p.config} ${p.element_a}@${p.site_a} ${p.element_b}@${p.site_b}` === moved)!;
  assert.equal(pick.eds, undefined);
  assert.match(pick.reason!, /relaxed away from its sites \(an atom moved 1\.5 Å > 1 Å\)/);
  assert.equal(every.rounds[1].computed, 26);
});

test('campaign input errors: an engine that runs elsewhere, a target among the training phases, no candidates', async () => {
  const model = join(dir, 'none.json');
  const vasp = cescreen('campaign', target.cif, '--elements', 'Co', '--engine', 'vasp', '-o', join(dir, 'x'));
  assert.equal(vasp.status, 2);
  assert.match(vasp.stderr, /--engine.*vasp/);
  const c = (o: Partial<CampaignRequest>) => runCampaign({ ...base(), replay: repoPath('data/hcp-Ti/eds.csv'), cif: repoPath('data/hcp-Ti/structure.cif'), supercell: '4x4x3', maxDistance: 5.2, elements: undefined, rounds: 1, output: join(dir, 'y'), ...o });
  await assert.rejects(c({ sources: [{ data: repoPath('data/hcp-Ti/eds.csv'), supercell: '4x4x3', maxDistance: 5.2 }], family: 'gp' }), /the target phase is among the model's training data/);
  await assert.rejects(c({ modelFile: model, elements: ['Ti'] }), /no candidate calculation/);
  await assert.rejects(c({ modelFile: model, siteElements: { Nb: ['Al'] } }), /the structure has no site Nb \(its sites: Ti\)/);
});
