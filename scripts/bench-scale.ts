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
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { loadModel } from '../src/predict/modelFile.ts';
import { predictAll, predictionRows } from '../src/predict/predict.ts';
import { substitutionSystem } from '../src/substitution/system.ts';
import { expandSubstitutions } from '../src/substitution/substitution.ts';
import { chooseFamily } from '../src/cli/modelCommands.ts';
import { featurizerFor, type SubstitutionModel } from '../src/model/family.ts';
import type { Regressor } from '../src/model/estimator.ts';
import type { PairEnumeration } from '../src/substitution/pairs.ts';
import type { Substitution } from '../src/substitution/substitution.ts';
import { ALLOYING_ELEMENTS, element, elementSymbols, propertyMatrix } from '../src/features/elements.ts';
import { CE_PROPERTIES } from '../src/features/ce.ts';
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

/**
 * 40 screening elements: the 14 alloying elements of the DFT data, then the
 * lightest further elements (Z ≤ 83, halogens and chalcogens left out) whose
 * CE properties are all tabulated, so no value is imputed.
 */
export function screeningElements(n = 40): string[] {
  const complete = elementSymbols().filter((s) => {
    const e = element(s);
    if (e.Z > 83 || e.values.GN === 16 || e.values.GN === 17 || e.values.GN === 18) return false;
    try {
      propertyMatrix([s], CE_PROPERTIES, { impute: 'error' });
      return true;
    } catch {
      return false;
    }
  });
  const out = [...ALLOYING_ELEMENTS];
  for (const s of complete) if (out.length < n && !out.includes(s)) out.push(s);
  if (out.length < n) throw new Error(`only ${out.length} elements have every CE property`);
  return out;
}

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

/**
 * SubstitutionModel.predict with every repeated regressor call done once
 * (proposal 2 in scripts/peer/PROPOSALS.md): the pristine term per pair, the
 * single-site energies per (atom, element), the double difference's
 * I(X, host) and I(host, Y) per (pair, element). Same arithmetic in the same
 * order, so the energies are bit-identical. Reads the model's private fields:
 * a measurement, not an API.
 */
export function cachedPredict(model: SubstitutionModel, e: PairEnumeration, subs: Substitution[]): number[] {
  const m = model as unknown as { spec: SubstitutionModel['spec']; main: Regressor; single: Regressor | null };
  const f = featurizerFor(e, m.spec.features);
  const host = (atom: number) => e.cell.sites[atom].element;
  /** Evaluate `main` once per distinct key, batched. */
  const memo = (reg: Regressor, items: [string, () => number[]][]) => {
    const keys = new Map<string, () => number[]>();
    for (const [k, x] of items) if (!keys.has(k)) keys.set(k, x);
    const p = reg.predict([...keys.values()].map((x) => x()));
    return new Map([...keys.keys()].map((k, i) => [k, p[i]]));
  };
  const pristine = (s: Substitution): Substitution => ({ pair: s.pair, elementA: host(s.pair.atomA), elementB: host(s.pair.atomB) });
  if (m.spec.family === 'site') {
    const p = m.main.predict(subs.map((s) => f.features(s)));
    const p0 = memo(m.main, subs.map((s) => [String(s.pair.id), () => f.features(pristine(s))]));
    return p.map((v, k) => v - p0.get(String(subs[k].pair.id))!);
  }
  const g = featurizerFor(e, m.spec.endFeatures!);
  const ends = (s: Substitution): [number, string][] => [[s.pair.atomA, s.elementA], [s.pair.atomB, s.elementB]];
  const single = memo(
    m.single!,
    subs.flatMap((s) => ends(s).flatMap(([a, el]) => [[`${a}:${el}`, () => g.endFeatures(a, el)], [`${a}:${host(a)}`, () => g.endFeatures(a, host(a))]] as [string, () => number[]][])),
  );
  const out = subs.map((s) => {
    let v = 0;
    for (const [a, el] of ends(s)) if (el !== host(a)) v += single.get(`${a}:${el}`)! - single.get(`${a}:${host(a)}`)!;
    return v;
  });
  const doubles = subs.map((s, k) => [s, k] as const).filter(([s]) => s.elementA !== host(s.pair.atomA) && s.elementB !== host(s.pair.atomB));
  const p = m.main.predict(doubles.map(([s]) => f.features(s)));
  const side = memo(
    m.main,
    doubles.flatMap(([s]) => {
      const id = s.pair.id, ha = host(s.pair.atomA), hb = host(s.pair.atomB);
      return [
        [`${id}:a:${s.elementA}`, () => f.features({ pair: s.pair, elementA: s.elementA, elementB: hb })],
        [`${id}:b:${s.elementB}`, () => f.features({ pair: s.pair, elementA: ha, elementB: s.elementB })],
        [`${id}:0`, () => f.features(pristine(s))],
      ] as [string, () => number[]][];
    }),
  );
  doubles.forEach(([s, k], j) => {
    const id = s.pair.id;
    out[k] += p[j] - side.get(`${id}:a:${s.elementA}`)! - side.get(`${id}:b:${s.elementB}`)! + side.get(`${id}:0`)!;
  });
  return out;
}

