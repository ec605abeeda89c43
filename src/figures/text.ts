/** Plain-text tables for terminals and text files (`compare.txt`). */
import type { EvaluationResult } from '../model/evaluate.ts';
import type { Comparison } from '../model/compare.ts';
import { protocolEntry } from '../model/protocols.ts';

export function fixed(x: number, digits = 4): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, k) => Math.max(...cells.map((r) => (r[k] ?? '').length)));
  return cells.map((r) => r.map((c, k) => c.padEnd(widths[k])).join('  ').trimEnd()).join('\n') + '\n';
}

export function formatEvaluation(r: EvaluationResult): string {
  const row = (name: string, s: { n: number; mae: number; rmse: number; r2: number; f1: number }) => [name, s.n, fixed(s.mae * 1000, 1), fixed(s.rmse * 1000, 1), fixed(s.r2, 3), fixed(s.f1, 2)];
  const rows = [row(protocolEntry(r.protocol).pooled ? 'pooled' : 'test', r.test)];
  for (const [k, s] of Object.entries(r.per_site)) rows.push(row(k, s));
  for (const [k, s] of Object.entries(r.per_element)) rows.push(row(k, s));
  return (
    `${r.model} ${r.family} family, ${r.protocol} protocol, seed ${r.seed}: ${r.n_train} train / ${r.n_test} test\n` +
    (r.cv ? `CV ${r.cv.folds} folds: MAE ${fixed(r.cv.mae * 1000, 1)} ± ${fixed(r.cv.sd * 1000, 1)} meV, R² ${fixed(r.cv.r2, 3)}\n` : '') +
    table(['', 'n', 'MAE meV', 'RMSE meV', 'R²', 'F1'], rows)
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
