// Nearest-neighbour histogram (NNH) plots: for each non-equivalent site, the
// number of neighbours at each reduced distance d/d_min, drawn as stems so the
// gaps that delimit coordination shells are easy to see; where the AET shell was cut is marked.
import { esc, fileStem, fixed, niceTicks, px, svgOpen } from './svg.ts';

export interface NnhBin {
  d_over_dmin: number;
  count: number;
}

export interface NnhPanel {
  site: string;
  dmin: number;
  histogram: NnhBin[];
  /** The atomic environment type found for the site: its CN and the normalised gap that closes the shell. */
  aet?: { cn: number; gap: number };
}

/**
 * Where the AET shell ends on the d/d_min axis: the bin at which the cumulative count reaches
 * CN, and the next bin (the first neighbour left out). Undefined when the histogram cannot hold CN.
 */
export function aetCut(p: NnhPanel): { last: number; next: number; cn: number } | undefined {
  if (!p.aet) return undefined;
  const bins = [...p.histogram].filter((b) => b.count > 0).sort((a, b) => a.d_over_dmin - b.d_over_dmin);
  let total = 0;
  for (let k = 0; k < bins.length; k++) {
    total += bins[k].count;
    if (total >= p.aet.cn) {
      const last = bins[k].d_over_dmin;
      return { last, next: bins[k + 1]?.d_over_dmin ?? last + p.aet.gap, cn: p.aet.cn };
    }
  }
  return undefined;
}

export interface NnhOptions {
  /** Figure title above the grid. */
  title?: string;
  /** Panels per row; default keeps the grid roughly square. */
  columns?: number;
  panelWidth?: number;
  panelHeight?: number;
  /** Right end of the x axis (d/d_min); default: just beyond the largest bin of any panel. */
  cutoff?: number;
  /** Same y range for every panel (easier comparison of coordination numbers). */
  sharedY?: boolean;
  color?: string;
}

const M = { left: 44, right: 12, top: 28, bottom: 38 };

/** The x range shared by all panels: from 1 (the nearest neighbour) to the cutoff. */
function xRange(panels: NnhPanel[], cutoff?: number): [number, number] {
  if (cutoff !== undefined && cutoff > 1) return [1, cutoff];
  let maxD = 1;
  for (const p of panels) for (const b of p.histogram) maxD = Math.max(maxD, b.d_over_dmin);
  // Leave room for the last stem and end on a round value.
  return [1, Math.ceil((maxD + 0.02) * 20) / 20];
}

function maxCount(p: NnhPanel): number {
  return p.histogram.reduce((m, b) => Math.max(m, b.count), 0);
}

/** Integer ticks for counts, at most ~5 of them. */
function countTicks(max: number): number[] {
  const top = Math.max(1, max);
  const ticks = niceTicks(0, top, 5).filter((t) => Number.isInteger(t));
  const hi = ticks[ticks.length - 1];
  if (hi < top) ticks.push(hi + (ticks[1] ?? 1) - (ticks[0] ?? 0));
  return ticks;
}

const BEYOND = '#a9bfd8';

