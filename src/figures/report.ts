// The report page shell: sections, plain tables, the sortable/filterable table component, and a
// download bar (SVG, PNG) on every figure. Self-contained: inline CSS and scripts, no network.
import type { PredictionRow } from '../predict/table.ts';
import { FIGURE_CSS, hasIntervals, uncertaintyToggle } from './heatmap.ts';
import { figureToolsScript, jsonScript, pageScript } from './inline.ts';
import { siteText } from './pageScripts/shared.js';
import { hostElement, stabilisingProbability } from './siteHeatmaps.ts';
import { STABILISING_PROBABILITY } from '../util/normal.ts';
import { esc } from './svg.ts';

/** A section of the report: HTML body (tables, inline SVG, links). */
export interface ReportSection {
  id: string;
  title: string;
  html: string;
}

/** A table cell that is already HTML (e.g. codeHtml(code) for a topological code with superscripts); `text`: align it as text. */
export interface HtmlCell {
  html: string;
  text?: boolean;
}

/**
 * A plain table; text and numbers are escaped, `{ html }` cells are inserted as they are. Cells
 * align right (numbers), the first column and `{ html, text: true }` cells left.
 */
export function htmlTable(header: string[], rows: (string | number | HtmlCell)[][], caption?: string): string {
  const cell = (v: string | number | HtmlCell) => (typeof v === 'object' ? `<td${v.text ? ' class="txt"' : ''}>${v.html}</td>` : `<td>${esc(String(v))}</td>`);
  return (
    `<table>${caption ? `<caption>${esc(caption)}</caption>` : ''}<thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table>`
  );
}

export interface TableColumn {
  /** Key of the column (CSV header, test hooks). */
  key: string;
  label: string;
  /** number: right-aligned, sorted numerically, filtered by conditions such as "<0" or "-0.5..0". */
  type?: 'text' | 'number';
  /** Decimals shown for numbers (default 3). */
  digits?: number;
  /** Negative numbers in blue (energies: stabilising). */
  signed?: boolean;
  /** Header tooltip: what the column means. */
  title?: string;
}

export type TableValue = string | number | null | undefined;

const TABLE_CSS = `
.itable { margin: .8em 0; }
.itable-bar { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; font-size: 13px; margin-bottom: 4px; }
.itable-bar input.itable-search { width: 240px; }
.itable table { border-collapse: collapse; font-size: 13px; margin: 0; }
.itable thead { position: sticky; top: 0; z-index: 1; }
.itable th { background: #f4f4f4; }
.itable thead tr.itable-head th { cursor: pointer; user-select: none; white-space: nowrap; }
.itable thead tr.itable-head th[aria-sort="ascending"]::after { content: " \\25B2"; font-size: 10px; }
.itable thead tr.itable-head th[aria-sort="descending"]::after { content: " \\25BC"; font-size: 10px; }
.itable thead input.itable-filter { width: 100%; min-width: 50px; font-size: 12px; box-sizing: border-box; }
.itable td.num, .itable th.num { text-align: right; font-variant-numeric: tabular-nums; }
.itable td.txt, .itable th.txt { text-align: left; }
.itable td.neg { color: #0b4f9c; font-weight: 600; }
.itable-pages { display: flex; gap: 8px; align-items: center; font-size: 13px; margin-top: 4px; }
`;

/**
 * A sortable, filterable, paged table (client-side JavaScript, no dependency) holding every row:
 * click a header to sort (again to reverse), type in the search box or a column's box to filter
 * (number columns take conditions such as "<0", ">= -0.2", "-0.5..0"), download the filtered rows
 * as CSV. Self-contained: its CSS and script come with it, so it works in any page.
 */
export function interactiveTable(
  columns: readonly TableColumn[],
  rows: readonly (readonly TableValue[])[],
  o: { id: string; caption?: string; pageSize?: number },
): string {
  if (!/^[A-Za-z][\w-]*$/.test(o.id)) throw new Error(`interactiveTable: id '${o.id}' must start with a letter and hold only letters, digits, '-' and '_'`);
  rows.forEach((r, i) => {
    if (r.length !== columns.length) throw new Error(`interactiveTable ${o.id}: row ${i} has ${r.length} values for ${columns.length} columns`);
  });
  const pageSize = o.pageSize ?? 50;
  const sizes = [...new Set([25, 50, 200, 1000, pageSize])].sort((a, b) => a - b);
  const align = (c: TableColumn) => (c.type === 'number' ? 'num' : 'txt');
  const head = columns.map((c) => `<th scope="col" class="${align(c)}"${c.title ? ` title="${esc(c.title)}"` : ''}>${esc(c.label)}</th>`).join('');
  const filters = columns.map((c) => `<th><input class="itable-filter" type="search" aria-label="filter ${esc(c.label)}" placeholder="${c.type === 'number' ? '<0, 0..1' : 'filter'}"></th>`).join('');
  const data = { columns: columns.map((c) => ({ key: c.key, type: c.type ?? 'text', digits: c.digits, signed: c.signed })), rows };
  return `<style>${TABLE_CSS}</style>
<div class="itable" id="${o.id}" data-testid="itable-${o.id}" data-page-size="${pageSize}">
<div class="itable-bar"><input class="itable-search" type="search" placeholder="search all columns" aria-label="search all columns"><span class="itable-count"></span><button type="button" class="itable-csv" title="download the rows that pass the filters, in the current order">CSV</button></div>
<table>${o.caption ? `<caption>${esc(o.caption)}</caption>` : ''}<thead><tr class="itable-head">${head}</tr><tr class="itable-filters">${filters}</tr></thead><tbody></tbody></table>
<div class="itable-pages"><button type="button" class="itable-prev" aria-label="previous page">‹</button><span class="itable-page"></span><button type="button" class="itable-next" aria-label="next page">›</button><label>rows per page <select class="itable-size">${sizes.map((n) => `<option value="${n}"${n === pageSize ? ' selected' : ''}>${n}</option>`).join('')}<option value="0">all</option></select></label></div>
<script type="application/json" class="itable-data">${jsonScript(data)}</script>
</div>
<script type="module">
${pageScript('pageScripts/shared.js', 'pageScripts/table.js')}
</script>`;
}

