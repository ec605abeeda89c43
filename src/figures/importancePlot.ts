// Feature importance: horizontal bars of permutation importance (rise of the test MAE in meV when a
// feature is shuffled) on a numeric axis, coloured by the SHAP sign of effect, with a key that spells
// out every feature code shown. One ranking per figure: per feature (BM_C1, BM_C2, …) or summed over
// the two sites (BM_C = BM_C1 + BM_C2); importanceText gives the same ranking as text.
import { propertyCodes, propertyInfo } from '../features/elements.ts';
import { esc, fileStem, niceTicks, num, px, svgOpen, tickLabel } from './svg.ts';

export interface ImportanceRow {
  feature: string;
  /** Mean rise of the test MAE (eV). */
  importance: number;
  sd: number;
  /** +1: a larger value raises E_DS; −1: lowers it; 0: undecided or mixed. */
  sign: -1 | 0 | 1;
}

/** feature: every CE feature on its own; property: each site feature summed over the two sites. */
export type ImportanceView = 'feature' | 'property';

/** The pair descriptors of the CE vector (featureNames in features/ce.ts): they belong to no site. */
const PAIR_FEATURES = new Set(['D_12', 'N2_in_shell1', 'N1_in_shell2']);

/** The site-independent name of a feature ("BM_C1" → "BM_C"), or the name itself for pair descriptors. */
export function siteFreeName(feature: string): string {
  return PAIR_FEATURES.has(feature) ? feature : feature.replace(/[12]$/, '');
}

/**
 * The rows in the chosen view, most important first. Summed over sites: importance adds, sd adds
 * in quadrature (the two permutations treated as independent), and the sign is kept only when both
 * sites agree.
 */
export function importanceRanking(rows: readonly ImportanceRow[], view: ImportanceView = 'feature'): ImportanceRow[] {
  if (view === 'feature') return [...rows].sort((a, b) => b.importance - a.importance);
  const groups = new Map<string, ImportanceRow[]>();
  for (const r of rows) {
    const k = siteFreeName(r.feature);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups]
    .map(([feature, g]) => ({
      feature,
      importance: g.reduce((s, r) => s + r.importance, 0),
      sd: Math.sqrt(g.reduce((s, r) => s + r.sd ** 2, 0)),
      sign: (g.every((r) => r.sign === g[0].sign) ? g[0].sign : 0) as ImportanceRow['sign'],
    }))
    .sort((a, b) => b.importance - a.importance);
}

/** The ranking as one line of text, e.g. "AR_C (52.1 meV), GN_C (40.3 meV), …": the same order the figure shows. */
export function importanceText(rows: readonly ImportanceRow[], view: ImportanceView = 'feature', top = 6): string {
  return importanceRanking(rows, view)
    .slice(0, top)
    .map((r) => `${r.feature} (${num(r.importance * 1000, 1)} meV)`)
    .join(', ');
}

const PARTS: [RegExp, string][] = [
  [/_C$/, '_C: the element on the site (centre)'],
  [/_E$/, '_E: the same over its AET environment (distance-weighted)'],
  [/_dC$/, '_dC: centre minus the host element'],
  [/_dE$/, '_dE: environment minus the pristine environment'],
  [/_H$/, '_H: the host element of the site'],
];
const GEOMETRY: Record<string, string> = {
  CN: 'CN: coordination number of the AET',
  DM: 'DM: mean centre–shell distance (Å)',
  DS: 'DS: spread of the shell distances (Å)',
  VOL: 'VOL: volume of the shell’s convex hull (Å³)',
  D_12: 'D_12: distance between the two substituted sites (Å)',
  N2_in_shell1: 'N2_in_shell1: the second site lies in the first site’s shell',
  N1_in_shell2: 'N1_in_shell2: the first site lies in the second site’s shell',
};

/**
 * The key of the feature codes shown: property codes (elements/README.md), the block suffixes and the
 * geometry and pair descriptors, each once; plus the site suffix when per-site names are shown.
 */
export function featureKey(features: readonly string[]): string[] {
  const known = new Set(propertyCodes());
  const props = new Set<string>();
  const parts = new Set<string>();
  const other = new Set<string>();
  let sites = false;
  for (const f of features) {
    const name = siteFreeName(f);
    if (name !== f) sites = true;
    const m = /^([A-Z0-9]+)_(C|E|dC|dE|H)$/.exec(name);
    if (m && known.has(m[1])) {
      props.add(m[1]);
      parts.add(PARTS.find(([re]) => re.test(name))![1]);
    } else if (GEOMETRY[name]) other.add(GEOMETRY[name]);
    else if (name.startsWith('is_')) other.add(`${name}: the site is ${name.slice(3)} (one-hot)`);
  }
  const lines = [...props].map((c) => {
    const p = propertyInfo(c);
    return `${c}: ${p.name}${p.unit && p.unit !== '–' ? ` (${p.unit})` : ''}`;
  });
  return [...lines, ...parts, ...other, ...(sites ? ['suffix 1 / 2: the first / second substituted site'] : [])];
}

