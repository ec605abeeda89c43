/**
 * Screening many structures (`screen`, `merge`, `query`, `top`): a gp model
 * trained on a fifth of the α data, a few real structures of the CIF corpus
 * (../shared/data/cif-corpus or CESCREEN_CIF_CORPUS; reference crystals of
 * structures/ stand in when it is absent) and two that must fail: a partially
 * occupied file and a file that is no CIF.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, truncateSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainModel } from '../src/workflow/train.ts';
import { predictPhase } from '../src/workflow/predict.ts';
import { predictionsCsv, type PredictionRow } from '../src/predict/table.ts';
import { loadModel, saveModel } from '../src/predict/modelFile.ts';
import { PREDICTION_BATCH, predictionRows } from '../src/predict/predict.ts';
import { substitutionSystem } from '../src/substitution/system.ts';
import { distinctSubstitutions } from '../src/substitution/substitution.ts';
import type { SubstitutionModel } from '../src/model/families/contract.ts';
import { listStructures, screenStructures, type ScreenRequest } from '../src/workflow/screen.ts';
import { inShard, parseShard } from '../src/util/shard.ts';
import { mergeResults, queryResults, topResults } from '../src/workflow/results.ts';
import { openDatabase } from '../src/results/duckdb.ts';
import { sbatchArguments, ARRAY_SCRIPT } from '../src/cluster/slurm.ts';
import { STABILISING_PROBABILITY } from '../src/util/normal.ts';
import { alphaSubset, repoPath, ref } from './helpers.ts';

const CORPUS = process.env.CESCREEN_CIF_CORPUS ?? join(repoPath(''), '..', 'shared', 'data', 'cif-corpus');
const corpus = (f: string, fallback: string) => (existsSync(join(CORPUS, f)) ? join(CORPUS, f) : repoPath(fallback));
const dir = mkdtempSync(join(tmpdir(), 'cescreen-screen-'));
const model = join(dir, 'gp.json');
const NACL = corpus('cgcnn__1000041.cif', ref('rocksalt-NaCl'));
const CSCL = corpus('cgcnn__9009743.cif', ref('B2-CsCl'));
const PARTIAL = join(dir, 'partial.cif');
const GARBAGE = join(dir, 'garbage.cif');
const BCC = repoPath(ref('bcc-Nb'));

writeFileSync(GARBAGE, 'this is not a crystal\n');
// bcc Nb with the site half occupied: refused by name, recorded, not fatal
writeFileSync(PARTIAL, readFileSync(BCC, 'utf8').replace(/(\nNb\s+Nb\s+a\s+2\s+0\s+0\s+0\s+)1\s*$/, '$10.5\n'));

const setup = (async () => {
  const r = await trainModel({ sources: [{ data: alphaSubset(5), structure: repoPath('structures/alpha-Nb5Si3/structure.cif') }], families: ['gp'], seed: 0 });
  saveModel(model, r);
})();

const request = (output: string, files: string[], extra: Partial<ScreenRequest> = {}): ScreenRequest => ({
  model,
  files,
  output,
  elements: ['Ti', 'Zr', 'Al', 'B'],
  supercell: '1x1x1',
  maxDistance: 3.6,
  seed: 0,
  ...extra,
});

const STRUCTURES = [NACL, CSCL, PARTIAL, GARBAGE, BCC];
const main = join(dir, 'main');

test('screen: every structure predicted into its own Parquet file; failures recorded with file and message, the run goes on', async () => {
  await setup;
  const r = await screenStructures(request(main, STRUCTURES));
  assert.equal(r.structures, 5);
  assert.equal(r.screened, 3);
  assert.deepEqual(r.failed.map((f) => f.structure_id).sort(), ['garbage', 'partial']);
  const partial = r.failed.find((f) => f.structure_id === 'partial')!;
  assert.match(partial.error, /partial\.cif:\d+: partial occupancy 0\.5/);
  assert.equal(partial.kind, 'input');
  assert.ok(existsSync(join(main, 'failed', 'garbage.json')));
  for (const id of ['bcc-Nb', 'cgcnn__1000041', 'cgcnn__9009743'].filter((x) => STRUCTURES.some((s) => s.includes(x)))) assert.ok(existsSync(join(main, 'structures', `${id}.parquet`)), id);
  // bcc Nb (2 atoms): one pair within 3.6 Å, the 2.86 Å neighbours (at a = 3.30 Å an atom meets its own image);
  // 4 single substitutions and 4·5/2 unordered pairs of the 4 elements
  const bcc = await queryResults(main, "SELECT count(*) AS n, count(DISTINCT config) AS pairs, min(formula), min(spacegroup), round(min(distance), 3) FROM predictions WHERE structure_id = 'bcc-Nb'", 10);
  assert.deepEqual(bcc.rows[0], [4 + 10, 1, 'Nb', 229, 2.858]);
  // no temporary file is left behind
  assert.deepEqual(readdirSync(join(main, 'structures')).filter((f) => !f.endsWith('.parquet')), []);
});

test('Parquet rows equal the numbers of `predict` for the same structure (CSV written from both is identical)', async () => {
  await setup;
  const p = await predictPhase({ model, cif: NACL, elements: ['Ti', 'Zr', 'Al', 'B'], threads: 1 });
  const a = await queryResults(main, `SELECT * FROM predictions WHERE file = '${NACL}'`, 10_000);
  const rows = a.rows.map((r) => Object.fromEntries(a.columns.map((c, k) => [c, r[k] ?? undefined]))) as unknown as PredictionRow[];
  assert.equal(rows.length, 4 + 4 + 16); // one pair (Na–Cl 2.82 Å): 4 elements on either site, 16 on both
  assert.equal(predictionsCsv(rows), predictionsCsv(p.rows));
  // and to the last bit
  assert.deepEqual(rows.map((r) => r.eds_pred), p.rows.map((r) => r.eds_pred));
  assert.deepEqual(rows.map((r) => r.p_stabilising), p.rows.map((r) => r.p_stabilising));
});

test('batched prediction (PREDICTION_BATCH at a time, what bounds memory) gives the predictions of one call on all substitutions, to round-off', async () => {
  await setup;
  const saved = await loadModel(model);
  const system = substitutionSystem(repoPath('structures/beta-Nb5Si3/structure.cif'));
  const subs = distinctSubstitutions(system.enumeration, saved.training.elements);
  assert.ok(subs.length > 1.5 * PREDICTION_BATCH, `${subs.length} substitutions`);
  const gp = saved.families.gp as Required<Pick<SubstitutionModel, 'predictDistribution'>> & SubstitutionModel;
  const whole = gp.predictDistribution(system.enumeration, subs);
  const rows = predictionRows(gp, system.enumeration, subs, saved.training.elements);
  // a batch is a block of the row-product kernels: the sums run in another order, equal to round-off
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));
  rows.forEach((r, k) => {
    assert.ok(close(r.eds_pred, whole.mean[k]), `${k}: mean ${r.eds_pred} vs ${whole.mean[k]}`);
    assert.ok(close(r.eds_sd!, whole.sd[k]), `${k}: sd ${r.eds_sd} vs ${whole.sd[k]}`);
    assert.ok(close(r.domain!, whole.domain[k]), `${k}: domain ${r.domain} vs ${whole.domain[k]}`);
  });
  assert.deepEqual(rows.map((r) => r.out_of_domain), whole.outOfDomain);
});

test('resume: complete structures are skipped, a missing or damaged file is screened again, another model or list is refused', async () => {
  await setup;
  const again = await screenStructures(request(main, STRUCTURES));
  assert.deepEqual([again.screened, again.skipped, again.failed.length], [0, 3, 2]);
  const bcc = join(main, 'structures', 'bcc-Nb.parquet');
  const before = readFileSync(bcc);
  truncateSync(bcc, 100);
  // a damaged file is not done: merge reads the footers one by one then and names it
  assert.deepEqual((await mergeResults(main)).missing.map((x) => x.structure_id), ['bcc-Nb']);
  rmSync(join(main, 'structures', `${STRUCTURES[1].split('/').pop()!.replace(/\.cif$/, '')}.parquet`));
  const repaired = await screenStructures(request(main, STRUCTURES));
  assert.deepEqual([repaired.screened, repaired.skipped], [2, 1]);
  assert.ok(statSync(bcc).size > 100);
  assert.equal((await queryResults(main, "SELECT count(*) FROM predictions WHERE structure_id = 'bcc-Nb'", 1)).rows[0][0], 14);
  assert.ok(before.length > 100);
  await assert.rejects(screenStructures(request(main, STRUCTURES, { elements: ['Ti'] })), /another screening: the options/);
  await assert.rejects(screenStructures(request(main, STRUCTURES.slice(1))), /another screening: the list of structures \(5 then, 4 now\)/);
});

test('shards partition the list (k mod N) and their union equals one run, row for row', async () => {
  await setup;
  const entries = listStructures({ files: STRUCTURES });
  for (const N of [1, 2, 3, 7]) {
    const parts = Array.from({ length: N }, (_, i) => inShard(entries, { index: i, count: N }).map((e) => e.id));
    assert.deepEqual(parts.flat().sort(), entries.map((e) => e.id).sort(), `N = ${N}`);
    parts.forEach((p, i) => assert.ok(p.every((id) => entries.findIndex((e) => e.id === id) % N === i)));
  }
  const sharded = join(dir, 'sharded');
  const half = await screenStructures(request(sharded, STRUCTURES, { shard: parseShard('1/2') }));
  assert.equal(half.structures, 2);
  const partialMerge = await mergeResults(sharded);
  assert.equal(partialMerge.complete, false);
  assert.deepEqual(partialMerge.shardsToRerun, [0]);
  assert.deepEqual(partialMerge.missing.map((m) => m.shard), [0, 0, 0]);
  await screenStructures(request(sharded, STRUCTURES, { shard: parseShard('0/2') }));
  await assert.rejects(screenStructures(request(sharded, STRUCTURES, { shard: parseShard('0/3') })), /shard count \(2 then, 3 now\)/);
  const m = await mergeResults(sharded);
  assert.deepEqual([m.complete, m.done, m.failed.length, m.missing.length], [true, 3, 2, 0]);
  const diff = await queryResults(
    main,
    `SELECT (SELECT count(*) FROM (SELECT * FROM predictions EXCEPT ALL SELECT * FROM read_parquet('${sharded}/structures/*.parquet'))),
            (SELECT count(*) FROM (SELECT * FROM read_parquet('${sharded}/structures/*.parquet') EXCEPT ALL SELECT * FROM predictions)),
            (SELECT count(*) FROM predictions)`,
    1,
  );
  const [onlyMain, onlySharded, total] = diff.rows[0] as number[];
  assert.deepEqual([onlyMain, onlySharded], [0, 0]);
  assert.equal(total, m.rows);
  assert.equal(total, 24 + 24 + 14);
  // the database file merge wrote answers by itself
  const merged = await openDatabase({ path: m.database });
  assert.equal(Number((await merged.runAndReadAll('SELECT count(*) FROM predictions')).getRowsJS()[0][0]), total);
  assert.equal(Number((await merged.runAndReadAll("SELECT count(*) FROM failures WHERE error LIKE '%partial occupancy%'")).getRowsJS()[0][0]), 1);
  merged.closeSync();
});

test('top: most negative E_DS first; --stabilising keeps P(E_DS < 0) ≥ 0.9; --elements keeps substitutions by those elements only', async () => {
  await setup;
  const all = await queryResults(main, "SELECT eds_pred, p_stabilising FROM predictions WHERE kind <> 'pristine' ORDER BY eds_pred", 100_000);
  const t = await topResults(main, { limit: 5 });
  assert.deepEqual(t.rows.map((r) => r[t.columns.indexOf('eds_pred')]), all.rows.slice(0, 5).map((r) => r[0]));
  const s = await topResults(main, { stabilising: true, limit: 1000 });
  const expected = all.rows.filter((r) => (r[1] as number) >= STABILISING_PROBABILITY).length;
  assert.equal(s.rows.length, expected);
  assert.ok(s.rows.every((r) => (r[s.columns.indexOf('p_stabilising')] as number) >= 0.9));
  const e = await topResults(main, { limit: 1000, elements: ['Ti'] });
  const ea = e.columns.indexOf('element_a');
  const eb = e.columns.indexOf('element_b');
  assert.ok(e.rows.length > 0);
  assert.ok(e.rows.every((r) => [r[ea], r[eb]].includes('Ti') && [r[ea], r[eb]].every((x) => ['Ti', 'Nb', 'Na', 'Cl', 'Cs'].includes(x as string))));
  assert.equal(e.rows.length, (await queryResults(main, "SELECT count(*) FROM predictions WHERE kind <> 'pristine' AND (element_a = host_a OR element_a = 'Ti') AND (element_b = host_b OR element_b = 'Ti')", 1)).rows[0][0]);
});

const cli = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(process.execPath, [repoPath('bin/cescreen.js'), ...args], { encoding: 'utf8', env: { ...env, CESCREEN_QUIET: '1' } });

test('CLI: query and top answer from the views (table and --json); bad SQL, a bad --shard and a folder that is no screening are exit 2', async () => {
  await setup;
  const q = cli(['query', main, 'SELECT status, count(*) AS n FROM structures GROUP BY status ORDER BY status', '--json']);
  assert.equal(q.status, 0, q.stderr);
  assert.deepEqual(JSON.parse(q.stdout).rows, [{ status: 'done', n: 3 }, { status: 'failed', n: 2 }]);
  const t = cli(['top', main, '--limit', '3']);
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /^structure_id\s+formula\s+spacegroup/);
  assert.match(t.stdout, /\(3 rows\)/);
  const bad = cli(['query', main, 'SELECT * FROM nowhere']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /query failed: .*nowhere/);
  const shard = cli(['screen', '--model', model, '-o', join(dir, 'x'), BCC, '--shard', '2/2']);
  assert.equal(shard.status, 2);
  assert.match(shard.stderr, /--shard 2\/2: expected i\/N with 0 ≤ i < N/);
  const folder = cli(['merge', dir]);
  assert.equal(folder.status, 2);
  assert.match(folder.stderr, /not a screening results folder/);
});

test('--slurm: the array launcher runs `cescreen <args> --shard i/N` per task; without sbatch on PATH a clear refusal', async () => {
  await setup;
  const { argv } = sbatchArguments({ args: ['screen', '--model', 'm.json', '-o', 'out'], tasks: 4, cwd: dir, partition: 'short', time: '1:00:00' });
  assert.ok(argv.includes('--array=0-3'));
  assert.ok(argv.includes(`--chdir=${dir}`) && argv.includes('--partition=short') && argv.includes('--time=1:00:00'));
  assert.deepEqual(argv.slice(argv.indexOf(ARRAY_SCRIPT)), [ARRAY_SCRIPT, 'screen', '--model', 'm.json', '-o', 'out']);
  assert.match(argv.find((a) => a.startsWith('--export='))!, /CESCREEN_TASKS=4/);
  // the script itself: task 2 of 4 runs the command with --shard 2/4 (a stand-in node prints its arguments)
  const fakeNode = join(dir, 'echo-args.sh');
  writeFileSync(fakeNode, '#!/bin/sh\nprintf "%s\\n" "$@"\n', { mode: 0o755 });
  const run = spawnSync('bash', [ARRAY_SCRIPT, 'screen', '--list', 's.txt'], { encoding: 'utf8', env: { PATH: process.env.PATH, SLURM_ARRAY_TASK_ID: '2', CESCREEN_TASKS: '4', CESCREEN_BIN: '/x/cescreen.js', CESCREEN_NODE: fakeNode } });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(run.stdout.trim().split('\n'), ['/x/cescreen.js', 'screen', '--list', 's.txt', '--shard', '2/4']);
  const noSlurm = cli(['screen', '--model', model, '-o', join(dir, 'slurm'), BCC, '--slurm', '--shards', '2'], { ...process.env, PATH: mkdtempSync(join(tmpdir(), 'no-slurm-')) });
  assert.equal(noSlurm.status, 2);
  assert.match(noSlurm.stderr, /sbatch not found on PATH/);
});
