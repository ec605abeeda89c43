/** Plain-text tables for terminals and text files (`compare.txt`). */
import type { EvaluationResult, Scores, ShotPoint } from '../model/evaluation/evaluate.ts';
import type { Comparison } from '../model/evaluation/compare.ts';
import { protocolEntry } from '../model/evaluation/protocols.ts';
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
  const baselines = Object.entries(r.baselines);
  const row = (name: string, s: Scores) => [
    name,
    s.n,
    meV(s.mae),
    fixed(s.r, 2),
    pct(s.sign),
    fixed(s.spread, 2),
    `${fixed(s.stabilising.precision, 2)} / ${fixed(s.stabilising.recall, 2)}`,
    ...(intervals ? [pct(s.coverage), s.width === undefined ? '' : fixed(s.width, 2)] : []),
    ...baselines.map(([k, b]) => {
      const v = s.baselines?.[k] ?? (s === r.test ? b.mae : undefined);
      return v === undefined ? '' : meV(v);
    }),
  ];
  const rows = [row(protocolEntry(r.protocol).pooled ? 'pooled' : 'test', r.test)];
  for (const per of [r.per_site, r.per_element, r.per_phase]) for (const [k, s] of Object.entries(per)) rows.push(row(k, s));
  const c = r.calculations;
  return (
    `${r.model === 'none' ? '' : `${r.model} `}${r.family} family, ${r.protocol} protocol${r.leaky ? ' (LEAKY: one calculation can sit in train and test)' : ''}, seed ${r.seed}: ${r.n_train} train / ${r.n_test} test
` +
    `data: ${c.rows} rows, ${c.calculations} distinct calculations (${c.inconsistent} whose rows disagree by > 0.1 eV, up to ${fixed(c.largestSpread, 2)} eV)${Object.keys(r.dropped).length ? `; set aside: ${Object.entries(r.dropped).map(([why, n]) => `${n} ${why}`).join(', ')}` : ''}
` +
    (r.cv ? `CV ${r.cv.folds} folds on the training part: MAE ${meV(r.cv.mae)} ± ${meV(r.cv.sd)} meV, R² ${fixed(r.cv.r2, 3)} (${r.cv.method})\n` : '') +
    table(['', 'n', 'MAE meV', 'r', 'sign', 'DFT sd eV', 'stabilising P / R', ...(intervals ? ['90 % coverage', 'width eV'] : []), ...baselines.map(([k]) => `${k} MAE`)], rows) +
    (baselines.length ? `(the last ${baselines.length} columns: baselines on the same splits, MAE meV)\n` : '') +
    (r.test.domain ? `applicability domain: ${r.test.domain.flagged} of ${r.test.n} flagged out of domain (MAE flagged ${meV(r.test.domain.flaggedMae)}, unflagged ${meV(r.test.domain.unflaggedMae)} meV)\n` : '') +
    (r.shots?.length ? formatShots(r.shots) : '') +
    (r.learning_curve?.length ? `learning curve (test MAE meV, model / additive): ${r.learning_curve.map((p) => `${fixed(100 * p.fraction, 0)} % (${p.n_train}) ${meV(p.mae)} / ${meV(p.additive)}`).join(', ')}\n` : '')
  );
}

/** Predictions scored against DFT rows: the same numbers as one row of `evaluate`'s table. */
export function formatScores(s: Scores): string {
  return (
    `against the ${s.n} energies of the data set: MAE ${meV(s.mae)} meV, r ${fixed(s.r, 2)}, sign ${pct(s.sign)}, DFT sd ${fixed(s.spread, 2)} eV` +
    `${s.coverage === undefined ? '' : `, 90 % coverage ${pct(s.coverage)} (mean width ${fixed(s.width!, 2)} eV)`}; stabilising precision ${fixed(s.stabilising.precision, 2)}, recall ${fixed(s.stabilising.recall, 2)} (${s.stabilising.predicted} predicted, ${s.stabilising.true} true)\n`
  );
}

/** The k-shot curve: MAE (meV) on the rest of each held-out group after k of its calculations joined training, beside the shot baselines. */
export function formatShots(shots: ShotPoint[]): string {
  const tags = [...new Set(shots.flatMap((s) => Object.keys(s.per_tag)))];
  const kind = shots[0]?.tag_kind ?? 'site';
  const baselines = [...new Set(shots.flatMap((s) => Object.keys(s.baselines)))];
  return (
    `k calculations of the held-out ${kind} added to training (test MAE meV on the rest of the ${kind}; random: mean over draws [90 % range of one draw]; coverage of the 90 % intervals)\n` +
    table(
      ['k', 'chosen by', 'mean', 'coverage', ...baselines, ...tags],
      shots.map((s) => [
        s.k,
        s.strategy,
        meV(s.mae),
        pct(s.coverage),
        ...baselines.map((b) => (s.baselines[b] === undefined ? '' : meV(s.baselines[b]))),
        ...tags.map((t) => {
          const p = s.per_tag[t];
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