const COLOURS = { raise: '#c0392b', lower: '#2c6fbb', mixed: '#999999' };

/**
 * The importance figure: `top` bars in the chosen view on a meV axis with gridlines, ±1 sd
 * whiskers, the sign-of-effect legend and the key of every code shown.
 */
export function importanceSvg(rows: readonly ImportanceRow[], title: string, o: { view?: ImportanceView; top?: number } = {}): string {
  const view = o.view ?? 'feature';
  const shown = importanceRanking(rows, view).slice(0, o.top ?? rows.length);
  const key = featureKey(shown.map((r) => r.feature));
  const barH = 18;
  const left = 130;
  const width = 720;
  const plotW = width - left - 40;
  const top = 44;
  const plotH = shown.length * barH;
  const axisY = top + plotH + 4;
  const keyTop = axisY + 66;
  const keyCols = key.some((l) => l.length > 62) ? 1 : 2;
  const keyRows = Math.ceil(key.length / keyCols);
  const height = keyTop + keyRows * 15 + 12;
  const maxV = Math.max(...shown.map((r) => (r.importance + r.sd) * 1000), 1e-6);
  // Round ticks from 0 to the first one past the longest whisker: the axis ends on a labelled value.
  const ticks = niceTicks(0, maxV, 6);
  if (ticks[ticks.length - 1] < maxV) ticks.push(+(ticks[ticks.length - 1] + (ticks[1] - ticks[0])).toPrecision(12));
  const xMax = ticks[ticks.length - 1];
  const x = (meV: number) => left + (Math.max(0, meV) / xMax) * plotW;
  const colour = (s: number) => (s > 0 ? COLOURS.raise : s < 0 ? COLOURS.lower : COLOURS.mixed);
  const out: string[] = [svgOpen(width, height, `class="importance" data-view="${view}" data-name="${esc(fileStem(`importance-${view}`))}"`)];
  out.push('<rect width="100%" height="100%" fill="#ffffff"/>');
  out.push(`<text x="${px(width / 2)}" y="20" text-anchor="middle" font-size="14" font-weight="600">${esc(title)}</text>`);
  out.push(`<text x="${px(width / 2)}" y="36" text-anchor="middle" font-size="11" fill="#555">${view === 'property' ? 'each feature summed over the two sites' : 'each feature of each site'}</text>`);
  for (const t of ticks) {
    out.push(`<line x1="${px(x(t))}" x2="${px(x(t))}" y1="${top}" y2="${axisY}" stroke="${t === 0 ? '#333' : '#e4e4e4'}"/>`);
    out.push(`<text class="tick" x="${px(x(t))}" y="${axisY + 14}" text-anchor="middle" font-size="10">${tickLabel(t)}</text>`);
  }
  shown.forEach((r, k) => {
    const y = top + k * barH;
    const v = r.importance * 1000;
    const s = r.sd * 1000;
    out.push(
      `<g class="bar" data-feature="${esc(r.feature)}" data-importance="${r.importance}">` +
        `<text x="${left - 6}" y="${y + barH * 0.7}" text-anchor="end" font-size="12">${esc(r.feature)}</text>` +
        `<rect x="${left}" y="${y + 2}" width="${px(x(v) - left)}" height="${barH - 4}" fill="${colour(r.sign)}"><title>${esc(`${r.feature}: ${num(v, 1)} ± ${num(s, 1)} meV`)}</title></rect>` +
        `<line x1="${px(x(v - s))}" x2="${px(x(v + s))}" y1="${y + barH / 2}" y2="${y + barH / 2}" stroke="#333"/>` +
        `<text x="${px(x(v + s) + 4)}" y="${y + barH * 0.7}" font-size="11" fill="#444">${num(v, 1)}</text></g>`,
    );
  });
  out.push(`<line x1="${left}" x2="${left + plotW}" y1="${axisY}" y2="${axisY}" stroke="#333"/>`);
  out.push(`<text x="${px(left + plotW / 2)}" y="${axisY + 30}" text-anchor="middle" font-size="12">rise of the test MAE when the feature is shuffled (meV); whiskers ±1 sd</text>`);
  const legend = [[COLOURS.raise, 'larger value raises E_DS (destabilises)'], [COLOURS.lower, 'larger value lowers E_DS (stabilises)'], [COLOURS.mixed, 'no clear sign']] as const;
  let lx = left;
  for (const [c, t] of legend) {
    out.push(`<rect x="${lx}" y="${axisY + 40}" width="10" height="10" fill="${c}"/><text x="${lx + 14}" y="${axisY + 49}" font-size="11">${esc(t)}</text>`);
    lx += 14 + t.length * 5.6 + 16;
  }
  out.push(`<g class="key" font-size="11" fill="#333">`);
  key.forEach((line, i) => {
    const col = Math.floor(i / keyRows);
    out.push(`<text x="${14 + col * (width / keyCols)}" y="${keyTop + (i % keyRows) * 15}">${esc(line)}</text>`);
  });
  out.push('</g></svg>');
  return out.join('\n');
}
