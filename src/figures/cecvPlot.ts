// CECV figure: the element × element similarity matrix in the single-linkage leaf order
// (groups sit in contiguous blocks), beside the threshold ladder: for each distance threshold
// 1 − similarity of 0.05 … 0.40, one bar per group spanning its elements.
import type { Cecv } from '../model/learn/cecv.ts';
import { divergingColor, esc, num, px, svgOpen, textColorOn } from './svg.ts';

const GROUP_COLOURS = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#e15759', '#9c755f', '#ff9da7', '#bab0ac'];

export function cecvSvg(c: Cecv, title: string): string {
  const n = c.elements.length;
  const cell = Math.max(18, Math.min(40, Math.floor(520 / n)));
  const left = 60;
  const top = 70;
  const matrix = n * cell;
  const ladderLeft = left + matrix + 30;
  const step = 34;
  const width = ladderLeft + c.levels.length * step + 20;
  const height = top + matrix + 70;
  const sim = c.similarity === 'cosine' ? c.cosine : c.js;
  const out: string[] = [svgOpen(width, height, `class="cecv" data-similarity="${c.similarity}"`)];
  out.push('<rect width="100%" height="100%" fill="#ffffff"/>');
  out.push(`<text x="${px(width / 2)}" y="20" text-anchor="middle" font-size="14" font-weight="600">${esc(title)}</text>`);
  out.push(
    `<text x="${px(width / 2)}" y="36" text-anchor="middle" font-size="11" fill="#555">${esc(`${c.similarity === 'cosine' ? 'cosine' : '1 − Jensen–Shannon'} similarity of the elements’ mean LSTM ⊕ GRU states; groups: single linkage on 1 − similarity`)}</text>`,
  );
  c.order.forEach((i, r) => {
    const y = top + r * cell;
    out.push(`<text class="element" x="${left - 6}" y="${px(y + cell * 0.65)}" text-anchor="end" font-size="12">${esc(c.elements[i])}</text>`);
    out.push(`<text class="element-column" x="${px(left + r * cell + cell / 2)}" y="${top - 6}" text-anchor="middle" font-size="12">${esc(c.elements[i])}</text>`);
    c.order.forEach((j, k) => {
      const s = sim[i][j];
      const fill = divergingColor(c.similarity === 'cosine' ? s : 2 * s - 1);
      out.push(
        `<rect x="${px(left + k * cell)}" y="${px(y)}" width="${cell}" height="${cell}" fill="${fill}" stroke="#ffffff" stroke-width="0.5"><title>${esc(`${c.elements[i]}–${c.elements[j]}: ${num(s, 3)}`)}</title></rect>`,
      );
      if (cell >= 30) out.push(`<text x="${px(left + k * cell + cell / 2)}" y="${px(y + cell * 0.62)}" text-anchor="middle" font-size="9" fill="${textColorOn(fill)}">${num(s, 2)}</text>`);
    });
  });
  // the ladder: bars of the groups at each threshold
  const row = new Map(c.order.map((i, r) => [c.elements[i], r]));
  c.levels.forEach((lv, k) => {
    const x = ladderLeft + k * step;
    out.push(`<g class="level" data-threshold="${lv.threshold}" data-groups="${lv.groups.length}">`);
    lv.groups.forEach((g, gi) => {
      const rows = g.map((e) => row.get(e)!);
      const y0 = top + Math.min(...rows) * cell + 2;
      const y1 = top + (Math.max(...rows) + 1) * cell - 2;
      out.push(`<rect x="${px(x + 6)}" y="${px(y0)}" width="${step - 12}" height="${px(y1 - y0)}" rx="3" fill="${GROUP_COLOURS[gi % GROUP_COLOURS.length]}"><title>${esc(`${num(lv.threshold, 2)}: ${g.join(' ')}`)}</title></rect>`);
    });
    out.push(`<text x="${px(x + step / 2)}" y="${top + matrix + 16}" text-anchor="middle" font-size="10">${num(lv.threshold, 2)}</text>`);
    out.push(`<text x="${px(x + step / 2)}" y="${top + matrix + 30}" text-anchor="middle" font-size="10" fill="#555">${lv.groups.length}</text></g>`);
  });
  out.push(`<text x="${px(ladderLeft - 4)}" y="${top + matrix + 16}" text-anchor="end" font-size="10">1 − s ≤</text>`);
  out.push(`<text x="${px(ladderLeft - 4)}" y="${top + matrix + 30}" text-anchor="end" font-size="10" fill="#555">groups</text>`);
  out.push(`<text x="${left}" y="${top + matrix + 56}" font-size="11" fill="#555">blue: dissimilar, white: orthogonal, red: alike (${c.similarity === 'cosine' ? 'cosine −1 … 1' : '1 − JS 0 … 1'})</text>`);
  out.push('</svg>');
  return out.join('\n');
}
