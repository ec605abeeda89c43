// Types of cellText.js (plain JavaScript so that the viewer page can inline the same code).

export interface CellText {
  title: string;
  lattice: { a: number; b: number; c: number; alpha: number; beta: number; gamma: number; volume: number };
  /** Rows a, b, c in Å. */
  matrix: readonly (readonly [number, number, number])[];
  sites: readonly { element: string; label: string; frac: readonly [number, number, number] }[];
}
export function cifText(cell: Omit<CellText, 'matrix'>): string;
export function poscarText(cell: Omit<CellText, 'lattice'>): string;

