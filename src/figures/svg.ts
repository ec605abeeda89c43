// Small SVG helpers shared by the figure builders: escaping, number formatting,
// topological codes, tick placement and the diverging colour scale of substitution energies.
import { codeHtml, escapeXml, fileStem, formatNumber, parseCode } from './pageScripts/shared.js';

// fileStem: one rule for figure downloads (here) and the viewer's exports (the page inlines shared.js).
export { codeHtml, fileStem, formatNumber };

/** Escape text for use in XML/HTML text nodes and attribute values. */
export function esc(s: string | number): string {
  return escapeXml(s);
}

/** Round for coordinates: SVG needs no more than 0.01 px. */
export function px(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** Fixed decimals with an ASCII minus and without the "-0.00" artefact (attributes, file formats). */
export function fixed(v: number, digits = 2): string {
  return formatNumber(v, digits, true);
}

/** A number for display in a figure: typographic minus, never "−0.00". */
export function num(v: number, digits = 2): string {
  return formatNumber(v, digits);
}

/** A round tick value with as many decimals as it needs (0.5, 0.25, 2), for display. */
export function tickLabel(v: number): string {
  for (let d = 0; d <= 4; d++) if (Math.abs(v * 10 ** d - Math.round(v * 10 ** d)) < 1e-9) return num(v, d);
  return num(v, 4);
}

/** A topological code ("8^{5.0} 4^{6.0}") as SVG text content with raised superscripts. */
export function codeSvg(code: string): string {
  return parseCode(code)
    .map((t, i) => `${i ? ' ' : ''}${esc(t.base)}${t.sup ? `<tspan baseline-shift="super" font-size="75%">${esc(t.sup)}</tspan>` : ''}`)
    .join('');
}

/**
 * Estimated width (px) of text in Helvetica/Arial at `fontSize`: per-character widths of the
 * font's classes (narrow i l . , ( ), wide m w, capitals, digits), within about 5 % on titles.
 */
export function textWidth(s: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const ch of s) {
    if (/[ ilj.,:;'|!]/.test(ch)) em += 0.28;
    else if (/[frt()[\]\/-]/.test(ch)) em += 0.34;
    else if (/[mwMW]/.test(ch)) em += 0.86;
    else if (/[A-Z]/.test(ch)) em += 0.7;
    else if (/[a-z0-9]/.test(ch)) em += 0.57;
    else em += 0.62; // –, Å, Greek, symbols
  }
  return em * fontSize * (bold ? 1.06 : 1);
}

/** Font stack that needs no download: generic families only. */
export const FONT = 'font-family="Helvetica, Arial, sans-serif"';

/** Opening tag of a standalone SVG document; `name` becomes the file name of its download. */
export function svgOpen(width: number, height: number, extra = ''): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}" ${FONT}${extra ? ' ' + extra : ''}>`;
}

/** "Nice" tick values covering [lo, hi] (Heckbert's labelling), at most about `target` ticks. */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step = niceStep((hi - lo) / Math.max(1, target - 1));
  const first = Math.ceil(lo / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : +v.toPrecision(12));
  return ticks;
}

/** Nice ticks whose last is at or above `hi`: an axis that holds every value up to `hi`. */
export function coveringTicks(lo: number, hi: number, target = 5): number[] {
  const ticks = niceTicks(lo, hi, target);
  if (ticks.length > 1 && ticks[ticks.length - 1] < hi) ticks.push(+(2 * ticks[ticks.length - 1] - ticks[ticks.length - 2]).toPrecision(12));
  return ticks;
}

function niceStep(raw: number): number {
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return nice * mag;
}

/** The smallest value of the 1-2-5 series (…, 0.5, 1, 2, 5, 10, …) that is ≥ x > 0. */
export function niceCeil(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  const mag = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * mag >= x * (1 - 1e-12)) return +(m * mag).toPrecision(12);
  return 10 * mag;
}

export type RGB = [number, number, number];

export function hex([r, g, b]: RGB): string {
  const h = (v: number) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, '0');
  return `#${h(r)}${h(g)}${h(b)}`;
}

export function parseHex(s: string): RGB {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(s);
  if (!m) throw new Error(`not a #rrggbb colour: ${s}`);
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
}

// ColorBrewer RdBu (11 classes), ordered from white outwards; index 0 is exactly white so E = 0
// reads as "no effect". ColorBrewer rates RdBu colour-blind safe, and test/figures.test.ts checks it
// under simulated protanopia, deuteranopia and tritanopia (Machado et al. 2009).
const BLUE_RAMP: RGB[] = [[255, 255, 255], [209, 229, 240], [146, 197, 222], [67, 147, 195], [33, 102, 172], [5, 48, 97]];
const RED_RAMP: RGB[] = [[255, 255, 255], [253, 219, 199], [244, 165, 130], [214, 96, 77], [178, 24, 43], [103, 0, 31]];

