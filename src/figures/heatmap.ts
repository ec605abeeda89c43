// Substitution-energy heatmaps: E_DS for element X on the first site (rows) and Y on the second
// (columns), on a diverging scale centred at 0 so that stabilising (negative, blue, outlined) and
// destabilising (positive, red) pairs separate at a glance. Maps drawn together share one scale.
import { figureToolsScript } from './inline.ts';
import {
  differenceScale,
  divergingColor,
  energyScale,
  esc,
  fileStem,
  idPrefix,
  num,
  px,
  scaleColor,
  scalePosition,
  scaleTicks,
  svgOpen,
  textColorOn,
  textWidth,
  tickLabel,
  type ColorScale,
} from './svg.ts';
import { intervalText } from './pageScripts/shared.js';
import { STABILISING_PROBABILITY } from '../util/normal.ts';

type Grid = (number | null)[][];

export interface HeatmapSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Element X on the first site, already in display order. */
  rows: string[];
  /** Element Y on the second site, already in display order. */
  cols: string[];
  /** values[r][c]; null where no value exists (not computed, or not applicable). */
  values: Grid;
  unit: 'eV';
  /** Colour scale; default energyScale(values). Give one scale to every map of a page. */
  scale?: ColorScale;
  /** 90 % interval of each value and P(E_DS < 0), where the predictions carry them. */
  lo?: Grid;
  hi?: Grid;
  p?: Grid;
  /** What a cell is, for its tooltip (default "row / col"). */
  cellName?: (row: string, col: string) => string;
  /** Cell size in px (default 42 × 24). */
  cell?: { width: number; height: number };
  /** Outline stabilising cells: P(E_DS < 0) ≥ STABILISING_PROBABILITY where `p` is given, else value < 0 (default true). */
  outlineStabilising?: boolean;
  /** Draw the colour bar (default true); off when one bar serves several maps. */
  colorBar?: boolean;
  /** Colour-bar caption (default "E_DS (eV)"). */
  barLabel?: string;
  /** Stem of the figure's download file name. */
  name?: string;
}

interface Rendered {
  body: string;
  width: number;
  height: number;
}

const CELL = { width: 42, height: 24 };
/** Cells of maps shown several to a row (report grid, viewer panel): a 14-element map is 500 px wide. */
export const COMPACT_CELL = { width: 30, height: 22 };
const M = { left: 66, top: 36, right: 14, bottom: 50 };
const BAR = { gap: 18, width: 16, labels: 56, cap: 10 };
const BAR_W = BAR.gap + BAR.width + BAR.labels;
/** A 1200 px column less the page's margins and padding. */
export const COLUMN_WIDTH = 1120;

/** Elements ordered by increasing metallic radius (ties alphabetically; unknown radii last). */
export function sortByMetallicRadius(elements: readonly string[], radius: (el: string) => number): string[] {
  const r = (el: string) => {
    const v = radius(el);
    return Number.isFinite(v) ? v : Infinity;
  };
  return [...elements].sort((a, b) => r(a) - r(b) || a.localeCompare(b));
}

function checkShape(spec: Pick<HeatmapSpec, 'rows' | 'cols' | 'values'>, what: string): void {
  if (spec.values.length !== spec.rows.length || spec.values.some((r) => r.length !== spec.cols.length)) {
    throw new Error(`${what}: values must be ${spec.rows.length}×${spec.cols.length} (rows × cols)`);
  }
}

/** Text with "E_DS" set as E with a subscript DS. */
export function svgText(s: string): string {
  return esc(s).replace(/E_DS/g, 'E<tspan baseline-shift="sub" font-size="75%">DS</tspan>');
}

/** HTML text with "E_DS" set as E with a subscript DS. */
export function htmlText(s: string): string {
  return esc(s).replace(/E_DS/g, 'E<sub>DS</sub>');
}

/** A value as printed in a cell: 2 decimals, 1 from |v| ≥ 10 so that it fits the cell. */
function cellText(v: number): string {
  return num(v, Math.abs(v) >= 9.995 ? 1 : 2);
}

const TITLE_FONT = 14;
const TITLE_LINE = 17;