/** One thread's share: load the model, enumerate the cell, predict substitutions [k·n/W, (k+1)·n/W). */
async function predictShare(c: CaseSpec, k: number, W: number, cached = false) {
  const t0 = performance.now();
  const saved = await loadModel(c.model);
  const system = substitutionSystem(CIF[c.phase], { supercell: c.supercell, maxDistance: MAX_DISTANCE });
  const { family, model } = chooseFamily(saved, system.structure);
  const subs = expandSubstitutions(system.enumeration, c.elements);
  const tSetup = performance.now();
  const lo = Math.floor((k * subs.length) / W);
  const hi = Math.floor(((k + 1) * subs.length) / W);
  if (cached) {
    const eds = Float64Array.from(cachedPredict(model, system.enumeration, subs));
    const tEnd = performance.now();
    return { family, configs: system.enumeration.pairs.length, natoms: system.enumeration.cell.length, substitutions: subs.length, eds, setupSeconds: (tSetup - t0) / 1000, predictSeconds: (tEnd - tSetup) / 1000 };
  }
  const rows = W === 1 ? predictAll(model, system.enumeration, c.elements, saved.training.elements) : predictionRows(model, system.enumeration, subs.slice(lo, hi), saved.training.elements);
  const tEnd = performance.now();
  return {
    family,
    configs: system.enumeration.pairs.length,
    natoms: system.enumeration.cell.length,
    substitutions: subs.length,
    eds: Float64Array.from(rows.map((r) => r.eds_pred)),
    setupSeconds: (tSetup - t0) / 1000,
    predictSeconds: (tEnd - tSetup) / 1000,
  };
}

/** Workers do not inherit tsx's loader: register it in the worker, then load this file. */
const WORKER_BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;

/** Child-process entry: one case, W threads; prints one JSON line. */
async function runCase(c: CaseSpec, W: number, cached: boolean) {
  const t0 = performance.now();
  let r;
  if (W === 1) r = await predictShare(c, 0, 1, cached);
  else {
    const parts = await Promise.all(
      Array.from({ length: W }, (_, k) =>
        new Promise<Awaited<ReturnType<typeof predictShare>>>((resolve, reject) => {
          const w = new Worker(WORKER_BOOT, { eval: true, workerData: { c, k, W } });
          w.once('message', resolve);
          w.once('error', reject);
        }),
      ),
    );
    const eds = new Float64Array(parts.reduce((s, p) => s + p.eds.length, 0));
    let o = 0;
    for (const p of parts) eds.set(p.eds, o), (o += p.eds.length);
    r = { ...parts[0], eds, setupSeconds: Math.max(...parts.map((p) => p.setupSeconds)), predictSeconds: Math.max(...parts.map((p) => p.predictSeconds)) };
  }
  const wall = (performance.now() - t0) / 1000;
  const { eds, ...rest } = r;
  console.log(JSON.stringify({ ...rest, workers: W, wallSeconds: wall, maxRssMB: process.resourceUsage().maxRSS / 1024, hash: hash(eds), sum: eds.reduce((s, x) => s + x, 0) }));
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
  const head = ['cell', 'atoms', 'family', 'configs', 'substitutions', 'setup s', 'predict s', 'µs/sub', 'peak RSS MB', `${workers} workers: wall s`, 'speed-up (wall)', 'identical', 'cached predict s', 'identical'];
  console.log(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
  for (const phase of ['alpha', 'beta'] as const)
    for (const cell of ['1x1x1', '2x2x1']) {
      const spec = JSON.stringify({ model, phase, supercell: cell, elements });
      const one = child(['--case', spec, '--threads', '1']);
      const many = child(['--case', spec, '--threads', String(workers)]);
      const cached = child(['--case', spec, '--threads', '1', '--cached']);
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
          `${cached.predictSeconds.toFixed(2)} (${(one.predictSeconds / cached.predictSeconds).toFixed(1)}×)`,
          one.hash === cached.hash ? 'yes' : `NO (${one.sum} vs ${cached.sum})`,
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
  if (spec) return runCase(JSON.parse(spec) as CaseSpec, Number(opt('--threads') ?? 1), argv.includes('--cached'));
  const workers = Number(opt('--workers') ?? 2);
  if (!argv.includes('--big-only')) {
    const model = ensureModel(opt('--model'));
    if (!existsSync(model)) throw new Error(`no model file ${model}`);
    await partA(model, workers);
  }
  if (argv.includes('--big') || argv.includes('--big-only')) await partB(Number(opt('--big-limit') ?? 120));
}

if (isMainThread) await main();
else {
  const { c, k, W } = workerData as { c: CaseSpec; k: number; W: number };
  const r = await predictShare(c, k, W);
  parentPort!.postMessage(r, [r.eds.buffer]);
}
