// Attention maps of the multi-head attention regressor: one panel per head and their mean, rows =
// the token that reads (query), columns = the token it reads from (key); each row sums to 1. Tokens
// are labelled by an input array (CE feature names today; any token layout later), and optional
// token groups (CE blocks: centre 1, shell 1, …) are drawn as separators with their names.
import { divergingColor, esc, fileStem, num, px, svgOpen, textColorOn, tickLabel } from './svg.ts';

export interface AttentionPanel {
  title: string;
  /** F × F, rows = queries, each row a distribution over keys. */
  matrix: readonly (readonly number[])[];
}

export interface TokenGroup {
  name: string;
  /** Consecutive token indices. */
  tokens: readonly number[];
}

/** White → dark blue; t in [0, 1]. */
function sequential(t: number): string {
  const c = Math.max(0, Math.min(1, t));
  const a = [255, 255, 255];
  const b = [8, 48, 107];
  const mid = [107, 174, 214];
  const [p, q, f] = c < 0.5 ? [a, mid, c / 0.5] : [mid, b, (c - 0.5) / 0.5];
  const h = (k: number) => Math.round(p[k] + (q[k] - p[k]) * f).toString(16).padStart(2, '0');
  return `#${h(0)}${h(1)}${h(2)}`;
}

/**
 * Attention of group rows to group columns relative to uniform attention: the mean over the row
 * group's queries of the weight on the column group's keys, divided by that group's share of the
 * tokens. 1 = as much as a uniform row gives it; a plain block sum would favour the wide blocks
 * (13 property tokens against 3 pair descriptors).
 */
export function groupAttention(matrix: readonly (readonly number[])[], groups: readonly TokenGroup[]): number[][] {
  const F = matrix.length;
  return groups.map((gq) =>
    groups.map((gk) => gq.tokens.reduce((s, q) => s + gk.tokens.reduce((t, k) => t + matrix[q][k], 0), 0) / gq.tokens.length / (gk.tokens.length / F)),
  );
}

/**
 * The figure: panels in a grid (`columns` per row) sharing one colour scale from 0 to the largest
 * weight shown, token labels on both axes of every panel, group separators and names.
 */