/** A title broken into lines that fit `width` px (at its font size), and the figure width that holds them. */
interface FittedTitle {
  lines: string[];
  /** Figure width: `width`, or wider when one word alone does not fit. */
  width: number;
  /** Height the lines beyond the first add above the map. */
  extra: number;
  /** Widest line, px (estimated). */
  widest: number;
}

function fitTitle(title: string, fontSize: number, width: number): FittedTitle {
  const room = width - 8;
  const w = (s: string) => textWidth(s.replace(/E_DS/g, 'EDS'), fontSize, true);
  const lines: string[] = [];
  for (const word of title.split(' ')) {
    const last = lines.length ? `${lines[lines.length - 1]} ${word}` : word;
    if (lines.length && w(last) <= room) lines[lines.length - 1] = last;
    else lines.push(word);
  }
  const widest = Math.max(...lines.map(w));
  return { lines, width: Math.max(width, widest + 8), extra: (lines.length - 1) * TITLE_LINE, widest };
}

/** The fitted title centred on `centre`, kept inside the figure. */
function titleText(t: FittedTitle, centre: number): string {
  const x = Math.min(Math.max(centre, t.widest / 2 + 4), t.width - t.widest / 2 - 4);
  const spans = t.lines.map((l, k) => `<tspan x="${px(x)}" dy="${k ? TITLE_LINE : 0}">${svgText(l)}</tspan>`).join('');
  return `<text class="title" x="${px(x)}" y="20" text-anchor="middle" font-size="${TITLE_FONT}" font-weight="bold">${spans}</text>`;
}

/** The colour scale in words, for captions: "colour scale asinh: …; saturates at ±10 eV". */
export function colorBarScaleText(s: ColorScale): string {
  return describeScale(s, 'eV');
}

function describeScale(s: ColorScale, unit: string): string {
  const shape = s.kind === 'linear' ? 'linear' : `asinh: linear within ±${tickLabel(s.knee)} ${unit}, logarithmic beyond`;
  const over = [s.overflow.low !== undefined ? `min ${num(s.overflow.low)}` : '', s.overflow.high !== undefined ? `max ${num(s.overflow.high)}` : ''].filter(Boolean).join(', ');
  return `colour scale ${shape}; saturates at ±${tickLabel(s.limit)} ${unit}${over ? ` (beyond it: ${over})` : ''}`;
}

/** A vertical colour bar at (x, y) of height h, ticks at round values; end caps for values beyond the limit. */
function colorBar(x: number, y: number, h: number, scale: ColorScale, label: string, id: string): string {
  const out: string[] = [];
  const stops: string[] = [];
  for (let i = 0; i <= 40; i++) {
    const t = 1 - i / 20; // +1 at the top, −1 at the bottom
    stops.push(`<stop offset="${px(i * 2.5)}%" stop-color="${divergeAt(t)}"/>`);
  }
  out.push(`<defs><linearGradient id="${id}" x1="0" y1="0" x2="0" y2="1">${stops.join('')}</linearGradient></defs>`);
  out.push(`<g class="colorbar" data-kind="${scale.kind}" data-limit="${scale.limit}" data-knee="${scale.knee}"><title>${esc(describeScale(scale, 'eV'))}</title>`);
  const capTop = scale.overflow.high !== undefined;
  const capBottom = scale.overflow.low !== undefined;
  out.push(`<text x="${px(x + BAR.width / 2)}" y="${px(y - BAR.cap - 20)}" text-anchor="middle" font-size="11">${svgText(label)}</text>`);
  out.push(`<rect x="${px(x)}" y="${px(y)}" width="${BAR.width}" height="${px(h)}" fill="url(#${id})" stroke="#555" stroke-width="0.6"/>`);
  const w = BAR.width;
  if (capTop) {
    out.push(`<path class="cap high" d="M${px(x)},${px(y)}L${px(x + w / 2)},${px(y - BAR.cap)}L${px(x + w)},${px(y)}Z" fill="${divergeAt(1)}" stroke="#555" stroke-width="0.6"><title>values up to ${num(scale.overflow.high!)} eV</title></path>`);
    out.push(`<text class="cap-label" x="${px(x + w / 2)}" y="${px(y - BAR.cap - 4)}" text-anchor="middle" font-size="9" fill="#555">max ${num(scale.overflow.high!, 1)}</text>`);
  }
  if (capBottom) {
    out.push(`<path class="cap low" d="M${px(x)},${px(y + h)}L${px(x + w / 2)},${px(y + h + BAR.cap)}L${px(x + w)},${px(y + h)}Z" fill="${divergeAt(-1)}" stroke="#555" stroke-width="0.6"><title>values down to ${num(scale.overflow.low!)} eV</title></path>`);
    out.push(`<text class="cap-label" x="${px(x + w / 2)}" y="${px(y + h + BAR.cap + 11)}" text-anchor="middle" font-size="9" fill="#555">min ${num(scale.overflow.low!, 1)}</text>`);
  }
  // Tick labels at least 12 px apart on the bar, whatever its height.
  for (const t of scaleTicks(scale, Math.max(0.12, 12 / (h / 2)))) {
    const ty = y + ((1 - scalePosition(scale, t)) / 2) * h;
    out.push(`<line x1="${px(x + w)}" y1="${px(ty)}" x2="${px(x + w + 4)}" y2="${px(ty)}" stroke="#333"/>`);
    out.push(`<text class="tick" data-value="${t}" x="${px(x + w + 6)}" y="${px(ty + 3.5)}" font-size="10">${tickLabel(t)}</text>`);
  }
  out.push('</g>');
  return out.join('\n');
}

