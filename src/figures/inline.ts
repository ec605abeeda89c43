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

/**
 * Page code from files beside this module (e.g. 'pageScripts/shared.js'), concatenated into one
 * module script and script-safe. A file may import (for the type checker) from a file placed
 * before it: the concatenation already holds those names, so the import line is dropped. Any
 * other import could not load from a file:// page and is refused.
 */
export function pageScript(...files: string[]): string {
  const paths = files.map((f) => join(here, f));
  return scriptSafe(
    paths
      .map((path, k) =>
        readFileSync(path, 'utf8').replace(/^import\s[^;]*?from\s*['"]([^'"]+)['"];?[ \t]*$/gm, (line, spec: string) => {
          if (!spec.startsWith('.') || !paths.slice(0, k).includes(join(dirname(path), spec))) {
            throw new Error(`${files[k]}: '${line}' imports what is not inlined before it (${files.slice(0, k).join(', ') || 'nothing'})`);
          }
          return '';
        }),
      )
      .join('\n'),
  );
}

/** The SVG/PNG download bar of every figure, as an inline script for any page holding figures. */
export function figureToolsScript(): string {
  return `<script>\n${pageScript('pageScripts/figureTools.js')}\n</script>`;
}
