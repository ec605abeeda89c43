// Types of shared.js (plain JavaScript so that the pages can inline the same code).

export function formatNumber(v: number | null | undefined, digits?: number, ascii?: boolean): string;
export function escapeXml(s: string | number): string;
export function parseCode(code: string): { base: string; sup: string }[];
export function codeHtml(code: string): string;

export function siteText(element: string, site: string, host: string | undefined): string;
export function substitutionText(x: string, siteA: string, y: string, siteB: string, hostA: string | undefined, hostB: string | undefined): string;

export const GREEK_LETTERS: Record<string, string>;
export function fileStem(title: string, fallback?: string, max?: number): string;
export function intervalText(lo: number, hi: number, digits?: number): string;
