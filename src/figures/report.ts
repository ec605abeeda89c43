import { esc } from './svg.ts';

/** A section of the report: HTML body (tables, inline SVG, links). */
export interface ReportSection {
  id: string;
  title: string;
  html: string;
}

export function htmlTable(header: string[], rows: (string | number)[][], caption?: string): string {
  const cell = (v: string | number) => `<td>${esc(String(v))}</td>`;
  return (
    `<table>${caption ? `<caption>${esc(caption)}</caption>` : ''}<thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table>`
  );
}

/** The self-contained report page: figures inline, tables, links to the viewers beside it. */
export function reportHtml(title: string, intro: string, sections: ReportSection[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:1em 2em;color:#222}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.8em 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}caption{text-align:left;font-weight:600;padding:.3em 0}
.fig{overflow-x:auto}.note{background:#fff8e1;border-left:4px solid #f0b400;padding:.5em 1em}
nav a{margin-right:1em}
</style></head><body>
<h1>${esc(title)}</h1>
<nav>${sections.map((s) => `<a href="#${s.id}">${esc(s.title)}</a>`).join('')}</nav>
${intro}
${sections.map((s) => `<section id="${s.id}"><h2>${esc(s.title)}</h2>\n${s.html}\n</section>`).join('\n')}
</body></html>
`;
}
