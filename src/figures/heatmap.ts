// Substitution-energy heatmaps: E_DS for element X on the first site (rows)
// and Y on the second (columns), on a diverging scale centred at 0 so that
// stabilising (negative, blue) and destabilising (positive, red) pairs separate at a glance.
import { divergingColor, esc, fixed, idPrefix, px, svgOpen, textColorOn } from './svg.ts';

export interface HeatmapSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Element X on the first site, already in display order. */
  rows: string[];
  /** Element Y on the second site, already in display order. */
  cols: string[];
  /** values[r][c]; null where no value exists (not computed, or not applicable). */
  values: (number | null)[][];
  unit: 'eV';
  /** Colour limits; default symmetric ±max|value|. */
  scale?: { min: number; max: number };
}

interface Rendered {
  body: string;
  width: number;
  height: number;
}

const CELL_W = 42;
const CELL_H = 24;
const M = { left: 66, top: 36, right: 14, bottom: 50 };
const BAR = { gap: 18, width: 16, labels: 50 };

/** Elements ordered by increasing metallic radius (ties alphabetically; unknown radii last). */
export function sortByMetallicRadius(elements: readonly string[], radius: (el: string) => number): string[] {
  const r = (el: string) => {
    const v = radius(el);
    return Number.isFinite(v) ? v : Infinity;
  };
  return [...elements].sort((a, b) => r(a) - r(b) || a.localeCompare(b));
}

