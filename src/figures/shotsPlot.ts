// The k-shot curve: leave-site-out test MAE after k calculations of the held-out site joined
// training, the model's suggestions against random picks, one panel per held-out site and one for
// their mean, all on one MAE axis so the panels compare at a glance.
import type { ShotPoint } from '../model/evaluation/evaluate.ts';
import { Z90 } from '../util/normal.ts';
import { esc, niceTicks, num, px, svgOpen, textWidth, tickLabel } from './svg.ts';

const STRATEGIES = [
  { key: 'suggest', label: 'chosen by cescreen suggest', colour: '#0072b2', dash: '' },
  { key: 'random', label: 'at random (bars: 90 % range of one draw)', colour: '#d55e00', dash: '5 3' },
] as const;

const PANEL = { width: 196, height: 168, gap: 18 };
const M = { left: 52, top: 70, right: 12, bottom: 44 };

/** One point of a panel: k, MAE (meV) and, for random draws, the 90 % range of one draw. */
interface Point {
  k: number;
  mae: number;
  lo?: number;
  hi?: number;
}

/** Points per panel (the mean over sites first, then each site) and strategy. */
function series(shots: readonly ShotPoint[]): { panel: string; lines: { key: string; points: Point[] }[] }[] {
  const sites = [...new Set(shots.flatMap((s) => Object.keys(s.per_tag)))];
  const line = (key: string, pick: (s: ShotPoint) => Point | undefined) => ({
    key,
    points: shots.filter((s) => s.strategy === key).map(pick).filter((p): p is Point => p !== undefined).sort((a, b) => a.k - b.k),
  });
  return [
    { panel: 'mean over sites', lines: STRATEGIES.map((st) => line(st.key, (s) => ({ k: s.k, mae: s.mae * 1000 }))) },
    ...sites.map((site) => ({
      panel: `${site} held out`,
      lines: STRATEGIES.map((st) =>
        line(st.key, (s) => {
          const v = s.per_tag[site];
          if (!v) return undefined;
          const spread = v.draws > 1 && v.sd > 0 ? { lo: (v.mae - Z90 * v.sd) * 1000, hi: (v.mae + Z90 * v.sd) * 1000 } : {};
          return { k: s.k, mae: v.mae * 1000, ...spread };
        }),
      ),
    })),
  ];
}

/** The k-shot curve as an SVG figure (empty string without points). */
export function shotsSvg(shots: readonly ShotPoint[]): string {
  if (!shots.length) return '';
  const panels = series(shots);
  const ks = [...new Set(shots.map((s) => s.k))].sort((a, b) => a - b);
  const kMax = Math.max(...ks, 1);
  const ys = panels.flatMap((p) => p.lines.flatMap((l) => l.points.flatMap((q) => [q.mae, q.hi ?? q.mae])));
  const top = Math.max(...ys) * 1.05;
  const yTicks = niceTicks(0, top, 5);
  while (yTicks[yTicks.length - 1] < top) yTicks.push(+(2 * yTicks[yTicks.length - 1] - yTicks[yTicks.length - 2]).toPrecision(12));
  const yMax = yTicks[yTicks.length - 1];
  const width = M.left + panels.length * (PANEL.width + PANEL.gap) - PANEL.gap + M.right;
  const height = M.top + PANEL.height + M.bottom;
  const out = [svgOpen(width, height, 'class="shots" data-name="k-shot-curve"'), '<rect width="100%" height="100%" fill="#ffffff"/>'];
  out.push(`<text class="title" x="${px(M.left)}" y="18" font-size="14" font-weight="bold">A new site: test MAE after k of its calculations join training</text>`);
  // Legend.
  let lx = M.left;
  for (const st of STRATEGIES) {
    out.push(`<line x1="${px(lx)}" y1="36" x2="${px(lx + 22)}" y2="36" stroke="${st.colour}" stroke-width="2"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''}/>`);
    out.push(`<text x="${px(lx + 28)}" y="40" font-size="11">${esc(st.label)}</text>`);
    lx += 44 + textWidth(st.label, 11);
  }
  panels.forEach((panel, i) => {
    const x0 = M.left + i * (PANEL.width + PANEL.gap);
    const X = (k: number) => x0 + (k / kMax) * PANEL.width;
    const Y = (v: number) => M.top + PANEL.height - (v / yMax) * PANEL.height;
    out.push(`<g class="panel" data-panel="${esc(panel.panel)}">`);
    out.push(`<rect x="${px(x0)}" y="${M.top}" width="${PANEL.width}" height="${PANEL.height}" fill="#fbfbfb" stroke="#bbb" stroke-width="0.8"/>`);
    out.push(`<text x="${px(x0 + PANEL.width / 2)}" y="${M.top - 6}" text-anchor="middle" font-size="12" font-weight="bold">${esc(panel.panel)}</text>`);
    for (const t of yTicks) {
      out.push(`<line x1="${px(x0)}" y1="${px(Y(t))}" x2="${px(x0 + PANEL.width)}" y2="${px(Y(t))}" stroke="#e6e6e6"/>`);
      if (i === 0) out.push(`<text x="${px(x0 - 5)}" y="${px(Y(t) + 3.5)}" text-anchor="end" font-size="10">${tickLabel(t)}</text>`);
    }
    for (const k of ks) out.push(`<text x="${px(X(k))}" y="${M.top + PANEL.height + 14}" text-anchor="middle" font-size="10">${k}</text>`);
    out.push(`<text x="${px(x0 + PANEL.width / 2)}" y="${M.top + PANEL.height + 32}" text-anchor="middle" font-size="11">k calculations added</text>`);
    for (const l of panel.lines) {
      const st = STRATEGIES.find((s) => s.key === l.key)!;
      out.push(`<polyline fill="none" stroke="${st.colour}" stroke-width="2"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''} points="${l.points.map((q) => `${px(X(q.k))},${px(Y(q.mae))}`).join(' ')}"/>`);
      for (const q of l.points) {
        if (q.lo !== undefined && q.hi !== undefined) {
          out.push(`<line class="range" x1="${px(X(q.k))}" y1="${px(Y(Math.max(0, q.lo)))}" x2="${px(X(q.k))}" y2="${px(Y(q.hi))}" stroke="${st.colour}" stroke-width="1.2"/>`);
        }
        const range = q.lo !== undefined && q.hi !== undefined ? `, 90 % range [${num(q.lo, 0)}, ${num(q.hi, 0)}]` : '';
        out.push(
          `<circle class="point" data-strategy="${st.key}" data-k="${q.k}" data-mae="${q.mae}" cx="${px(X(q.k))}" cy="${px(Y(q.mae))}" r="3.2" fill="${st.colour}"><title>${esc(`${panel.panel}, k = ${q.k}, ${st.key}: ${num(q.mae, 0)} meV${range}`)}</title></circle>`,
        );
      }
    }
    out.push('</g>');
  });
  out.push(`<text transform="translate(14,${px(M.top + PANEL.height / 2)}) rotate(-90)" text-anchor="middle" font-size="11">test MAE (meV)</text>`);
  out.push('</svg>');
  return out.join('\n');
}
