// Types of shared.js (plain JavaScript so that the pages can inline the same code).

export function formatNumber(v: number | null | undefined, digits?: number, ascii?: boolean): string;
export function escapeXml(s: string | number): string;
export function parseCode(code: string): { base: string; sup: string }[];
export function codeHtml(code: string): string;

export interface CellText {
  title: string;
  lattice: { a: number; b: number; c: number; alpha: number; beta: number; gamma: number; volume: number };
  /** Rows a, b, c in Å. */
  matrix: readonly (readonly [number, number, number])[];
  sites: readonly { element: string; label: string; frac: readonly [number, number, number] }[];
}
export function cifText(cell: Omit<CellText, 'matrix'>): string;
export function poscarText(cell: Omit<CellText, 'lattice'>): string;

export function siteText(element: string, site: string, host: string | undefined): string;
export function substitutionText(x: string, siteA: string, y: string, siteB: string, hostA: string | undefined, hostB: string | undefined): string;
