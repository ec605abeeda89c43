// A stopped run stops: through the launchers users run (npx, bin/cescreen.js), with worker
// threads and engine child processes, nothing runs on and nothing is written after the stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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

test('SIGTERM to npx cescreen compute stops it and every lmp it started', { skip: spawnSync('lmp', ['-h']).status === 0 ? false : 'LAMMPS (lmp) is not installed (.ci/run installs it)' }, async () => {
  const cu = repoPath('test/fixtures/engine/fcc-Cu.cif');
  const data = join(dir, 'cu-ta.csv');
  // 11 relaxations of a 256-atom cell: about a minute of work, stopped after its first seconds
  const cell = ['--supercell', '4x4x4', '--max-distance', '8'];
  assert.equal(spawnSync(process.execPath, [bin, 'pairs', cu, ...cell, '--elements', 'Ta', '--template', data], { env }).status, 0);
  const output = join(dir, 'cu-ta.out.csv');
  const npx = spawn('npx', ['cescreen', 'compute', cu, ...cell, '--data', data, '--potential', 'CuTa.eam.alloy', '--fmax', '1e-5', '--jobs', '2', '-o', output], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  npx.stderr.on('data', (d) => (err += d));
  const exited = new Promise((r) => npx.on('exit', r));
  // lmp processes whose parent is cescreen's node process (from /proc/<pid>/stat)
  const parentOf = (pid: string) => Number(/\) \S+ (\d+)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1]);
  const lmps = () => {
    const cli = processesWith(output, { cli: true });
    return readdirSync('/proc').filter((p) => {
      try {
        return /^\d+$/.test(p) && /\((lmp|stdbuf)\)/.test(readFileSync(`/proc/${p}/stat`, 'utf8')) && cli.includes(parentOf(p));
      } catch {
        return false;
      }
    });
  };
  assert.ok(await until(() => lmps().length > 0, 60_000), `compute never started lmp: ${err}`);
  const started = lmps();
  npx.kill('SIGTERM');
  await exited;
  const gone = await until(() => processesWith(output).length === 0 && started.every((p) => !existsSync(`/proc/${p}`) || /\) Z /.test(readFileSync(`/proc/${p}/stat`, 'utf8'))), 5000);
  for (const p of processesWith(output)) process.kill(p, 'SIGKILL');
  assert.ok(gone, 'cescreen or one of its lmp runs on after npx was stopped');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