function ramp(stops: RGB[], t: number): RGB {
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** Diverging colour of a position t ∈ [−1, 1]: white at 0, blue below (stabilising), red above; clipped. */
export function divergingColor(t: number): string {
  if (t < 0) return hex(ramp(BLUE_RAMP, -t));
  if (t > 0) return hex(ramp(RED_RAMP, t));
  return '#ffffff';
}

/**
 * A colour scale centred at 0 and symmetric, so equal |E| gets equal strength of colour on both
 * sides and every map drawn with one scale can be compared cell by cell.
 */
export interface ColorScale {
  /**
   * linear: position = v / limit. asinh: position = asinh(v/knee) / asinh(limit/knee), linear
   * within about ±knee and logarithmic beyond (matplotlib's SymLogNorm, smooth).
   */
  kind: 'linear' | 'asinh';
  /** |v| where the colour saturates; values beyond show in the colour bar's end caps. */
  limit: number;
  knee: number;
  /** The most extreme values beyond −limit and +limit, when there are any (end caps). */
  overflow: { low?: number; high?: number };
}

/**
 * E_DS maps: asinh with a 0.2 eV knee. Screening looks for the few stabilising cells (β-Nb5Si3:
 * 85 of 1989 predictions below 0, down to −0.77 eV) among energies up to +12 eV (median +3 eV);
 * on a linear ±limit scale they are almost white. With the knee at about twice the models' test MAE
 * (84–133 meV), differences below it stay linear, and −0.5 eV takes 36 % of the blue ramp against 5 %
 * on a linear ±10 eV scale.
 */
export const ENERGY_KNEE = 0.2;

function finiteValues(grids: readonly (readonly (readonly (number | null | undefined)[])[])[]): number[] {
  const out: number[] = [];
  for (const g of grids) for (const row of g) for (const v of row) if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
  return out;
}

/** The q-quantile of |v| (linear interpolation between order statistics). */
export function absQuantile(values: readonly number[], q: number): number {
  if (!values.length) return 0;
  const a = values.map(Math.abs).sort((x, y) => x - y);
  const pos = Math.min(1, Math.max(0, q)) * (a.length - 1);
  const i = Math.floor(pos);
  return i + 1 < a.length ? a[i] + (a[i + 1] - a[i]) * (pos - i) : a[i];
}

/**
 * One scale for all the given grids: limit = the 1-2-5 value at or above the q-quantile of |v|
 * (robust: a few extreme cells cannot wash out the rest; they show in the end caps).
 */
export function robustScale(
  grids: readonly (readonly (readonly (number | null | undefined)[])[])[],
  o: { kind?: ColorScale['kind']; quantile?: number; knee?: number } = {},
): ColorScale {
  const kind = o.kind ?? 'asinh';
  const values = finiteValues(grids);
  const limit = niceCeil(absQuantile(values, o.quantile ?? (kind === 'asinh' ? 0.98 : 0.95)));
  return withOverflow({ kind, limit, knee: o.knee ?? ENERGY_KNEE, overflow: {} }, values);
}

/** Energies (E_DS, DFT or predicted): asinh, limit at the 98th percentile of |E|. */
export function energyScale(...grids: (readonly (readonly (number | null | undefined)[])[])[]): ColorScale {
  return robustScale(grids, { kind: 'asinh' });
}

/** Errors (pred − DFT): linear, limit at the 95th percentile of |error|. */
export function differenceScale(...grids: (readonly (readonly (number | null | undefined)[])[])[]): ColorScale {
  return robustScale(grids, { kind: 'linear' });
}

function withOverflow(s: ColorScale, values: readonly number[]): ColorScale {
  let low = Infinity;
  let high = -Infinity;
  for (const v of values) {
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  return { ...s, overflow: { ...(low < -s.limit ? { low } : {}), ...(high > s.limit ? { high } : {}) } };
}

/** Position of v on the scale, −1 … 1 (clipped). */
export function scalePosition(s: ColorScale, v: number): number {
  const t = s.kind === 'linear' ? v / s.limit : Math.asinh(v / s.knee) / Math.asinh(s.limit / s.knee);
  return Math.max(-1, Math.min(1, t));
}

export function scaleColor(s: ColorScale, v: number): string {
  return divergingColor(scalePosition(s, v));
}

/**
 * Round tick values for the colour bar, symmetric about 0: the limit, then 1-2-5 values inward
 * (linear: evenly spaced), each kept only when it sits clear of the ones already placed.
 */
export function scaleTicks(s: ColorScale, minGap = 0.12): number[] {
  let positive: number[];
  if (s.kind === 'linear') positive = niceTicks(-s.limit, s.limit, 5).filter((t) => t > 0);
  else {
    const kept = [s.limit];
    let mag = 10 ** Math.floor(Math.log10(s.limit));
    for (let k = 0; k < 12; k++, mag /= 10) {
      for (const m of [5, 2, 1]) {
        const v = +(m * mag).toPrecision(12);
        if (v >= s.limit || v < s.knee / 2) continue;
        const p = scalePosition(s, v);
        if (p > minGap && kept.every((u) => Math.abs(scalePosition(s, u) - p) > minGap)) kept.push(v);
      }
    }
    positive = kept.sort((a, b) => a - b);
  }
  return [...positive.map((t) => -t).reverse(), 0, ...positive];
}

/** WCAG relative luminance of an sRGB colour. */
export function luminance(c: string): number {
  const lin = (u: number) => {
    const s = u / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const [r, g, b] = parseHex(c);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** Black or white text, whichever contrasts more with the background. */
export function textColorOn(bg: string): '#000000' | '#ffffff' {
  const L = luminance(bg);
  // Contrast ratio against black is (L+0.05)/0.05, against white 1.05/(L+0.05); equal at L ≈ 0.179.
  return L > 0.179 ? '#000000' : '#ffffff';
}

/** Short deterministic id prefix (FNV-1a) so several SVGs inlined in one page do not share ids. */
export function idPrefix(seed: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return 'f' + (h >>> 0).toString(36);
}