// The gradient samples positions on the bar, not values: the same ramp for every scale kind.
const divergeAt = divergingColor;

/** One heatmap panel with its origin at (0,0); ids are prefixed so several can share a page. */
function renderHeatmap(spec: HeatmapSpec, prefix: string): Rendered {
  checkShape(spec, spec.title);
  for (const [k, g] of [['lo', spec.lo], ['hi', spec.hi], ['p', spec.p]] as const) if (g) checkShape({ ...spec, values: g }, `${spec.title} (${k})`);
  const scale = spec.scale ?? energyScale(spec.values);
  if (!(scale.limit > 0)) throw new Error(`${spec.title}: colour scale needs a positive limit`);
  const { width: cw, height: ch } = spec.cell ?? CELL;
  const withBar = spec.colorBar ?? true;
  const nr = spec.rows.length;
  const nc = spec.cols.length;
  const gw = nc * cw;
  const gh = nr * ch;
  const barH = Math.max(gh, 120);
  // A title longer than the map wraps onto more lines (and widens the figure only for one long word).
  const title = fitTitle(spec.title, TITLE_FONT, M.left + gw + (withBar ? BAR_W : 0) + M.right);
  const top = M.top + title.extra;
  const width = title.width;
  const height = top + Math.max(gh, withBar ? barH + BAR.cap : 0) + M.bottom;
  const hatch = `${prefix}-null`;
  const fontSize = +Math.min(11, ch * 0.46, cw / 3.3).toFixed(1);
  const name = spec.cellName ?? ((r: string, c: string) => `${r} / ${c}`);
  const outline = spec.outlineStabilising ?? true;
  const out: string[] = [];
  out.push(
    `<defs><pattern id="${hatch}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#e4e4e4"/><line x1="0" y1="0" x2="0" y2="6" stroke="#b4b4b4" stroke-width="2"/></pattern></defs>`,
  );
  out.push(titleText(title, M.left + gw / 2));
  out.push(`<g class="cells">`);
  for (let r = 0; r < nr; r++) {
    for (let c = 0; c < nc; c++) {
      const v = spec.values[r][c];
      const x = M.left + c * cw;
      const y = top + r * ch;
      const ok = v !== null && Number.isFinite(v);
      const lo = spec.lo?.[r][c] ?? null;
      const hi = spec.hi?.[r][c] ?? null;
      const p = spec.p?.[r][c] ?? null;
      const straddles = ok && lo !== null && hi !== null && lo < 0 && hi > 0;
      let tip = `${name(spec.rows[r], spec.cols[c])}: `;
      if (!ok) tip += 'no value';
      else {
        tip += `${num(v, 3)} ${spec.unit}`;
        if (lo !== null && hi !== null) tip += `, 90 % interval ${intervalText(lo, hi)}${straddles ? ' (includes 0)' : ''}`;
        if (p !== null) tip += `; P(E_DS < 0) = ${num(p, 2)}`;
      }
      const fill = ok ? scaleColor(scale, v) : `url(#${hatch})`;
      // "Stabilising" as the screening says it (predict.ts): P(E_DS < 0) ≥ 0.9 with a distribution, else E_DS < 0.
      const stabilising = ok && (p ?? (v < 0 ? 1 : 0)) >= STABILISING_PROBABILITY;
      const cls = `cell${ok ? '' : ' null'}${stabilising ? ' stabilising' : ''}${straddles ? ' straddles' : ''}`;
      const extra = `${lo !== null ? ` data-lo="${lo}"` : ''}${hi !== null ? ` data-hi="${hi}"` : ''}${p !== null ? ` data-p="${p}"` : ''}`;
      out.push(
        `<rect class="${cls}" data-row="${esc(spec.rows[r])}" data-col="${esc(spec.cols[c])}" data-value="${ok ? v : ''}"${extra} x="${px(x)}" y="${px(y)}" width="${cw}" height="${ch}" fill="${fill}" stroke="#ffffff" stroke-width="1"><title>${esc(tip)}</title></rect>`,
      );
      if (stabilising && outline) {
        out.push(`<rect class="outline" x="${px(x + 1.75)}" y="${px(y + 1.75)}" width="${px(cw - 3.5)}" height="${px(ch - 3.5)}" fill="none" stroke="#08306b" stroke-width="1.5" pointer-events="none"/>`);
      }
      if (ok) {
        out.push(
          `<text class="value${straddles ? ' straddles' : ''}" x="${px(x + cw / 2)}" y="${px(y + ch / 2 + fontSize * 0.36)}" text-anchor="middle" font-size="${fontSize}" fill="${textColorOn(fill)}" pointer-events="none">${cellText(v)}</text>`,
        );
      }
    }
  }
  out.push('</g>');
  // Element labels and axis titles.
  spec.rows.forEach((el, r) => {
    out.push(`<text class="row-label" x="${M.left - 6}" y="${px(top + r * ch + ch / 2 + 4)}" text-anchor="end" font-size="11">${esc(el)}</text>`);
  });
  spec.cols.forEach((el, c) => {
    out.push(`<text class="col-label" x="${px(M.left + c * cw + cw / 2)}" y="${px(top + gh + 15)}" text-anchor="middle" font-size="11">${esc(el)}</text>`);
  });
  out.push(`<text x="${px(M.left + gw / 2)}" y="${px(top + gh + 38)}" text-anchor="middle" font-size="12">${esc(spec.xLabel)}</text>`);
  out.push(`<text transform="translate(16,${px(top + gh / 2)}) rotate(-90)" text-anchor="middle" font-size="12">${esc(spec.yLabel)}</text>`);
  if (withBar) out.push(colorBar(M.left + gw + BAR.gap, top + BAR.cap, barH - BAR.cap, scale, spec.barLabel ?? 'E_DS (eV)', `${prefix}-bar`));
  return { body: out.join('\n'), width, height };
}

