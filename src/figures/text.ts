/** Plain-text tables for terminals and text files (`compare.txt`). */
import type { EvaluationResult, Scores, ShotPoint } from '../model/evaluate.ts';
import type { Comparison } from '../model/compare.ts';
import { protocolEntry } from '../model/protocols.ts';
import { Z90 } from '../util/normal.ts';

export function fixed(x: number, digits = 4): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, k) => Math.max(...cells.map((r) => (r[k] ?? '').length)));
  return cells.map((r) => r.map((c, k) => c.padEnd(widths[k])).join('  ').trimEnd()).join('\n') + '\n';
}

const pct = (x: number | undefined) => (x === undefined ? '' : `${fixed(100 * x, 1)} %`);
const meV = (x: number) => fixed(x * 1000, 1);

export function formatEvaluation(r: EvaluationResult): string {
  const intervals = r.test.coverage !== undefined;
  const row = (name: string, s: Scores) => [name, s.n, meV(s.mae), meV(s.rmse), fixed(s.r2, 3), fixed(s.f1, 2), ...(intervals ? [pct(s.coverage), s.width === undefined ? '' : fixed(s.width, 2)] : [])];
  const rows = [row(protocolEntry(r.protocol).pooled ? 'pooled' : 'test', r.test)];
  for (const [k, s] of Object.entries(r.per_site)) rows.push(row(k, s));
  for (const [k, s] of Object.entries(r.per_element)) rows.push(row(k, s));
  const c = r.calculations;
  const baselines = Object.entries(r.baselines);
  return (
    `${r.model === 'none' ? '' : `${r.model} `}${r.family} family, ${r.protocol} protocol${r.leaky ? ' (LEAKY: one calculation can sit in train and test)' : ''}, seed ${r.seed}: ${r.n_train} train / ${r.n_test} test
` +
    `data: ${c.rows} rows, ${c.calculations} distinct calculations (${c.inconsistent} whose rows disagree by > 0.1 eV, up to ${fixed(c.largestSpread, 2)} eV)
` +
    (r.cv ? `CV ${r.cv.folds} folds on the training part: MAE ${meV(r.cv.mae)} ± ${meV(r.cv.sd)} meV, R² ${fixed(r.cv.r2, 3)} (${r.cv.method})\n` : '') +
    table(['', 'n', 'MAE meV', 'RMSE meV', 'R²', 'F1', ...(intervals ? ['90 % coverage', 'width eV'] : [])], rows) +
    (baselines.length ? `baselines on the same splits (MAE meV): ${baselines.map(([k, s]) => `${k} ${meV(s.mae)}`).join(', ')}\n` : '') +
    (r.shots?.length ? formatShots(r.shots) : '') +
    (r.learning_curve?.length ? `learning curve (test MAE meV, model / additive): ${r.learning_curve.map((p) => `${fixed(100 * p.fraction, 0)} % (${p.n_train}) ${meV(p.mae)} / ${meV(p.additive)}`).join(', ')}\n` : '')
  );
}

/** The k-shot curve: MAE (meV) on the rest of the held-out site after k of its calculations joined training. */
export function formatShots(shots: ShotPoint[]): string {
  const sites = [...new Set(shots.flatMap((s) => Object.keys(s.per_site)))];
  return (
    'k calculations of the held-out site added to training (test MAE meV on the rest of the site; random: mean over draws [90 % range of one draw])\n' +
    table(
      ['k', 'chosen by', 'mean', ...sites],
      shots.map((s) => [
        s.k,
        s.strategy,
        meV(s.mae),
        ...sites.map((t) => {
          const p = s.per_site[t];
          return p ? `${meV(p.mae)}${p.draws > 1 ? ` [${meV(p.mae - Z90 * p.sd)}, ${meV(p.mae + Z90 * p.sd)}]` : ''}` : '';
        }),
      ]),
    )
  );
}

export function formatCompare(c: Comparison): string {
  const cell = (x: number | null | undefined) => (x === null || x === undefined ? '—' : fixed(x, 1));
  const lit = c.literature;
  return (
    `test MAE in meV per cell, ${c.protocol} protocol${lit ? ` (literature rows: their ${lit.protocol} protocol)` : ''}\n` +
    table(
      ['model', 'features', ...c.sites, 'all sites'],
      [
        ...(lit?.rows ?? []).map((a) => [a.model, a.features, ...c.sites.map((s) => cell(a.per_site[s])), cell(a.all)]),
        ...c.rows.map((r) => [`${r.model} (${r.family})`, r.features, ...c.sites.map((s) => cell(r.per_site[s])), cell(r.all)]),
      ],
    )
  );
}
