/**
 * How screening scales: (elements)² × (pair configurations) × structures.
 *
 *   npx tsx scripts/bench-scale.ts [--model FILE] [--workers 2] [--big | --big-only] [--big-limit 120]
 *
 * Part A: predictAll for 40 elements (Z ≤ 83, no null in the CE properties) on
 * α and β Nb5Si3, 1×1×1 and 2×2×1 cells, pairs within 5.5 Å. Every case runs in
 * its own process so the peak RSS (process.resourceUsage().maxRSS) is its own;
 * the same case is then run with the substitution list split over worker
 * threads (each loads the model file and enumerates the cell itself) and must
 * give bit-identical predictions. A model is trained first when --model is absent.
 *
 * Part B (--big): a 50 688-atom P1 supercell of α (12×12×11): wall time and
 * peak RSS of `cescreen structure`, `nnh --cutoff 6` and `aet`, each killed
 * after --big-limit seconds, and the library steps underneath them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { predictParallel } from '../src/predict/parallel.ts';
import { substitutionSystem } from '../src/substitution/system.ts';
import { screeningElements } from '../src/features/ce.ts';
import { readStructure } from '../src/structure/io.ts';
import { supercell } from '../src/structure/supercell.ts';
import { analyzeSymmetry } from '../src/structure/symmetry.ts';
import { NeighborFinder } from '../src/environment/neighbors.ts';
import { atomicEnvironment } from '../src/environment/aet.ts';
import { nearestNeighborHistogram } from '../src/environment/nnh.ts';

const root = new URL('../', import.meta.url).pathname;
const CLI = [join(root, 'src/cli/main.ts')];
const NODE = [process.execPath, '--import', 'tsx'];
const CIF = { alpha: join(root, 'structures/alpha-Nb5Si3/structure.cif'), beta: join(root, 'structures/beta-Nb5Si3/structure.cif') };
const MAX_DISTANCE = 5.5;

interface CaseSpec {
  model: string;
  phase: keyof typeof CIF;
  supercell: string;
  elements: string[];
}

/** FNV-1a over the bytes of the predictions: equal hashes = bit-identical results. */
function hash(values: Float64Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** Child-process entry: one case predicted with `threads` worker threads (src/predict/parallel.ts); one JSON line. */
async function runCase(c: CaseSpec, threads: number) {
  const t0 = performance.now();
  const job = { model: c.model, cif: CIF[c.phase], supercell: c.supercell, maxDistance: MAX_DISTANCE, elements: c.elements };
  const system = substitutionSystem(job.cif, { supercell: c.supercell, maxDistance: MAX_DISTANCE });
  const tSetup = performance.now();
  const r = await predictParallel(job, threads);
  const wall = (performance.now() - t0) / 1000;
  const eds = Float64Array.from(r.rows.map((x) => x.eds_pred));
  console.log(
    JSON.stringify({
      family: r.family,
      configs: system.enumeration.pairs.length,
      natoms: system.enumeration.cell.length,
      substitutions: eds.length,
      setupSeconds: (tSetup - t0) / 1000,
      predictSeconds: (performance.now() - tSetup) / 1000,
      workers: threads,
      wallSeconds: wall,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
      hash: hash(eds),
      sum: eds.reduce((a, x) => a + x, 0),
    }),
  );
}

function child(args: string[]): Record<string, any> {
  const r = spawnSync(NODE[0], [...NODE.slice(1), new URL(import.meta.url).pathname, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`case ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function ensureModel(path: string | undefined): string {
  if (path) return path;
  const file = join(mkdtempSync(join(tmpdir(), 'cescreen-scale-')), 'model.json');
  const t = performance.now();
  const r = spawnSync(NODE[0], [...NODE.slice(1), ...CLI, 'train', '-o', file], { encoding: 'utf8', env: { ...process.env, CESCREEN_QUIET: '1' } });
  if (r.status !== 0) throw new Error(`training failed: ${r.stderr}`);
  console.log(`trained ${file} in ${((performance.now() - t) / 1000).toFixed(1)} s (site + transfer, α data)`);
  return file;
}

async function partA(model: string, workers: number) {
  const elements = screeningElements();
  console.log(`\nA. predictAll, ${elements.length} elements (${elements.join(' ')}), pairs ≤ ${MAX_DISTANCE} Å`);
  const head = ['cell', 'atoms', 'family', 'configs', 'substitutions', 'setup s', 'predict s', 'µs/sub', 'peak RSS MB', `${workers} workers: wall s`, 'speed-up (wall)', 'identical'];
  console.log(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
  for (const phase of ['alpha', 'beta'] as const)
    for (const cell of ['1x1x1', '2x2x1']) {
      const spec = JSON.stringify({ model, phase, supercell: cell, elements });
      const one = child(['--case', spec, '--threads', '1']);
      const many = child(['--case', spec, '--threads', String(workers)]);
      console.log(
        '| ' +
        [
          `${phase} ${cell}`,
          one.natoms,
          one.family,
          one.configs,
          one.substitutions,
          one.setupSeconds.toFixed(2),
          one.predictSeconds.toFixed(2),
          ((one.predictSeconds / one.substitutions) * 1e6).toFixed(0),
          one.maxRssMB.toFixed(0),
          `${many.wallSeconds.toFixed(2)} (RSS ${many.maxRssMB.toFixed(0)})`,
          `${(one.wallSeconds / many.wallSeconds).toFixed(2)}× (1 thread ${one.wallSeconds.toFixed(2)} s)`,
          one.hash === many.hash ? 'yes' : `NO (${one.sum} vs ${many.sum})`,
        ].join(' | ') +
        ' |',
      );
    }
}

/** Run a CLI command, sample VmHWM (peak RSS) from /proc, kill it after `limit` s. */
function measureCli(args: string[], limit: number): Promise<{ seconds: number; peakMB: number; code: number | null; killed: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const p = spawn(NODE[0], [...NODE.slice(1), ...CLI, ...args], { env: { ...process.env, CESCREEN_QUIET: '1' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    let peak = 0;
    const sample = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]) / 1024);
      } catch {
        /* exited */
      }
    }, 100);
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      p.kill('SIGKILL');
    }, limit * 1000);
    p.on('close', (code) => {
      clearInterval(sample);
      clearTimeout(timer);
      resolve({ seconds: (performance.now() - t0) / 1000, peakMB: peak, code, killed, stdout, stderr });
    });
  });
}

async function partB(limit: number) {
  const dir = mkdtempSync(join(tmpdir(), 'cescreen-big-'));
  const big = join(dir, 'alpha-12x12x11.cif');
  const w = await measureCli(['supercell', CIF.alpha, '--size', '12x12x11', '-o', big], limit);
  console.log(`\nB. 50 000-atom cell: cescreen supercell --size 12x12x11 → ${w.stdout.trim()} (${w.seconds.toFixed(1)} s, peak ${w.peakMB.toFixed(0)} MB)`);
  for (const args of [['structure'], ['nnh', '--cutoff', '6'], ['aet']]) {
    const r = await measureCli([...args, big], limit);
    const outcome = r.killed ? `killed after ${limit} s` : `exit ${r.code}${r.code ? `: ${r.stderr.trim().split('\n')[0]}` : `, ${r.stdout.split('\n')[0]}`}`;
    console.log(`cescreen ${args.join(' ')}: ${r.seconds.toFixed(1)} s, peak RSS ${r.peakMB.toFixed(0)} MB, ${outcome}`);
  }
  // What the commands do underneath, step by step, in this process.
  const t = (f: () => unknown) => {
    const t0 = performance.now();
    const v = f();
    return { s: (performance.now() - t0) / 1000, v };
  };
  const read = t(() => readStructure(big, {}));
  const s = read.v as ReturnType<typeof readStructure>;
  console.log(`  readStructure: ${read.s.toFixed(2)} s (${s.length} atoms)`);
  const nb = t(() => {
    const f = new NeighborFinder(s, 6);
    let n = 0;
    for (let i = 0; i < s.length; i++) n += f.distances(i).length;
    return n;
  });
  console.log(`  all neighbours ≤ 6 Å of every atom: ${nb.s.toFixed(2)} s (${nb.v} pairs)`);
  // One atom of each original site (the P1 file keeps the site label): what nnh/aet compute after symmetry.
  const reps = [...new Map(s.sites.map((x, i) => [x.label.replace(/_\d+$/, ''), i])).values()];
  const finder = new NeighborFinder(s, 6);
  const nnh = t(() => reps.map((i) => nearestNeighborHistogram(s, i, { cutoff: 6, finder })));
  const aet = t(() => reps.map((i) => atomicEnvironment(s, i, {})));
  console.log(`  NNH of one atom per site (${reps.length}): ${nnh.s.toFixed(3)} s; AET of the same: ${aet.s.toFixed(3)} s`);
  const alpha = readStructure(CIF.alpha, {});
  const curve: string[] = [];
  for (const n of [2, 3, 4, 5]) {
    const cell = supercell(alpha, [[n, 0, 0], [0, n, 0], [0, 0, n]]);
    const r = t(() => analyzeSymmetry(cell));
    curve.push(`${cell.length} atoms ${r.s.toFixed(2)} s`);
    if (r.s > limit / 4) break;
  }
  console.log(`  analyzeSymmetry (moyo) of n×n×n P1 supercells: ${curve.join(', ')}`);
  rmSync(dir, { recursive: true, force: true });
}

async function main() {
  const argv = process.argv.slice(2);
  const opt = (name: string) => {
    const k = argv.indexOf(name);
    return k >= 0 ? argv[k + 1] : undefined;
  };
  const spec = opt('--case');
  if (spec) return runCase(JSON.parse(spec) as CaseSpec, Number(opt('--threads') ?? 1));
  const workers = Number(opt('--workers') ?? 2);
  if (!argv.includes('--big-only')) {
    const model = ensureModel(opt('--model'));
    if (!existsSync(model)) throw new Error(`no model file ${model}`);
    await partA(model, workers);
  }
  if (argv.includes('--big') || argv.includes('--big-only')) await partB(Number(opt('--big-limit') ?? 120));
}

await main();