function seedOf(spec: Pick<HeatmapSpec, 'title' | 'rows' | 'cols' | 'values'>): string {
  return JSON.stringify([spec.title, spec.rows, spec.cols, spec.values]);
}

/** A single heatmap as a standalone SVG document. */
export function heatmapSvg(spec: HeatmapSpec): string {
  const r = renderHeatmap(spec, idPrefix(seedOf(spec)));
  return `${svgOpen(r.width, r.height, `class="heatmap" data-name="${esc(spec.name ?? fileStem(spec.title))}"`)}\n<rect width="100%" height="100%" fill="#ffffff"/>\n${r.body}\n</svg>`;
}

/** A horizontal colour bar on its own, for a page whose maps share one scale and omit their bars. */
export function colorBarSvg(scale: ColorScale, o: { width?: number; label?: string } = {}): string {
  const width = o.width ?? 420;
  const left = 14;
  const right = 60;
  const barW = width - left - right;
  const y = 22;
  const h = 12;
  const id = idPrefix(JSON.stringify(scale)) + '-hbar';
  const stops: string[] = [];
  for (let i = 0; i <= 40; i++) stops.push(`<stop offset="${px(i * 2.5)}%" stop-color="${divergeAt(i / 20 - 1)}"/>`);
  const out = [svgOpen(width, 56, `class="colorbar-h" data-kind="${scale.kind}" data-limit="${scale.limit}"`)];
  out.push(`<defs><linearGradient id="${id}" x1="0" y1="0" x2="1" y2="0">${stops.join('')}</linearGradient></defs>`);
  out.push(`<title>${esc(describeScale(scale, 'eV'))}</title>`);
  out.push(`<text x="${left}" y="12" font-size="11">${svgText(o.label ?? 'E_DS (eV)')} — shared by every map below; ${scale.kind === 'asinh' ? `linear within ±${tickLabel(scale.knee)} eV, logarithmic beyond` : 'linear'}</text>`);
  out.push(`<rect x="${left}" y="${y}" width="${px(barW)}" height="${h}" fill="url(#${id})" stroke="#555" stroke-width="0.6"/>`);
  if (scale.overflow.low !== undefined) out.push(`<path class="cap low" d="M${left},${y}L${left - 9},${y + h / 2}L${left},${y + h}Z" fill="${divergeAt(-1)}"><title>values down to ${num(scale.overflow.low)} eV</title></path>`);
  if (scale.overflow.high !== undefined) out.push(`<path class="cap high" d="M${px(left + barW)},${y}L${px(left + barW + 9)},${y + h / 2}L${px(left + barW)},${y + h}Z" fill="${divergeAt(1)}"><title>values up to ${num(scale.overflow.high)} eV</title></path>`);
  // Tick labels (up to ~28 px wide) kept apart along the bar.
  for (const t of scaleTicks(scale, Math.max(0.08, 30 / (barW / 2)))) {
    const x = left + ((scalePosition(scale, t) + 1) / 2) * barW;
    out.push(`<line x1="${px(x)}" y1="${y + h}" x2="${px(x)}" y2="${y + h + 4}" stroke="#333"/><text class="tick" data-value="${t}" x="${px(x)}" y="${y + h + 15}" text-anchor="middle" font-size="10">${tickLabel(t)}</text>`);
  }
  out.push('</svg>');
  return out.join('\n');
}