/**
 * Every prediction row as an interactive table: the two ends ("—" where a site keeps its host
 * element), kind, distance, E_DS, and where the predictions carry them the 90 % interval,
 * P(E_DS < 0) and the applicability-domain flags.
 */
export function predictionTable(
  rows: readonly PredictionRow[],
  o: { id?: string; caption?: string; hosts?: Record<string, string>; pageSize?: number } = {},
): string {
  const sites = new Set(rows.flatMap((r) => [r.site_a, r.site_b]));
  const hosts = new Map([...sites].map((site) => [site, hostElement(site, rows, o.hosts)]));
  const host = (site: string) => hosts.get(site);
  const has = (k: keyof PredictionRow) => rows.some((r) => r[k] !== undefined);
  const columns: TableColumn[] = [
    { key: 'config', label: 'pair', type: 'number', digits: 0, title: 'configuration id of the pair enumeration' },
    { key: 'x', label: 'X on a', title: 'substitution on the first site ("—": keeps its host element)' },
    { key: 'y', label: 'Y on b', title: 'substitution on the second site ("—": keeps its host element)' },
    { key: 'kind', label: 'kind' },
    { key: 'distance', label: 'd (Å)', type: 'number', digits: 3, title: 'a–b distance' },
    { key: 'eds', label: 'E_DS (eV)', type: 'number', digits: 3, signed: true, title: 'predicted double-substitution energy per cell; blue: negative' },
  ];
  const extra: { col: TableColumn; get: (r: PredictionRow) => TableValue }[] = [];
  // Uncertainty one way everywhere: the 90 % interval (the sd stays in the CSV), and the probability "stabilising" is decided on.
  if (has('eds_lo')) extra.push({ col: { key: 'lo', label: '90 % low (eV)', type: 'number', digits: 3, signed: true }, get: (r) => r.eds_lo });
  if (has('eds_hi')) extra.push({ col: { key: 'hi', label: '90 % high (eV)', type: 'number', digits: 3, signed: true }, get: (r) => r.eds_hi });
  if (has('p_stabilising') || has('eds_sd')) {
    extra.push({ col: { key: 'p', label: 'P(E_DS < 0)', type: 'number', digits: 2, title: `probability of a negative E_DS under the predictive distribution; "stabilising" when ≥ ${STABILISING_PROBABILITY}` }, get: (r) => (r.p_stabilising ?? r.eds_sd) === undefined ? undefined : stabilisingProbability(r) });
  }
  if (has('domain')) extra.push({ col: { key: 'domain', label: 'domain distance', type: 'number', digits: 3, title: 'distance to the nearest training environment' }, get: (r) => r.domain });
  extra.push({
    col: { key: 'flags', label: 'flags', title: 'unseen: an element never in training; out of domain: beyond the applicability threshold' },
    get: (r) => [r.unseen ? 'unseen element' : '', r.out_of_domain ? 'out of domain' : ''].filter(Boolean).join(', '),
  });
  const body = rows.map((r) => [
    r.config,
    siteText(r.element_a, r.site_a, host(r.site_a)),
    siteText(r.element_b, r.site_b, host(r.site_b)),
    r.kind,
    r.distance,
    r.eds_pred,
    ...extra.map((e) => e.get(r)),
  ]);
  return interactiveTable([...columns, ...extra.map((e) => e.col)], body, { id: o.id ?? 'predictions', caption: o.caption, pageSize: o.pageSize });
}

/** The self-contained report page: figures inline (each with SVG/PNG download), tables, links to the viewers beside it. */
export function reportHtml(title: string, intro: string, sections: ReportSection[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:1em 2em;color:#222}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.8em 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child,td.txt{text-align:left}caption{text-align:left;font-weight:600;padding:.3em 0}
.fig{overflow-x:auto}.fig svg{max-width:100%;height:auto}.note{background:#fff8e1;border-left:4px solid #f0b400;padding:.5em 1em}
nav a{margin-right:1em}
${FIGURE_CSS}
</style></head><body>
<h1>${esc(title)}</h1>
<nav>${sections.map((s) => `<a href="#${s.id}">${esc(s.title)}</a>`).join('')}</nav>
${intro}
${hasIntervals(sections.map((s) => s.html)) ? uncertaintyToggle() : ''}
${sections.map((s) => `<section id="${s.id}"><h2>${esc(s.title)}</h2>\n${s.html}\n</section>`).join('\n')}
${figureToolsScript()}
</body></html>
`;
}