function panelSvg(p: NnhPanel, x0: number, y0: number, w: number, h: number, xr: [number, number], yMax: number, color: string): string {
  const pw = w - M.left - M.right;
  const ph = h - M.top - M.bottom;
  const inset = 6; // keeps the stem at d/d_min = 1 off the y axis
  const sx = (v: number) => M.left + inset + ((v - xr[0]) / (xr[1] - xr[0])) * (pw - inset);
  const yTicks = countTicks(yMax);
  const yTop = yTicks[yTicks.length - 1];
  const sy = (v: number) => M.top + ph - (v / yTop) * ph;
  const out: string[] = [];
  out.push(`<g class="nnh-panel" data-site="${esc(p.site)}" transform="translate(${px(x0)},${px(y0)})">`);
  out.push(`<text x="${px(M.left + pw / 2)}" y="17" text-anchor="middle" font-size="13" font-weight="bold">${esc(p.site)} (d<tspan font-size="9" dy="3">min</tspan><tspan dy="-3"> = ${fixed(p.dmin, 2)} Å)</tspan></text>`);
  // Light grid and ticks.
  for (const t of yTicks) {
    const y = sy(t);
    out.push(`<line x1="${px(M.left)}" y1="${px(y)}" x2="${px(M.left + pw)}" y2="${px(y)}" stroke="#e6e6e6" stroke-width="1"/>`);
    out.push(`<text x="${px(M.left - 5)}" y="${px(y + 4)}" text-anchor="end" font-size="10">${t}</text>`);
  }
  for (const t of niceTicks(xr[0], xr[1], 6)) {
    const x = sx(t);
    out.push(`<line x1="${px(x)}" y1="${px(M.top + ph)}" x2="${px(x)}" y2="${px(M.top + ph + 4)}" stroke="#333"/>`);
    out.push(`<text x="${px(x)}" y="${px(M.top + ph + 15)}" text-anchor="middle" font-size="10">${fixed(t, 2)}</text>`);
  }
  // The AET cut: the gap between the last shell neighbour and the first one left out, shaded,
  // with a dashed line in its middle; stems beyond it are drawn lighter.
  const cut = aetCut(p);
  if (cut && cut.last <= xr[1]) {
    const x1 = sx(cut.last);
    const x2 = sx(Math.min(cut.next, xr[1]));
    const xm = sx(Math.min((cut.last + cut.next) / 2, xr[1]));
    out.push(`<g class="aet-cut" data-cn="${cut.cn}" data-d="${(cut.last + cut.next) / 2}">`);
    out.push(`<rect x="${px(x1)}" y="${px(M.top)}" width="${px(Math.max(0, x2 - x1))}" height="${px(ph)}" fill="#fff3c4"/>`);
    out.push(`<line x1="${px(xm)}" y1="${px(M.top - 2)}" x2="${px(xm)}" y2="${px(M.top + ph)}" stroke="#b07800" stroke-width="1.2" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${px(xm + 3)}" y="${px(M.top + 9)}" font-size="10" fill="#7a5300">AET CN ${cut.cn}</text>`);
    out.push(`<title>AET shell: the first ${cut.cn} neighbours, up to d/dmin = ${fixed(cut.last, 3)} (${fixed(cut.last * p.dmin, 3)} Å); next neighbour at ${fixed(cut.next, 3)} (gap ${fixed(cut.next - cut.last, 3)})</title>`);
    out.push('</g>');
  }
  // Stems: one per distinct reduced distance.
  for (const b of p.histogram) {
    if (b.count <= 0 || b.d_over_dmin < xr[0] - 1e-9 || b.d_over_dmin > xr[1] + 1e-9) continue;
    const x = sx(b.d_over_dmin);
    const inShell = !cut || b.d_over_dmin <= cut.last + 1e-9;
    out.push(
      `<line class="nnh-bar${inShell ? '' : ' beyond'}" data-d="${b.d_over_dmin}" data-count="${b.count}" x1="${px(x)}" y1="${px(sy(0))}" x2="${px(x)}" y2="${px(sy(b.count))}" stroke="${inShell ? color : BEYOND}" stroke-width="3"><title>d/dmin = ${fixed(b.d_over_dmin, 3)} (${fixed(b.d_over_dmin * p.dmin, 3)} Å): ${b.count}</title></line>`,
    );
  }
  // Axes drawn last so they sit on top of the stems' feet.
  out.push(`<path d="M${px(M.left)},${px(M.top)}V${px(M.top + ph)}H${px(M.left + pw)}" fill="none" stroke="#333" stroke-width="1"/>`);
  out.push(`<text x="${px(M.left + pw / 2)}" y="${px(h - 6)}" text-anchor="middle" font-size="11">d / d<tspan font-size="8" dy="2">min</tspan></text>`);
  out.push(`<text transform="translate(12,${px(M.top + ph / 2)}) rotate(-90)" text-anchor="middle" font-size="11">count</text>`);
  out.push('</g>');
  return out.join('\n');
}

/** A grid of NNH panels, one per non-equivalent site, as a standalone SVG document. */
export function nnhSvg(panels: NnhPanel[], opts: NnhOptions = {}): string {
  const n = panels.length;
  const cols = Math.max(1, Math.min(n || 1, opts.columns ?? (n <= 3 ? n : Math.ceil(Math.sqrt(n)))));
  const rows = Math.max(1, Math.ceil(n / cols));
  const w = opts.panelWidth ?? 300;
  const h = opts.panelHeight ?? 210;
  const titleH = opts.title ? 28 : 0;
  const xr = xRange(panels, opts.cutoff);
  const shared = Math.max(1, ...panels.map(maxCount));
  const color = opts.color ?? '#2b6cb0';
  const name = fileStem(`nnh-${panels.map((p) => p.site).join('-')}`);
  const parts: string[] = [svgOpen(cols * w, rows * h + titleH, `class="nnh" data-name="${esc(name)}"`)];
  parts.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  if (opts.title) parts.push(`<text x="${px((cols * w) / 2)}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${esc(opts.title)}</text>`);
  panels.forEach((p, i) => {
    const yMax = opts.sharedY ? shared : maxCount(p);
    parts.push(panelSvg(p, (i % cols) * w, titleH + Math.floor(i / cols) * h, w, h, xr, yMax, color));
  });
  parts.push('</svg>');
  return parts.join('\n');
}