export interface ComparisonSpec {
  title: string;
  rows: string[];
  cols: string[];
  predicted: Grid;
  dft: Grid;
  xLabel?: string;
  yLabel?: string;
  unit?: 'eV';
  /** Scale of the predicted and DFT panels (default energyScale over both). */
  scale?: ColorScale;
  /** Scale of the difference panel (default differenceScale of it). */
  diffScale?: ColorScale;
  /** A cell (row, col) left out of the difference and its MAE: the pristine cell. */
  exclude?: readonly [number, number];
  /** row: three panels in a line; grid: predicted | DFT above the difference; stack: one above the other. auto: grid when its cells can be ≥ 28 px wide in maxWidth, else stack. */
  layout?: 'auto' | 'row' | 'grid' | 'stack';
  /** Width to fit, px (default COLUMN_WIDTH, a 1200 px page column). */
  maxWidth?: number;
  cellName?: (row: string, col: string) => string;
  lo?: Grid;
  hi?: Grid;
  p?: Grid;
  name?: string;
}

/**
 * Element-wise pred − DFT where both exist, and the MAE over those cells. `exclude` (row, col)
 * leaves a cell out: the pristine cell is zero by definition on both sides, not a test of the model.
 */
export function differenceGrid(pred: Grid, dft: Grid, exclude?: readonly [number, number]): { diff: Grid; mae: number; n: number } {
  let sum = 0;
  let n = 0;
  const diff = pred.map((row, r) =>
    row.map((p, c) => {
      if (exclude && exclude[0] === r && exclude[1] === c) return null;
      const d = dft[r]?.[c] ?? null;
      if (p === null || d === null || !Number.isFinite(p) || !Number.isFinite(d)) return null;
      sum += Math.abs(p - d);
      n++;
      return p - d;
    }),
  );
  return { diff, mae: n ? sum / n : NaN, n };
}

const MIN_CELL = 28;

/** Cell width that makes `columns` panels of nc cells (and `bars` colour bars) fit `maxWidth`. */
function cellWidthFor(maxWidth: number, nc: number, columns: number, bars: number): number {
  return Math.min(CELL.width, Math.floor((maxWidth - columns * (M.left + M.right) - bars * BAR_W) / (columns * Math.max(1, nc))));
}

