/**
 * How `cescreen screen` scales over structures: structures per minute and
 * predictions per second per core, for the real-CIF corpus (its ordered files
 * and the Nb5Si3 phases) × the model's 14 elements and × 40 elements, and the
 * peak memory as the list grows (the same list 1×, 2×, 4×, as copies under
 * other names, so each copy is screened again).
 *
 *   npx tsx scripts/bench-screen.ts [--model FILE] [--sample40 K] [--limit40 N] [--grow-elements Ti] [--cases 14,40,grow]
 *
 * Every case runs in its own process (one thread for DuckDB, one for the rest),
 * which reports its wall time, CPU time and peak RSS (process.resourceUsage):
 * "per core" = per CPU-second of that process, so a loaded machine lowers the
 * wall-clock rates but not the per-core ones. × 40 runs on every K-th structure
 * of the list (default 5; the first N of those with --limit40) to keep the run
 * short, and counts the substitutions of the whole list × 40 to say what the
 * whole list would cost at the measured rate. The corpus is
 * ../shared/data/cif-corpus or CESCREEN_CIF_CORPUS. A gp model is trained on
 * the α data first when --model is absent.
 */
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { screeningElements } from '../src/features/ce.ts';
import { screenStructures } from '../src/workflow/screen.ts';
import { substitutionSystem } from '../src/substitution/system.ts';
import { distinctSubstitutions } from '../src/substitution/substitution.ts';

const root = new URL('../', import.meta.url).pathname;
const CORPUS = process.env.CESCREEN_CIF_CORPUS ?? join(root, '..', 'shared', 'data', 'cif-corpus');
const arg = (name: string, fallback?: string) => {
  const k = process.argv.indexOf(name);
  return k >= 0 ? process.argv[k + 1] : fallback;
};

interface CaseResult {
  structures: number;
  screened: number;
  failed: number;
  rows: number;
  wall: number;
  cpu: number;
  maxRssMB: number;
}

/** Child: one screening, measured from inside. */
async function runCase(spec: { model: string; list: string; elements?: string[]; output: string }): Promise<CaseResult> {
  const t = performance.now();
  const r = await screenStructures({ model: spec.model, list: spec.list, output: spec.output, elements: spec.elements, supercell: '1x1x1', maxDistance: 3.6, seed: 0 });
  const u = process.resourceUsage();
  return {
    structures: r.structures,
    screened: r.screened,
    failed: r.failed.length,
    rows: r.rows,
    wall: (performance.now() - t) / 1000,
    cpu: (u.userCPUTime + u.systemCPUTime) / 1e6,
    maxRssMB: u.maxRSS / 1024,
  };
}

function inChild(spec: object): CaseResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--case', JSON.stringify(spec)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`case failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function corpusList(): string[] {
  const lines = readFileSync(join(CORPUS, 'reference.tsv'), 'utf8').trim().split('\n');
  const head = lines[0].split('\t');
  const ordered = lines.slice(1).map((l) => l.split('\t')).filter((v) => v[head.indexOf('pymatgen_ordered')] === 'True').map((v) => join(CORPUS, v[head.indexOf('file')]));
  return [...ordered, join(root, 'structures/alpha-Nb5Si3/structure.cif'), join(root, 'structures/beta-Nb5Si3/structure.cif')];
}

function writeList(path: string, files: string[]): string {
  writeFileSync(path, files.join('\n') + '\n');
  return path;
}

/** The list k times: copy c of each file is a symbolic link under copy<c>/, so it is a structure of its own. */
function repeated(dir: string, files: string[], k: number): string[] {
  const out: string[] = [];
  for (let c = 1; c <= k; c++) {
    const sub = join(dir, `copy${c}`);
    mkdirSync(sub, { recursive: true });
    for (const [i, f] of files.entries()) {
      const link = join(sub, `${i}-${basename(f)}`);
      try {
        symlinkSync(f, link);
      } catch {
        // made by an earlier multiple
      }
      out.push(link);
    }
  }
  return out;
}

const fmt = (x: number, d = 1) => x.toFixed(d);

/** Substitutions a list would be predicted on (structures that cannot be read count 0). */
function countSubstitutions(files: string[], elements: string[]): { count: number; seconds: number } {
  const t = performance.now();
  let count = 0;
  for (const f of files) {
    try {
      count += distinctSubstitutions(substitutionSystem(f, { supercell: '1x1x1', maxDistance: 3.6 }).enumeration, elements).length;
    } catch {
      // refused by the reader: screen records it as failed
    }
  }
  return { count, seconds: (performance.now() - t) / 1000 };
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'cescreen-bench-screen-'));
  try {
    let model = arg('--model');
    if (!model) {
      model = join(work, 'gp.json');
      const t = spawnSync(process.execPath, [join(root, 'bin/cescreen.js'), 'train', '--families', 'gp', '-o', model], { encoding: 'utf8' });
      if (t.status !== 0) throw new Error(t.stderr);
    }
    const files = corpusList();
    const k40 = Number(arg('--sample40', '5'));
    const grow = (arg('--grow-elements', 'Ti') as string).split(',');
    console.log(`bench-screen ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB; ${files.length} structures (corpus ordered files + α, β Nb5Si3), 1×1×1, pairs ≤ 3.6 Å, gp model`);
    console.log('case                          structures  failed  predictions  wall s  CPU s  structures/min  /min per core  predictions/s per core  peak MB');
    const row = (name: string, r: CaseResult) =>
      console.log(
        `${name.padEnd(30)}${String(r.structures).padStart(10)}${String(r.failed).padStart(8)}${String(r.rows).padStart(13)}${fmt(r.wall).padStart(8)}${fmt(r.cpu).padStart(7)}` +
          `${fmt((60 * r.structures) / r.wall).padStart(16)}${fmt((60 * r.structures) / r.cpu).padStart(15)}${fmt(r.rows / r.cpu, 0).padStart(24)}${fmt(r.maxRssMB, 0).padStart(9)}`,
      );
    const cases = (arg('--cases', '14,40,grow') as string).split(',');
    if (cases.includes('14')) row('corpus × 14 elements', inChild({ model, list: writeList(join(work, 'all.txt'), files), output: join(work, 'r14') }));
    const sample = files.filter((_, k) => k % k40 === 0).slice(0, Number(arg('--limit40', '1000000')));
    if (cases.includes('40')) {
      const r = inChild({ model, list: writeList(join(work, 'sample.txt'), sample), elements: screeningElements(40), output: join(work, 'r40') });
      row(`${sample.length} of corpus × 40 elements`, r);
      const { count, seconds } = countSubstitutions(files, screeningElements(40));
      console.log(`whole list × 40 elements: ${count} substitutions (counted in ${fmt(seconds)} s; orientation twins not yet merged) ≈ ${fmt(count / (r.rows / r.cpu) / 3600, 2)} CPU-hours at the rate above`);
    }
    for (const k of cases.includes('grow') ? [1, 2, 4] : []) {
      row(`list ${k}× (${k * files.length}) × {${grow.join(',')}}`, inChild({ model, list: writeList(join(work, `grow${k}.txt`), repeated(work, files, k)), elements: grow, output: join(work, `grow${k}`) }));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const k = process.argv.indexOf('--case');
if (k >= 0) console.log(JSON.stringify(await runCase(JSON.parse(process.argv[k + 1]))));
else await main();
