import { esc, fixed } from './svg.ts';

/**
 * Horizontal bars of permutation importance (meV rise of the MAE), coloured by
 * the SHAP sign of effect: red when a larger value raises E_DS, blue when it
 * lowers it (stabilises), grey when undecided; whiskers show ±1 sd.
 */
export function importanceSvg(
  rows: { feature: string; importance: number; sd: number; sign: -1 | 0 | 1 }[],
  title: string,
): string {
  const barH = 18;
  const left = 130;
  const width = 640;
  const plotW = width - left - 70;
  const top = 40;
  const height = top + rows.length * barH + 40;
  const max = Math.max(...rows.map((r) => r.importance + r.sd), 1e-9);
  const x = (v: number) => left + (Math.max(0, v) / max) * plotW;
  const colour = (s: number) => (s > 0 ? '#c0392b' : s < 0 ? '#2c6fbb' : '#999');
  const bars = rows
    .map((r, k) => {
      const y = top + k * barH;
      return (
        `<text x="${left - 6}" y="${y + barH * 0.7}" text-anchor="end" font-size="12">${esc(r.feature)}</text>` +
        `<rect x="${left}" y="${y + 2}" width="${fixed(x(r.importance) - left, 1)}" height="${barH - 4}" fill="${colour(r.sign)}"/>` +
        `<line x1="${fixed(x(r.importance - r.sd), 1)}" x2="${fixed(x(r.importance + r.sd), 1)}" y1="${y + barH / 2}" y2="${y + barH / 2}" stroke="#333"/>` +
        `<text x="${fixed(x(r.importance + r.sd) + 4, 1)}" y="${y + barH * 0.7}" font-size="11" fill="#444">${fixed(r.importance * 1000, 1)}</text>`
      );
    })
    .join('\n');
  const axisY = top + rows.length * barH + 4;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="sans-serif">
<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="600">${esc(title)}</text>
${bars}
<line x1="${left}" x2="${left + plotW}" y1="${axisY}" y2="${axisY}" stroke="#333"/>
<text x="${left + plotW / 2}" y="${axisY + 28}" text-anchor="middle" font-size="12">rise of test MAE when shuffled (meV); red: larger value raises E_DS, blue: lowers it</text>
</svg>`;
}
