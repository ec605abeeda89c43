// Code and data inlined into the self-contained pages (viewer, heatmap page, report): nothing in
// them may close or comment-escape their <script> element, and every page works from file://.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** JS text safe inside a <script> element: no "</script" and no "<!--" can survive. */
export function scriptSafe(src: string): string {
  return src.replace(/<\/(script)/gi, '\\x3C/$1').replace(/<!--/g, '\\x3C!--');
}

/** JSON for a <script type="application/json"> element: "<" escaped so no "</script>" can appear. */
export function jsonScript(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Page code from files beside this module (e.g. 'pageScripts/shared.js'), concatenated and script-safe. */
export function pageScript(...files: string[]): string {
  return scriptSafe(files.map((f) => readFileSync(join(here, f), 'utf8')).join('\n'));
}

/** The SVG/PNG download bar of every figure, as an inline script for any page holding figures. */
export function figureToolsScript(): string {
  return `<script>\n${pageScript('pageScripts/figureTools.js')}\n</script>`;
}