/** Default symmetric limits ±max|v| so that 0 sits in the middle of the bar. */
export function symmetricScale(...grids: (number | null)[][][]): { min: number; max: number } {
  let m = 0;
  for (const g of grids) for (const row of g) for (const v of row) if (v !== null && Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  if (m === 0) m = 1;
  return { min: -m, max: m };
}

function checkShape(spec: Pick<HeatmapSpec, 'rows' | 'cols' | 'values'>, what: string): void {
  if (spec.values.length !== spec.rows.length || spec.values.some((r) => r.length !== spec.cols.length)) {
    throw new Error(`${what}: values must be ${spec.rows.length}×${spec.cols.length} (rows × cols)`);
  }
}

/** Tick values for the colour bar: the two limits, evenly spaced values between, and 0 when inside. */
function barTicks(min: number, max: number): number[] {
  const ticks = [0, 1, 2, 3, 4].map((i) => min + ((max - min) * i) / 4);
  if (min < 0 && max > 0 && !ticks.some((t) => Math.abs(t) < 1e-12)) {
    const tooClose = (t: number) => Math.abs(t) < (max - min) / 10;
    return [...ticks.filter((t, i) => i === 0 || i === 4 || !tooClose(t)), 0].sort((a, b) => a - b);
  }
  return ticks;
}

function colorBar(x: number, y: number, h: number, scale: { min: number; max: number }, unit: string, id: string): string {
  const { min, max } = scale;
  const out: string[] = [];
  const stops: string[] = [];
  for (let i = 0; i <= 20; i++) {
    const v = max - ((max - min) * i) / 20;
    stops.push(`<stop offset="${i * 5}%" stop-color="${divergingColor(v, min, max)}"/>`);
  }
  // Exact white at 0 even when 0 falls between samples.
  if (min < 0 && max > 0) stops.push(`<stop offset="${px((max / (max - min)) * 100)}%" stop-color="#ffffff"/>`);
  stops.sort((a, b) => parseFloat(/offset="([\d.]+)/.exec(a)![1]) - parseFloat(/offset="([\d.]+)/.exec(b)![1]));
  out.push(`<defs><linearGradient id="${id}" x1="0" y1="0" x2="0" y2="1">${stops.join('')}</linearGradient></defs>`);
  out.push(`<g class="colorbar" data-min="${min}" data-max="${max}">`);
  out.push(`<text x="${px(x + BAR.width / 2)}" y="${px(y - 8)}" text-anchor="middle" font-size="11">${esc(unit)}</text>`);
  out.push(`<rect x="${px(x)}" y="${px(y)}" width="${BAR.width}" height="${px(h)}" fill="url(#${id})" stroke="#555" stroke-width="0.6"/>`);
  for (const t of barTicks(min, max)) {
    const ty = y + ((max - t) / (max - min)) * h;
    out.push(`<line x1="${px(x + BAR.width)}" y1="${px(ty)}" x2="${px(x + BAR.width + 4)}" y2="${px(ty)}" stroke="#333"/>`);
    out.push(`<text class="tick" x="${px(x + BAR.width + 6)}" y="${px(ty + 3.5)}" font-size="10">${fixed(t, 2)}</text>`);
  }
  out.push('</g>');
  return out.join('\n');
}

/** One heatmap panel with its origin at (0,0); ids are prefixed so several can share a page. */
function renderHeatmap(spec: HeatmapSpec, prefix: string, withBar = true): Rendered {
  checkShape(spec, spec.title);
  const scale = spec.scale ?? symmetricScale(spec.values);
  if (!(scale.max > scale.min)) throw new Error(`${spec.title}: colour scale needs max > min`);
  const nr = spec.rows.length;
  const nc = spec.cols.length;
  const gw = nc * CELL_W;
  const gh = nr * CELL_H;
  const width = M.left + gw + (withBar ? BAR.gap + BAR.width + BAR.labels : 0) + M.right;
  const height = M.top + gh + M.bottom;
  const hatch = `${prefix}-null`;
  const out: string[] = [];
  out.push(
    `<defs><pattern id="${hatch}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#e4e4e4"/><line x1="0" y1="0" x2="0" y2="6" stroke="#b4b4b4" stroke-width="2"/></pattern></defs>`,
  );
  out.push(`<text class="title" x="${px(M.left + gw / 2)}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(spec.title)}</text>`);
  out.push(`<g class="cells">`);
  for (let r = 0; r < nr; r++) {
    for (let c = 0; c < nc; c++) {
      const v = spec.values[r][c];
      const x = M.left + c * CELL_W;
      const y = M.top + r * CELL_H;
      const tip = `${spec.rows[r]} / ${spec.cols[c]}: ${v === null ? 'no value' : `${fixed(v, 3)} ${spec.unit}`}`;
      const ok = v !== null && Number.isFinite(v);
      const fill = ok ? divergingColor(v, scale.min, scale.max) : `url(#${hatch})`;
      out.push(
        `<rect class="cell${ok ? '' : ' null'}" data-row="${esc(spec.rows[r])}" data-col="${esc(spec.cols[c])}" data-value="${ok ? v : ''}" x="${x}" y="${y}" width="${CELL_W}" height="${CELL_H}" fill="${fill}" stroke="#ffffff" stroke-width="1"><title>${esc(tip)}</title></rect>`,
      );
      if (ok) {
        out.push(
          `<text x="${px(x + CELL_W / 2)}" y="${px(y + CELL_H / 2 + 3.5)}" text-anchor="middle" font-size="10" fill="${textColorOn(fill)}" pointer-events="none">${fixed(v, 2)}</text>`,
        );
      }
    }
  }
  out.push('</g>');
  // Element labels and axis titles.
  spec.rows.forEach((el, r) => {
    out.push(`<text class="row-label" x="${M.left - 6}" y="${px(M.top + r * CELL_H + CELL_H / 2 + 4)}" text-anchor="end" font-size="11">${esc(el)}</text>`);
  });
  spec.cols.forEach((el, c) => {
    out.push(`<text class="col-label" x="${px(M.left + c * CELL_W + CELL_W / 2)}" y="${px(M.top + gh + 15)}" text-anchor="middle" font-size="11">${esc(el)}</text>`);
  });
  out.push(`<text x="${px(M.left + gw / 2)}" y="${px(M.top + gh + 38)}" text-anchor="middle" font-size="12">${esc(spec.xLabel)}</text>`);
  out.push(`<text transform="translate(16,${px(M.top + gh / 2)}) rotate(-90)" text-anchor="middle" font-size="12">${esc(spec.yLabel)}</text>`);
  if (withBar) out.push(colorBar(M.left + gw + BAR.gap, M.top, Math.max(gh, 60), scale, spec.unit, `${prefix}-bar`));
  return { body: out.join('\n'), width, height: Math.max(height, M.top + 60 + M.bottom) };
}

function seedOf(spec: Pick<HeatmapSpec, 'title' | 'rows' | 'cols' | 'values'>): string {
  return JSON.stringify([spec.title, spec.rows, spec.cols, spec.values]);
}

/** A single heatmap as a standalone SVG document. */
export function heatmapSvg(spec: HeatmapSpec): string {
  const r = renderHeatmap(spec, idPrefix(seedOf(spec)));
  return `${svgOpen(r.width, r.height, 'class="heatmap"')}\n<rect width="100%" height="100%" fill="#ffffff"/>\n${r.body}\n</svg>`;
}

export interface ComparisonSpec {
  title: string;
  rows: string[];
  cols: string[];
  predicted: (number | null)[][];
  dft: (number | null)[][];
  xLabel?: string;
  yLabel?: string;
  unit?: 'eV';
}

/** Element-wise pred − DFT where both exist, and the MAE over those cells. */
export function differenceGrid(pred: (number | null)[][], dft: (number | null)[][]): { diff: (number | null)[][]; mae: number; n: number } {
  let sum = 0;
  let n = 0;
  const diff = pred.map((row, r) =>
    row.map((p, c) => {
      const d = dft[r]?.[c] ?? null;
      if (p === null || d === null || !Number.isFinite(p) || !Number.isFinite(d)) return null;
      sum += Math.abs(p - d);
      n++;
      return p - d;
    }),
  );
  return { diff, mae: n ? sum / n : NaN, n };
}

/**
 * Predicted, DFT and pred − DFT side by side. The first two share one colour
 * scale (drawn once, beside the DFT panel); the difference has its own and
 * reports the MAE of the cells it shows.
 */
export function comparisonHeatmaps(spec: ComparisonSpec): string {
  const base = { rows: spec.rows, cols: spec.cols, unit: spec.unit ?? ('eV' as const), xLabel: spec.xLabel ?? 'Y (second site)', yLabel: spec.yLabel ?? 'X (first site)' };
  checkShape({ ...base, values: spec.predicted }, `${spec.title} (predicted)`);
  checkShape({ ...base, values: spec.dft }, `${spec.title} (DFT)`);
  const shared = symmetricScale(spec.predicted, spec.dft);
  const { diff, mae, n } = differenceGrid(spec.predicted, spec.dft);
  const maeText = n ? `MAE = ${fixed(mae, 3)} ${base.unit}, n = ${n}` : 'no common cells';
  const prefix = idPrefix(JSON.stringify([spec.title, spec.rows, spec.cols, spec.predicted, spec.dft]));
  const panels = [
    renderHeatmap({ ...base, title: 'Predicted', values: spec.predicted, scale: shared }, `${prefix}-p`, false),
    renderHeatmap({ ...base, title: 'DFT', values: spec.dft, scale: shared }, `${prefix}-d`, true),
    renderHeatmap({ ...base, title: `Predicted − DFT (${maeText})`, values: diff, scale: symmetricScale(diff) }, `${prefix}-x`, true),
  ];
  const titleH = 32;
  const width = panels.reduce((s, p) => s + p.width, 0);
  const height = titleH + Math.max(...panels.map((p) => p.height));
  const out: string[] = [svgOpen(width, height, `class="heatmap-comparison" data-mae="${n ? mae : ''}" data-n="${n}"`)];
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  out.push(`<text x="${px(width / 2)}" y="22" text-anchor="middle" font-size="16" font-weight="bold">${esc(spec.title)}</text>`);
  let x = 0;
  const names = ['predicted', 'dft', 'difference'];
  panels.forEach((p, i) => {
    out.push(`<g class="panel" data-panel="${names[i]}" transform="translate(${px(x)},${titleH})">\n${p.body}\n</g>`);
    x += p.width;
  });
  out.push('</svg>');
  return out.join('\n');
}

export interface PageSection {
  title: string;
  svg: string;
  caption?: string;
}

/** One self-contained HTML page holding several figures (no scripts, no external resources). */
export function heatmapPage(sections: PageSection[], pageTitle = 'cescreen — substitution energies'): string {
  const body = sections
    .map(
      (s, i) =>
        `<section id="fig-${i + 1}">\n<h2>${esc(s.title)}</h2>\n<div class="fig">\n${s.svg}\n</div>\n${s.caption ? `<p class="caption">${esc(s.caption)}</p>\n` : ''}</section>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(pageTitle)}</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 24px; color: #222; background: #fafafa; }
h1 { font-size: 22px; }
section { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 12px 16px; margin-bottom: 20px; }
h2 { font-size: 17px; margin: 4px 0 10px; }
.fig { overflow-x: auto; }
.fig svg { max-width: 100%; height: auto; }
.caption { font-size: 13px; color: #555; }
</style>
</head>
<body>
<h1>${esc(pageTitle)}</h1>
${body}
</body>
</html>
`;
}
