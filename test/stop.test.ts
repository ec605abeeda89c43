// A stopped run stops: through the launchers users run (npx, bin/cescreen.js), with worker
// threads and child processes, nothing runs on and nothing is written after the stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alphaSubset, BETA, repoPath } from './helpers.ts';

const root = repoPath('');
const bin = repoPath('bin/cescreen.js');
const dir = mkdtempSync(join(tmpdir(), 'cescreen-stop-'));
const env = { ...process.env, CESCREEN_QUIET: '1' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Processes whose command line mentions `token` (Linux /proc); `cli`: only cescreen's own node process. */
function processesWith(token: string, o: { cli?: boolean } = {}): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (argv.some((a) => a.includes(token)) && (!o.cli || /(^|\/)cescreen(\.js)?$/.test(argv[1] ?? ''))) pids.push(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function until(what: () => boolean, ms: number): Promise<boolean> {
  for (const t0 = Date.now(); Date.now() - t0 < ms; await sleep(50)) if (what()) return true;
  return what();
}

/** Start `command`, wait until cescreen's own node process runs `busyMs` into its work, SIGTERM the launcher; everything must be gone within 3 s. */
async function stopMidRun(command: string, args: string[], output: string, busyMs: number) {
  const launcher = spawn(command, args, { cwd: root, env, stdio: 'ignore' });
  const exited = new Promise<number | null>((r) => launcher.on('exit', (code, signal) => r(code ?? (signal ? 128 + 15 : null))));
  assert.ok(await until(() => processesWith(output, { cli: true }).length > 0, 20_000), 'cescreen never started');
  await sleep(busyMs);
  const running = processesWith(output);
  assert.ok(running.length > 0 && !existsSync(output), 'the run ended before it could be stopped: make the workload longer');
  launcher.kill('SIGTERM');
  assert.equal(await exited, 143);
  const gone = await until(() => processesWith(output).length === 0, 3000);
  const left = processesWith(output);
  for (const p of left) process.kill(p, 'SIGKILL');
  assert.ok(gone, `still running 3 s after the stop: ${left.join(', ')}`);
  await sleep(500);
  assert.ok(!existsSync(output), 'the stopped run wrote its output');
}

test('SIGTERM to npx cescreen stops the node process it started (train)', async () => {
  await stopMidRun('npx', ['cescreen', 'train', '-o', join(dir, 'npx-train.json')], join(dir, 'npx-train.json'), 1500);
});

test('SIGTERM to npx cescreen predict --threads 2 stops it with its worker threads; so does SIGTERM to bin/cescreen.js', async () => {
  const model = join(dir, 'small.json');
  const r = spawnSync(process.execPath, [bin, 'train', '--data', alphaSubset(8), '--structure', repoPath('structures/alpha-Nb5Si3/structure.cif'), '--family', 'transfer', '-o', model], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  for (const [command, first] of [['npx', 'cescreen'], [process.execPath, bin]]) {
    const out = join(dir, `${command === 'npx' ? 'npx' : 'bin'}-predict.csv`);
    await stopMidRun(command, [first, 'predict', '--model', model, repoPath(BETA), '--supercell', '1x1x2', '--threads', '2', '-o', out], out, 800);
  }
});

test('a child process registered with stopWithRun is stopped with the run', async () => {
  const script = join(dir, 'child.mjs');
  const token = `cescreen-child-${process.pid}`;
  writeFileSync(
    script,
    `import { spawn } from 'node:child_process';\nimport { stopWithRun } from ${JSON.stringify(repoPath('src/util/stop.ts'))};\n` +
      `stopWithRun(spawn('sh', ['-c', 'sleep 30; echo ${token}'], { stdio: 'ignore' }));\nconsole.log('started');\n`,
  );
  const p = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise((r) => p.stdout.once('data', r));
  assert.equal(processesWith(token).length, 1);
  const exited = new Promise((r) => p.on('exit', r));
  p.kill('SIGTERM');
  assert.equal(await exited, 143);
  assert.ok(await until(() => processesWith(token).length === 0, 2000), 'the child outlived the run');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
