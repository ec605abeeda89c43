/**
 * Same inputs, same seed → byte-identical results across processes: an
 * evaluation can be quoted and a model file reproduced exactly.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'cescreen-determinism-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, CESCREEN_QUIET: '1' };
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: repoPath(''), env, maxBuffer: 1 << 26 }, (err, stdout, stderr) =>
      err ? reject(new Error(`cescreen ${args.join(' ')}: ${stderr}`)) : resolve(stdout),
    );
  });
}

// The SiII-centred rows keep each evaluation to about a second.
const evaluate = (seed: number) => cli(['evaluate', '--protocol', 'grouped', '--repeats', '1', '--seed', String(seed), '--site', 'SiII', '--json']);

test('evaluate: the same seed twice gives byte-identical JSON; another seed another split', async () => {
  const [a, b, c] = await Promise.all([evaluate(3), evaluate(3), evaluate(4)]);
  assert.equal(a, b);
  const r = JSON.parse(a);
  assert.equal(r.seed, 3);
  assert.ok(r.n_train > 0 && r.n_test > 0, `${r.n_train} train / ${r.n_test} test`);
  assert.ok(Number.isFinite(r.test.mae) && r.test.mae > 0, `MAE ${r.test.mae}`);
  // the seed reaches the split: otherwise the equality above would prove nothing
  assert.notEqual(JSON.stringify(JSON.parse(c).test), JSON.stringify(r.test));
});

test('train: the same seed twice writes byte-identical model files (SVR site+transfer, random forest)', async () => {
  const out = (name: string) => join(tmp, name);
  await Promise.all([
    cli(['train', '--seed', '5', '-o', out('svr-1.json')]),
    cli(['train', '--seed', '5', '-o', out('svr-2.json')]),
  ]);
  await Promise.all([
    cli(['train', '--model', 'rf', '--families', 'site', '--seed', '7', '-o', out('rf-1.json')]),
    cli(['train', '--model', 'rf', '--families', 'site', '--seed', '7', '-o', out('rf-2.json')]),
  ]);
  const svr = readFileSync(out('svr-1.json'));
  assert.ok(svr.length > 1e5, `model file of ${svr.length} bytes`);
  assert.ok(svr.equals(readFileSync(out('svr-2.json'))), 'SVR model files differ');
  assert.equal(JSON.parse(svr.toString()).training.seed, 5);
  assert.ok(readFileSync(out('rf-1.json')).equals(readFileSync(out('rf-2.json'))), 'random-forest model files differ');
});
