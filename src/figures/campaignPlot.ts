// The campaign curve: a score of the target phase against the number of its calculations computed,
// one line per way of picking them (random picks: the mean over seeds with their min–max band),
// panels side by side (a metric per panel, a target per row of panels).
import { coveringTicks, esc, num, px, svgOpen, textWidth, tickLabel } from './svg.ts';

export interface CurvePoint {
  x: number;
  y: number;
  /** Spread over seeds (drawn as a band). */
  lo?: number;
  hi?: number;
}

export interface CurveLine {
  /** stabilising, variance, random (its colour and dash), or any other key (grey). */
  key: string;
  label: string;
  points: CurvePoint[];
}

export interface CurvePanel {
  title: string;
  yLabel: string;
  /** A horizontal guide (e.g. the F1 goal). */
  guide?: number;
  lines: CurveLine[];
}

const STYLE: Record<string, { colour: string; dash: string }> = {
  stabilising: { colour: '#0072b2', dash: '' },
  variance: { colour: '#009e73', dash: '2 3' },
  random: { colour: '#d55e00', dash: '6 3' },
};
const styleOf = (key: string) => STYLE[key] ?? { colour: '#777777', dash: '' };

const PANEL = { width: 260, height: 170, gap: 56, rowGap: 64 };
const M = { left: 56, top: 46, right: 16, bottom: 44 };
const LEGEND_ROW = 16;

/** Panels in rows of `perRow`, a shared legend on top. */
export function campaignSvg(title: string, panels: readonly CurvePanel[], o: { xLabel: string; perRow?: number }): string {
  const perRow = Math.max(1, o.perRow ?? panels.length);
  const rows = Math.ceil(panels.length / perRow);
  const width = M.left + perRow * (PANEL.width + PANEL.gap) - PANEL.gap + M.right;
  // the legend wraps onto as many rows as the width needs; the panels start below it
  const legend: { key: string; label: string; x: number; row: number }[] = [];
  let lx = M.left;
  let row = 0;
  for (const [key, label] of new Map(panels.flatMap((p) => p.lines.map((l) => [l.key, l.label] as const)))) {
    const w = 36 + textWidth(label, 11);
    if (lx > M.left && lx + w > width - M.right) [lx, row] = [M.left, row + 1];
    legend.push({ key, label, x: lx, row });
    lx += w + 8;
  }
  const top = M.top + (row + 1) * LEGEND_ROW;
  const height = top + rows * (PANEL.height + PANEL.rowGap) - PANEL.rowGap + M.bottom;
  const out = [svgOpen(width, height, 'class="campaign" data-name="campaign-curve"'), '<rect width="100%" height="100%" fill="#ffffff"/>'];
  out.push(`<text x="${px(M.left)}" y="18" font-size="14" font-weight="bold">${esc(title)}</text>`);
  for (const l of legend) {
    const st = styleOf(l.key);
    const y = 36 + l.row * LEGEND_ROW;
    out.push(`<line x1="${px(l.x)}" y1="${px(y)}" x2="${px(l.x + 22)}" y2="${px(y)}" stroke="${st.colour}" stroke-width="2"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''}/>`);
    out.push(`<text x="${px(l.x + 28)}" y="${px(y + 4)}" font-size="11">${esc(l.label)}</text>`);
  }
  panels.forEach((panel, i) => {
    const x0 = M.left + (i % perRow) * (PANEL.width + PANEL.gap);
    const y0 = top + Math.floor(i / perRow) * (PANEL.height + PANEL.rowGap);
    const points = panel.lines.flatMap((l) => l.points);
    const xTicks = coveringTicks(0, Math.max(1, ...points.map((p) => p.x)), 6);
    const yTicks = coveringTicks(0, Math.max(1e-9, ...points.map((p) => Math.max(p.y, p.hi ?? p.y)), panel.guide ?? 0), 5);
    const xMax = Math.max(...xTicks, ...points.map((p) => p.x));
    const yMax = Math.max(...yTicks);
    const X = (x: number) => x0 + (x / xMax) * PANEL.width;
    const Y = (y: number) => y0 + PANEL.height - (Math.max(0, y) / yMax) * PANEL.height;
    out.push(`<g class="panel" data-panel="${esc(panel.title)}">`);
    out.push(`<rect x="${px(x0)}" y="${px(y0)}" width="${PANEL.width}" height="${PANEL.height}" fill="#fbfbfb" stroke="#bbb" stroke-width="0.8"/>`);
    out.push(`<text x="${px(x0 + PANEL.width / 2)}" y="${px(y0 - 6)}" text-anchor="middle" font-size="12" font-weight="bold">${esc(panel.title)}</text>`);
    for (const t of yTicks) {
      out.push(`<line x1="${px(x0)}" y1="${px(Y(t))}" x2="${px(x0 + PANEL.width)}" y2="${px(Y(t))}" stroke="#e6e6e6"/>`);
      out.push(`<text x="${px(x0 - 5)}" y="${px(Y(t) + 3.5)}" text-anchor="end" font-size="10">${tickLabel(t)}</text>`);
    }
    for (const t of xTicks) out.push(`<text x="${px(X(t))}" y="${px(y0 + PANEL.height + 14)}" text-anchor="middle" font-size="10">${tickLabel(t)}</text>`);
    out.push(`<text x="${px(x0 + PANEL.width / 2)}" y="${px(y0 + PANEL.height + 30)}" text-anchor="middle" font-size="11">${esc(o.xLabel)}</text>`);
    out.push(`<text transform="translate(${px(x0 - 38)},${px(y0 + PANEL.height / 2)}) rotate(-90)" text-anchor="middle" font-size="11">${esc(panel.yLabel)}</text>`);
    if (panel.guide !== undefined) out.push(`<line class="guide" x1="${px(x0)}" y1="${px(Y(panel.guide))}" x2="${px(x0 + PANEL.width)}" y2="${px(Y(panel.guide))}" stroke="#444" stroke-width="0.8" stroke-dasharray="1 2"/>`);
    for (const l of panel.lines) {
      const st = styleOf(l.key);
      const band = l.points.filter((p) => p.lo !== undefined && p.hi !== undefined);
      if (band.length > 1)
        out.push(`<polygon class="band" fill="${st.colour}" fill-opacity="0.15" stroke="none" points="${[...band.map((p) => `${px(X(p.x))},${px(Y(p.hi!))}`), ...[...band].reverse().map((p) => `${px(X(p.x))},${px(Y(p.lo!))}`)].join(' ')}"/>`);
      out.push(`<polyline class="line" data-key="${esc(l.key)}" fill="none" stroke="${st.colour}" stroke-width="2"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''} points="${l.points.map((p) => `${px(X(p.x))},${px(Y(p.y))}`).join(' ')}"><title>${esc(`${panel.title}, ${l.label}: ${l.points.map((p) => `${p.x} → ${num(p.y, 3)}`).join(', ')}`)}</title></polyline>`);
    }
    out.push('</g>');
  });
  out.push('</svg>');
  return out.join('\n');
}