/**
 * Predicted, DFT and pred − DFT. Predicted and DFT share one colour scale (its bar beside the DFT
 * panel); the difference has its own linear scale and reports the MAE of the cells it shows. Laid
 * out to fit `maxWidth` with cells wide enough for their printed values.
 */
export function comparisonHeatmaps(spec: ComparisonSpec): string {
  const unit = spec.unit ?? ('eV' as const);
  const base = { rows: spec.rows, cols: spec.cols, unit, xLabel: spec.xLabel ?? 'Y (second site)', yLabel: spec.yLabel ?? 'X (first site)', cellName: spec.cellName };
  checkShape({ ...base, values: spec.predicted }, `${spec.title} (predicted)`);
  checkShape({ ...base, values: spec.dft }, `${spec.title} (DFT)`);
  const shared = spec.scale ?? energyScale(spec.predicted, spec.dft);
  const { diff, mae, n } = differenceGrid(spec.predicted, spec.dft, spec.exclude);
  const diffScale = spec.diffScale ?? differenceScale(diff);
  const maeText = n ? `MAE = ${num(mae, 3)} ${unit}, n = ${n}` : 'no common cells';
  const maxWidth = spec.maxWidth ?? COLUMN_WIDTH;
  const nc = spec.cols.length;
  let layout = spec.layout ?? 'auto';
  if (layout === 'auto') layout = cellWidthFor(maxWidth, nc, 2, 1) >= MIN_CELL ? 'grid' : 'stack';
  const cw = Math.max(MIN_CELL - 6, layout === 'row' ? cellWidthFor(maxWidth, nc, 3, 2) : layout === 'grid' ? cellWidthFor(maxWidth, nc, 2, 1) : cellWidthFor(maxWidth, nc, 1, 1));
  const cell = { width: cw, height: CELL.height };
  const prefix = idPrefix(JSON.stringify([spec.title, spec.rows, spec.cols, spec.predicted, spec.dft]));
  const uncertainty = { lo: spec.lo, hi: spec.hi, p: spec.p };
  const panels = [
    renderHeatmap({ ...base, ...uncertainty, title: 'Predicted', values: spec.predicted, scale: shared, cell, colorBar: layout !== 'grid' && layout !== 'row' }, `${prefix}-p`),
    renderHeatmap({ ...base, title: 'DFT', values: spec.dft, scale: shared, cell }, `${prefix}-d`),
    renderHeatmap({ ...base, title: 'Predicted − DFT', values: diff, scale: diffScale, cell, outlineStabilising: false, barLabel: 'pred − DFT (eV)' }, `${prefix}-x`),
  ];
  // Panel origins.
  const titleH = 32;
  let pos: { x: number; y: number }[];
  if (layout === 'row') {
    pos = [{ x: 0, y: titleH }, { x: panels[0].width, y: titleH }, { x: panels[0].width + panels[1].width, y: titleH }];
  } else if (layout === 'grid') {
    const top = Math.max(panels[0].height, panels[1].height);
    pos = [{ x: 0, y: titleH }, { x: panels[0].width, y: titleH }, { x: 0, y: titleH + top }];
  } else {
    pos = [{ x: 0, y: titleH }, { x: 0, y: titleH + panels[0].height }, { x: 0, y: titleH + panels[0].height + panels[1].height }];
  }
  const width = Math.max(...panels.map((p, i) => pos[i].x + p.width), layout === 'grid' ? panels[2].width + 260 : 0);
  const height = Math.max(...panels.map((p, i) => pos[i].y + p.height));
  const out: string[] = [svgOpen(width, height, `class="heatmap-comparison" data-layout="${layout}" data-mae="${n ? mae : ''}" data-n="${n}" data-name="${esc(spec.name ?? fileStem(spec.title))}"`)];
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  out.push(`<text class="title" x="${px(width / 2)}" y="22" text-anchor="middle" font-size="16" font-weight="bold">${svgText(spec.title)}</text>`);
  const names = ['predicted', 'dft', 'difference'];
  panels.forEach((p, i) => {
    out.push(`<g class="panel" data-panel="${names[i]}" transform="translate(${px(pos[i].x)},${px(pos[i].y)})">\n${p.body}\n</g>`);
  });
  // The MAE beside the difference panel (grid) or under the title.
  const mx = layout === 'grid' ? pos[2].x + panels[2].width + 10 : 14;
  const my = layout === 'grid' ? pos[2].y + M.top + 16 : titleH - 4;
  out.push(`<text class="mae" x="${px(mx)}" y="${px(my)}" font-size="13" font-weight="bold">${esc(maeText)}</text>`);
  if (layout === 'grid') {
    out.push(`<text x="${px(mx)}" y="${px(my + 20)}" font-size="11" fill="#555">blue: predicted below DFT</text>`);
    out.push(`<text x="${px(mx)}" y="${px(my + 36)}" font-size="11" fill="#555">red: predicted above DFT</text>`);
  }
  out.push('</svg>');
  return out.join('\n');
}

