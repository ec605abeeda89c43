// Small SVG helpers shared by the figure builders: escaping, number formatting,
// tick placement and the diverging colour scale used for substitution energies.

/** Escape text for use in XML/HTML text nodes and attribute values. */
export function esc(s: string | number): string {
  return String(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Round for coordinates: SVG needs no more than 0.01 px. */
export function px(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** Fixed decimals without the "-0.00" artefact. */
export function fixed(v: number, digits = 2): string {
  const s = v.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** Font stack that needs no download: generic families only. */
export const FONT = 'font-family="Helvetica, Arial, sans-serif"';

/** Opening tag of a standalone SVG document. */
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

function niceStep(raw: number): number {
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return nice * mag;
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

// ColorBrewer RdBu, ordered from white outwards; index 0 is exactly white so E = 0 reads as "no effect".
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

/**
 * Diverging colour for an energy: white at 0, blue for negative (stabilising),
 * red for positive. Each side is scaled by its own limit, so an asymmetric
 * {min, max} still keeps 0 white; values beyond the limits saturate.
 */
export function divergingColor(v: number, min: number, max: number): string {
  if (v < 0) return hex(ramp(BLUE_RAMP, min < 0 ? v / min : 1));
  if (v > 0) return hex(ramp(RED_RAMP, max > 0 ? v / max : 1));
  return '#ffffff';
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
