/**
 * The campaign curve (README, "The loop, end to end"): each target is an engine phase of data/ held
 * out from training — the hierarchical family trained on the other phases — and `cescreen campaign`
 * runs on it with the stabilising goal, the variance goal and random picks (several seeds), the model
 * conditioned after each round. Reported: the stabilising-set F1 and the MAE on the rows not computed
 * yet against the number of calculations, and the calculations each strategy needs until F1 ≥ 0.9.
 *
 * The picks take their energies from the target's data set (`--replay`: rows made by the same engine,
 * potential and settings), so the strategies differ only in what they pick. One run (--engine-target)
 * sends its picks through LAMMPS itself, with the potential `scripts/make-engine-data --potential-only`
 * writes, and is compared with the replayed run of the same strategy, row by row.
 *
 * Runs are campaign folders under --work, extended round by round (a campaign resumes) until F1 ≥ 0.9
 * has held for --hold rounds or --max calculations are spent.
 *
 *   node --import tsx scripts/bench-campaign.ts [--targets L12-Ni3Al,B2-NiAl,hcp-Ti] [--budget 5]
 *     [--max 250] [--seeds 5] [--model-seeds 0,1,2] [--engine-target L12-Ni3Al] [--work dir] [--json f] [--svg f]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runCampaign, type CampaignGoal, type CampaignRequest, type CampaignResult } from '../src/workflow/campaign.ts';
import { trainModel } from '../src/workflow/train.ts';
import { saveModel } from '../src/predict/modelFile.ts';
import { campaignSvg, type CurveLine, type CurvePanel } from '../src/figures/campaignPlot.ts';
import { terminalProgress, SILENT } from '../src/util/progress.ts';

const { values: o } = parseArgs({
  options: {
    targets: { type: 'string', default: 'L12-Ni3Al,B2-NiAl,hcp-Ti' },
    budget: { type: 'string', default: '5' },
    max: { type: 'string', default: '250' },
    hold: { type: 'string', default: '2' },
    seeds: { type: 'string', default: '5' },
    'model-seeds': { type: 'string', default: '0' },
    'engine-target': { type: 'string', default: 'L12-Ni3Al' },
    work: { type: 'string', default: join(tmpdir(), 'cescreen-bench-campaign') },
    json: { type: 'string' },
    svg: { type: 'string' },
  },
});
const budget = Number(o.budget);
const maxCalculations = Number(o.max);
const hold = Number(o.hold);
const randomSeeds = Array.from({ length: Number(o.seeds) }, (_, i) => i);
const modelSeeds = o['model-seeds']!.split(',').map(Number);
const GOAL = 0.9;
const progress = process.stderr.isTTY ? terminalProgress() : SILENT;
const log = (s: string) => (process.stderr.isTTY ? progress.log(s) : process.stderr.write(s + '\n'));
const t0 = performance.now();

// the phases and their cells, from the engine data's own metadata
const phases = readdirSync('data').filter((p) => existsSync(join('data', p, 'eds.compute.json')));
const cellOf = (p: string) => {
  const s = JSON.parse(readFileSync(join('data', p, 'eds.compute.json'), 'utf8')).structure;
  return { supercell: s.supercell as string, maxDistance: s.maxDistance as number };
};
const targets = o.targets!.split(',');
for (const t of targets) if (!phases.includes(t)) throw new Error(`--targets ${t}: not a phase of data/ (${phases.join(', ')})`);

/** The model trained on every phase but the target (kept in --work between runs of this script). */
async function modelFor(target: string, seed: number): Promise<string> {
  const file = resolve(o.work!, target, `hierarchical-seed${seed}.json`);
  if (existsSync(file)) return file;
  const t = performance.now();
  const sources = phases.filter((p) => p !== target).map((p) => ({ data: join('data', p, 'eds.csv'), ...cellOf(p) }));
  mkdirSync(resolve(o.work!, target), { recursive: true });
  saveModel(file, await trainModel({ sources, families: ['hierarchical'], seed, progress }));
  log(`${target}: hierarchical (seed ${seed}) trained on ${sources.length} phases in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  return file;
}

const firstReach = (r: CampaignResult) => r.rounds.find((x) => x.scores!.stabilising.f1 >= GOAL)?.calculations;

/** A campaign extended round by round until F1 ≥ 0.9 held for `hold` rounds, or the calculations run out. */
async function run(base: Omit<CampaignRequest, 'rounds' | 'output'>, output: string): Promise<CampaignResult> {
  let rounds = 2;
  for (;;) {
    rounds += 8;
    const r = await runCampaign({ ...base, output, rounds, progress });
    const reached = firstReach(r);
    const held = reached !== undefined && r.rounds.filter((x) => x.calculations >= reached).length > hold;
    const last = r.rounds[r.rounds.length - 1];
    if (held || last.calculations >= maxCalculations || last.round < rounds) return r;
  }
}

interface Run {
  target: string;
  strategy: CampaignGoal;
  modelSeed: number;
  seed: number;
  source: 'replay' | 'lammps';
  result: CampaignResult;
}
const runs: Run[] = [];
for (const target of targets) {
  const cell = cellOf(target);
  const data = join('data', target, 'eds.csv');
  const common = { cif: join('data', target, 'structure.cif'), ...cell, family: 'hierarchical', budget, update: 'condition' as const };
  for (const modelSeed of modelSeeds) {
    const modelFile = await modelFor(target, modelSeed);
    const strategies: [CampaignGoal, number][] = [['stabilising', 0], ['variance', 0], ...(modelSeed === modelSeeds[0] ? randomSeeds.map((s): [CampaignGoal, number] => ['random', s]) : [])];
    for (const [goal, seed] of strategies) {
      const t = performance.now();
      const result = await run({ ...common, modelFile, replay: data, goal, seed }, resolve(o.work!, target, `${goal}-model${modelSeed}-seed${seed}`));
      runs.push({ target, strategy: goal, modelSeed, seed, source: 'replay', result });
      log(`${target} ${goal} (model seed ${modelSeed}, seed ${seed}): F1 ≥ ${GOAL} after ${firstReach(result) ?? `> ${result.rounds[result.rounds.length - 1].calculations}`} calculations (${((performance.now() - t) / 1000).toFixed(0)} s)`);
    }
  }
}

// the same stabilising campaign with every pick computed by LAMMPS
const engineTarget = o['engine-target'];
let engine: { target: string; result: CampaignResult; potential: string; sha256: string; maxDifference: number; samePicks: boolean; seconds: number } | undefined;
if (engineTarget) {
  const replayed = runs.find((r) => r.target === engineTarget && r.strategy === 'stabilising' && r.modelSeed === modelSeeds[0]);
  if (!replayed) throw new Error(`--engine-target ${engineTarget}: not among --targets`);
  const potential = resolve(o.work!, 'ZJW2004.eam.alloy');
  const made = spawnSync('scripts/make-engine-data', ['--potential-only', potential], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(made.stderr);
  const sha256 = /sha256 ([0-9a-f]{64})/.exec(made.stdout)![1];
  const t = performance.now();
  const cell = cellOf(engineTarget);
  const result = await runCampaign({
    cif: join('data', engineTarget, 'structure.cif'),
    ...cell,
    modelFile: await modelFor(engineTarget, modelSeeds[0]),
    family: 'hierarchical',
    engine: 'lammps',
    options: { potential },
    truth: join('data', engineTarget, 'eds.csv'),
    budget,
    rounds: replayed.result.rounds.length - 1,
    goal: 'stabilising',
    update: 'condition',
    seed: 0,
    output: resolve(o.work!, engineTarget, 'stabilising-lammps'),
    progress,
  });
  const truth = new Map<string, number>();
  for (const r of replayed.result.rounds) for (const p of r.picks) truth.set(`${p.config} ${p.element_a}@${p.site_a} ${p.element_b}@${p.site_b}`, p.eds!);
  const picks = result.rounds.flatMap((r) => r.picks);
  const maxDifference = Math.max(...picks.map((p) => Math.abs(p.eds! - (truth.get(`${p.config} ${p.element_a}@${p.site_a} ${p.element_b}@${p.site_b}`) ?? NaN))));
  engine = { target: engineTarget, result, potential, sha256, maxDifference, samePicks: picks.every((p) => truth.has(`${p.config} ${p.element_a}@${p.site_a} ${p.element_b}@${p.site_b}`)), seconds: (performance.now() - t) / 1000 };
  runs.push({ target: engineTarget, strategy: 'stabilising', modelSeed: modelSeeds[0], seed: 0, source: 'lammps', result });
  log(`${engineTarget} stabilising through LAMMPS: ${picks.length} relaxations, largest |E_DS − data row| ${maxDifference.toExponential(1)} eV, same picks: ${engine.samePicks}`);
}
progress.stop();

// ---- report ----
const f = (x: number | null | undefined, d = 3) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));
const meanOf = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const at = (r: CampaignResult, n: number) => r.rounds.find((x) => x.calculations === n)?.scores ?? undefined;
const lines: string[] = [];
const machine = `${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} cores, load average ${loadavg()[0].toFixed(1)} at the end`;
lines.push(`# bench-campaign (${new Date().toISOString().slice(0, 10)}, ${machine}; ${((performance.now() - t0) / 60000).toFixed(1)} min)`);
lines.push(`\nbudget ${budget} per round, hierarchical family conditioned after each round, model seeds ${modelSeeds.join(', ')}, random seeds ${randomSeeds.join(', ')}; F1 of the stabilising set (E_DS < 0; uncomputed rows called at P ≥ 0.9)\n`);
const summary: Record<string, unknown>[] = [];
lines.push('| target | rows | stabilising (true) | F1 at 0 | stabilising goal | variance goal | random (median; min–max over seeds) | stabilising ÷ random |');
lines.push('|---|---|---|---|---|---|---|---|');
for (const target of targets) {
  const of = (s: CampaignGoal, ms = modelSeeds[0]) => runs.filter((r) => r.target === target && r.strategy === s && r.source === 'replay' && r.modelSeed === ms);
  // not reached: minus the calculations spent, shown as "> n"
  const need = (r: Run) => firstReach(r.result) ?? -r.result.rounds[r.result.rounds.length - 1].calculations;
  const stab = modelSeeds.map((ms) => need(of('stabilising', ms)[0]));
  const vari = modelSeeds.map((ms) => need(of('variance', ms)[0]));
  const rand = of('random').map(need);
  const first = of('stabilising')[0].result;
  const s0 = first.rounds[0].scores!;
  const show = (v: number[]) => v.map((x) => (x >= 0 ? String(x) : `> ${-x}`)).join(' / ');
  // a run that never reached F1 ≥ 0.9 counts as needing more than it spent (the median then says "> n" only when it must)
  const order = (v: number[]) => [...v].sort((a, b) => (a < 0 ? Infinity : a) - (b < 0 ? Infinity : b));
  const mid = (v: number[]) => order(v)[(v.length - 1) >> 1];
  const ms = mid(stab);
  const mr = mid(rand);
  const ratio = ms >= 0 && mr >= 0 ? (ms / mr).toFixed(2) : ms >= 0 ? `< ${(ms / -mr).toFixed(2)}` : '—';
  lines.push(`| ${target} | ${first.target.candidates} | ${s0.stabilising.true} | ${f(s0.stabilising.f1)} | ${show(stab)} | ${show(vari)} | ${show([mr])}; ${show([order(rand)[0]])}–${show([order(rand)[rand.length - 1]])} | ${ratio} |`);
  summary.push({ target, rows: first.target.candidates, trueStabilising: s0.stabilising.true, stabilising: stab, variance: vari, random: rand, ratio });
}
for (const target of targets) {
  const rs = runs.filter((r) => r.target === target && r.source === 'replay' && r.modelSeed === modelSeeds[0]);
  const random = rs.filter((r) => r.strategy === 'random');
  const longest = Math.max(...rs.map((r) => r.result.rounds[r.result.rounds.length - 1].calculations));
  lines.push(`\n${target}: F1 / MAE (meV) on the rows not computed / 90 % coverage, against calculations (random: mean over the ${random.length} seeds while all run)\n`);
  lines.push('| calculations | stabilising goal | variance goal | random |');
  lines.push('|---|---|---|---|');
  for (let n = 0; n <= longest; n += budget * (n < 50 ? 1 : 2)) {
    const cellOfRun = (r: Run | undefined) => {
      const s = r && at(r.result, n);
      return s ? `${f(s.stabilising.f1)} / ${f(s.mae === null ? null : 1000 * s.mae, 0)} / ${f(s.coverage === null ? null : 100 * s.coverage, 0)} %` : '';
    };
    const rnd = random.map((r) => at(r.result, n));
    const rndCell = rnd.every(Boolean) ? `${f(meanOf(rnd.map((s) => s!.stabilising.f1)))} / ${f(1000 * meanOf(rnd.map((s) => s!.mae ?? NaN)), 0)} / ${f(100 * meanOf(rnd.map((s) => s!.coverage ?? NaN)), 0)} %` : '';
    lines.push(`| ${n} | ${cellOfRun(rs.find((r) => r.strategy === 'stabilising'))} | ${cellOfRun(rs.find((r) => r.strategy === 'variance'))} | ${rndCell} |`);
  }
}
if (engine) {
  const r = engine.result;
  lines.push(
    `\nThrough LAMMPS (${engine.target}, stabilising goal, potential sha256 ${engine.sha256.slice(0, 12)}…): ${r.rounds[r.rounds.length - 1].calculations} relaxations in ${engine.seconds.toFixed(0)} s of campaign; ` +
      `largest |E_DS(LAMMPS) − E_DS(data row)| over the picks ${engine.maxDifference.toExponential(1)} eV; same picks as the replayed run: ${engine.samePicks ? 'yes' : 'no'}; F1 ≥ ${GOAL} after ${firstReach(r) ?? '—'} calculations.`,
  );
}
const text = lines.join('\n') + '\n';
process.stdout.write(text);

const curve = (r: CampaignResult, y: (s: NonNullable<CampaignResult['rounds'][number]['scores']>) => number | null) => r.rounds.flatMap((x) => (x.scores && y(x.scores) !== null ? [{ x: x.calculations, y: y(x.scores)! }] : []));
const panels: CurvePanel[] = targets.flatMap((target) => {
  const rs = runs.filter((r) => r.target === target && r.source === 'replay' && r.modelSeed === modelSeeds[0]);
  const random = rs.filter((r) => r.strategy === 'random');
  const band = (y: (s: NonNullable<CampaignResult['rounds'][number]['scores']>) => number | null): CurveLine => {
    const xs = [...new Set(random.flatMap((r) => r.result.rounds.map((x) => x.calculations)))].sort((a, b) => a - b);
    const points = xs.flatMap((x) => {
      const v = random.map((r) => r.result.rounds.find((q) => q.calculations === x)?.scores).map((s) => (s ? y(s) : null));
      return v.every((q) => q !== null) ? [{ x, y: meanOf(v as number[]), lo: Math.min(...(v as number[])), hi: Math.max(...(v as number[])) }] : [];
    });
    return { key: 'random', label: `random picks (mean, band: min–max of ${random.length} seeds)`, points };
  };
  const lineOf = (key: CampaignGoal, label: string, y: (s: NonNullable<CampaignResult['rounds'][number]['scores']>) => number | null): CurveLine => ({ key, label, points: curve(rs.find((r) => r.strategy === key)!.result, y) });
  const f1 = (s: NonNullable<CampaignResult['rounds'][number]['scores']>) => s.stabilising.f1;
  const mae = (s: NonNullable<CampaignResult['rounds'][number]['scores']>) => (s.mae === null ? null : 1000 * s.mae);
  return [
    { title: `${target}: stabilising-set F1`, yLabel: 'F1', guide: GOAL, lines: [lineOf('stabilising', 'suggest --goal stabilising', f1), lineOf('variance', 'suggest --goal variance', f1), band(f1)] },
    { title: `${target}: MAE on rows not computed`, yLabel: 'MAE (meV)', lines: [lineOf('stabilising', 'suggest --goal stabilising', mae), lineOf('variance', 'suggest --goal variance', mae), band(mae)] },
  ];
});
if (o.svg) writeFileSync(o.svg, campaignSvg('A held-out engine phase: what each strategy has learned after n calculations', panels, { xLabel: 'calculations computed', perRow: 2 }) + '\n');
if (o.json) writeFileSync(o.json, JSON.stringify({ date: new Date().toISOString(), machine, budget, modelSeeds, randomSeeds, summary, engine: engine && { ...engine, result: undefined, rounds: engine.result.rounds }, runs: runs.map((r) => ({ ...r, result: { ...r.result, rounds: r.result.rounds.map(({ picks: _p, ...x }) => x) } })) }, null, 1) + '\n');