export interface PageSection {
  title: string;
  svg: string;
  caption?: string;
}

/** CSS of the figure toolbar and of the "grey uncertain cells" toggle. */
export const FIGURE_CSS = `
.fig-tools { display: flex; gap: 6px; justify-content: flex-end; margin: 2px 0; }
.fig-tools button { font-size: 11px; padding: 1px 8px; border: 1px solid #bbb; background: #f6f6f6; border-radius: 3px; cursor: pointer; }
.fig-tools button:hover { background: #e8e8e8; }
body:has(input.grey-uncertain:checked) rect.cell.straddles { fill: #d4d4d4; }
body:has(input.grey-uncertain:checked) rect.cell.straddles + rect.outline { stroke: #8a8a8a; }
body:has(input.grey-uncertain:checked) text.value.straddles { fill: #555555; }
.uncertainty-toggle { font-size: 13px; margin: 4px 0 10px; }
.hm-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 420px), 1fr)); gap: 4px 22px; align-items: start; }
.hm-grid .fig svg { width: 100%; height: auto; }
.grid-bar { position: sticky; top: 0; z-index: 1; background: rgba(255,255,255,.96); padding: 2px 0; }
.grid-note { font-size: 13px; color: #444; }
`;

/**
 * Maps drawn on one colour scale (heatmapsFromPredictions with colorBar: false), laid out in a
 * responsive grid — two columns in a 1200 px page, one on a narrow screen — under ONE colour bar
 * that stays in sight while the grid scrolls.
 */
export function heatmapGrid(svgs: readonly string[], scale: ColorScale, o: { label?: string; note?: string; id?: string } = {}): string {
  return (
    `<div class="hm-grid-block"${o.id ? ` data-testid="${esc(o.id)}"` : ''}>` +
    `<div class="grid-bar no-fig-tools">${colorBarSvg(scale, { width: 560, label: o.label })}</div>` +
    (o.note ? `<p class="grid-note">${esc(o.note)}</p>` : '') +
    `<div class="hm-grid">${svgs.map((svg) => `<div class="fig">${svg}</div>`).join('\n')}</div></div>`
  );
}

/** The page toggle that greys cells whose 90 % interval includes 0 (pure CSS, see FIGURE_CSS). */
export function uncertaintyToggle(): string {
  return `<label class="uncertainty-toggle"><input type="checkbox" class="grey-uncertain" data-testid="grey-uncertain"> grey out cells whose 90 % prediction interval includes 0 (sign not settled)</label>`;
}

/** True when some cell of these figures carries a prediction interval. */
export function hasIntervals(svgs: readonly string[]): boolean {
  return svgs.some((s) => s.includes(' data-lo="'));
}

/** One self-contained HTML page holding several figures, each downloadable as SVG and PNG. */
export function heatmapPage(sections: PageSection[], pageTitle = 'cescreen — substitution energies', o: { intro?: string } = {}): string {
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
body { font-family: Helvetica, Arial, sans-serif; margin: 24px auto; max-width: 1200px; padding: 0 16px; color: #222; background: #fafafa; }
h1 { font-size: 22px; }
section { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 12px 16px; margin-bottom: 20px; }
h2 { font-size: 17px; margin: 4px 0 10px; }
.fig { overflow-x: auto; }
.fig svg { max-width: 100%; height: auto; }
.caption { font-size: 13px; color: #555; }
${FIGURE_CSS}
</style>
</head>
<body>
<h1>${esc(pageTitle)}</h1>
${o.intro ?? ''}
${hasIntervals(sections.map((s) => s.svg)) ? uncertaintyToggle() : ''}
${body}
${figureToolsScript()}
</body>
</html>
`;
}