export function attentionSvg(panels: readonly AttentionPanel[], labels: readonly string[], o: { title: string; subtitle?: string; groups?: readonly TokenGroup[]; columns?: number; valueLabel?: string; centre?: number }): string {
  if (panels.length === 0) throw new RangeError('attentionSvg: no panel');
  const F = labels.length;
  for (const p of panels) if (p.matrix.length !== F || p.matrix.some((r) => r.length !== F)) throw new RangeError(`attentionSvg: panel '${p.title}' is not ${F} × ${F}`);
  const cell = F > 30 ? 11 : F > 12 ? 18 : 34;
  const font = F > 30 ? 8 : 11;
  const longest = Math.max(...labels.map((l) => l.length));
  const labelW = Math.max(40, longest * font * 0.62 + 8);
  const groupW = o.groups ? 16 : 0;
  const side = F * cell;
  const panelW = groupW + labelW + side + 20;
  const panelH = 24 + side + labelW + groupW + 10;
  const cols = Math.min(o.columns ?? panels.length, panels.length);
  const rows = Math.ceil(panels.length / cols);
  const top = o.subtitle ? 52 : 40;
  const barW = 80;
  const width = cols * panelW + barW + 20;
  const height = top + rows * panelH + 16;
  const values = panels.flatMap((p) => p.matrix.flatMap((r) => r));
  // weights: white at 0 to the largest; ratios to a reference (centre): diverging, white at the centre
  const centre = o.centre;
  const dev = centre === undefined ? 0 : Math.max(1e-9, ...values.map((v) => Math.abs(v - centre)));
  const vmax = Math.max(1e-9, ...values);
  const colour = (v: number) => (centre === undefined ? sequential(v / vmax) : divergingColor((v - centre) / dev));
  const out: string[] = [svgOpen(width, height, `class="attention" data-name="${esc(fileStem(o.title))}" data-tokens="${F}"`)];
  out.push('<rect width="100%" height="100%" fill="#ffffff"/>');
  out.push(`<text x="${px(width / 2)}" y="20" text-anchor="middle" font-size="14" font-weight="600">${esc(o.title)}</text>`);
  if (o.subtitle) out.push(`<text x="${px(width / 2)}" y="38" text-anchor="middle" font-size="11" fill="#555">${esc(o.subtitle)}</text>`);
  panels.forEach((p, n) => {
    const x0 = 10 + (n % cols) * panelW;
    const y0 = top + Math.floor(n / cols) * panelH;
    const gx = x0 + groupW + labelW; // left edge of the grid
    const gy = y0 + 24; // top edge of the grid
    out.push(`<g class="panel" data-title="${esc(p.title)}">`);
    out.push(`<text x="${px(gx + side / 2)}" y="${px(y0 + 14)}" text-anchor="middle" font-size="12" font-weight="600">${esc(p.title)}</text>`);
    for (let q = 0; q < F; q++)
      for (let k = 0; k < F; k++) {
        const v = p.matrix[q][k];
        const fill = colour(v);
        out.push(`<rect x="${px(gx + k * cell)}" y="${px(gy + q * cell)}" width="${cell}" height="${cell}" fill="${fill}"><title>${esc(`${labels[q]} → ${labels[k]}: ${num(v, 3)}`)}</title></rect>`);
        // few tokens: the value is readable in its cell
        if (cell >= 30) out.push(`<text x="${px(gx + (k + 0.5) * cell)}" y="${px(gy + (q + 0.5) * cell + 3.5)}" text-anchor="middle" font-size="10" fill="${textColorOn(fill)}" pointer-events="none">${num(v, 2)}</text>`);
      }
    out.push(`<rect x="${px(gx)}" y="${px(gy)}" width="${side}" height="${side}" fill="none" stroke="#333" stroke-width="0.8"/>`);
    labels.forEach((l, q) => {
      out.push(`<text x="${px(gx - 3)}" y="${px(gy + q * cell + cell * 0.75)}" text-anchor="end" font-size="${font}">${esc(l)}</text>`);
      const cx = gx + q * cell + cell * 0.72;
      const cy = gy + side + 3;
      out.push(`<text transform="translate(${px(cx)},${px(cy)}) rotate(-90)" text-anchor="end" font-size="${font}">${esc(l)}</text>`);
    });
    for (const g of o.groups ?? []) {
      const a = g.tokens[0];
      const b = g.tokens[g.tokens.length - 1] + 1;
      if (a > 0) {
        out.push(`<line x1="${px(gx)}" x2="${px(gx + side)}" y1="${px(gy + a * cell)}" y2="${px(gy + a * cell)}" stroke="#e67e22" stroke-width="1"/>`);
        out.push(`<line x1="${px(gx + a * cell)}" x2="${px(gx + a * cell)}" y1="${px(gy)}" y2="${px(gy + side)}" stroke="#e67e22" stroke-width="1"/>`);
      }
      const mid = ((a + b) / 2) * cell;
      if ((b - a) * cell >= 24) {
        out.push(`<text transform="translate(${px(x0 + groupW - 4)},${px(gy + mid)}) rotate(-90)" text-anchor="middle" font-size="10" fill="#b35c00">${esc(g.name)}</text>`);
        out.push(`<text x="${px(gx + mid)}" y="${px(gy + side + labelW + groupW - 4)}" text-anchor="middle" font-size="10" fill="#b35c00">${esc(g.name)}</text>`);
      }
    }
    out.push('</g>');
  });
  // colour bar shared by every panel
  const bx = cols * panelW + 20;
  const by = top + 24;
  const bh = Math.min(240, Math.max(120, rows * panelH - 80));
  // a ratio is never below 0: the bar ends there
  const [lo, hi] = centre === undefined ? [0, vmax] : [Math.max(0, centre - dev), centre + dev];
  for (let i = 0; i < 50; i++) out.push(`<rect x="${bx}" y="${px(by + bh - ((i + 1) * bh) / 50)}" width="14" height="${px(bh / 50 + 0.5)}" fill="${colour(lo + ((i + 0.5) / 50) * (hi - lo))}"/>`);
  out.push(`<rect x="${bx}" y="${by}" width="14" height="${px(bh)}" fill="none" stroke="#333" stroke-width="0.6"/>`);
  for (const t of [0, 0.25, 0.5, 0.75, 1]) out.push(`<text x="${bx + 18}" y="${px(by + bh - t * bh + 4)}" font-size="10">${tickLabel(+(lo + t * (hi - lo)).toPrecision(2))}</text>`);
  out.push(`<text transform="translate(${bx - 6},${px(by + bh / 2)}) rotate(-90)" text-anchor="middle" font-size="10">${esc(o.valueLabel ?? 'attention weight')}</text>`);
  out.push(`<text x="${bx}" y="${px(by + bh + 18)}" font-size="9" fill="#555">row: query</text><text x="${bx}" y="${px(by + bh + 30)}" font-size="9" fill="#555">column: key</text>`);
  out.push('</svg>');
  return out.join('\n');
}
