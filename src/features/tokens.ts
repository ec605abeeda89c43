/**
 * A substitution as a sequence of tokens, for sequence models (L-G-DCNN, MHAR on
 * real tokens) and their figures: the substituted centre of each site, then the
 * atoms of its AET (or CENN) shell ordered by distance, in the substituted cell.
 *
 *   token = [standardised properties p(element) … , w = r^m, r (Å), side (0 = A, 1 = B),
 *            is centre, is partner, element index Z, mask]
 *
 * Properties are z-scores over the elements Z ≤ 94 (so every column is on one
 * scale whichever property it is); the centre has r = 0 and w = 1. "partner" marks
 * the other substituted centre (or its image) seen inside this centre's shell.
 * The sequence has a fixed length (each centre's segment padded to maxShell + 1
 * tokens, mask 0, all other columns 0) so it travels through the Regressor
 * interface as one flat row; `TokenLayout` tells a model how to fold it back.
 *
 * This module depends on no other feature module (ce.ts calls it), so the site
 * it reads is a structural type.
 */
import { elementSymbols, IMPUTATION_Z_MAX, element, propertyMatrix } from './elements.ts';
import { InputError } from '../util/errors.ts';

/** Longest shell a token segment holds by default: Frank–Kasper CN16 with room for fallback shells. */
export const DEFAULT_MAX_SHELL = 24;

/** The token columns after the properties, in order. */
export const TOKEN_EXTRA_COLUMNS = ['w', 'r', 'side', 'centre', 'partner', 'Z', 'mask'] as const;

export interface TokenLayout {
  /** Tokens per row (segments × segmentLength). */
  tokens: number;
  /** Columns per token. */
  width: number;
  /** Segments: 2 for a substitution (centre A, centre B), 1 for a single site. */
  segments: number;
  /** maxShell + 1: the centre and its shell. */
  segmentLength: number;
  /** Column names of one token (properties, then TOKEN_EXTRA_COLUMNS). */
  columns: string[];
  /** Number of leading property columns. */
  properties: number;
  elementColumn: number;
  maskColumn: number;
  /** Largest element index + 1 (embedding table rows; 0 = padding). */
  vocabulary: number;
}

/** What a token sequence reads of a site (CeFeaturizer's SiteDescriptor fits it). */
export interface TokenSite {
  atom: number;
  label: string;
  host: string;
  shell: readonly { index: number; distance: number }[];
  weights: readonly number[];
}

export function tokenLayout(properties: readonly string[], segments: 1 | 2, maxShell = DEFAULT_MAX_SHELL): TokenLayout {
  const columns = [...properties, ...TOKEN_EXTRA_COLUMNS];
  const segmentLength = maxShell + 1;
  return {
    tokens: segments * segmentLength,
    width: columns.length,
    segments,
    segmentLength,
    columns,
    properties: properties.length,
    elementColumn: properties.length + TOKEN_EXTRA_COLUMNS.indexOf('Z'),
    maskColumn: properties.length + TOKEN_EXTRA_COLUMNS.indexOf('mask'),
    vocabulary: elementSymbols().length + 1,
  };
}

/** Flat feature names: `A00_EN` … `B24_mask` (segment letter, position, column). */
export function tokenFeatureNames(layout: TokenLayout): string[] {
  const out: string[] = [];
  for (let s = 0; s < layout.segments; s++)
    for (let t = 0; t < layout.segmentLength; t++) for (const c of layout.columns) out.push(`${'AB'[s]}${String(t).padStart(2, '0')}_${c}`);
  return out;
}

/** Mean and standard deviation of each property over the elements Z ≤ 94 (median-imputed, as the CE vectors). */
const scales = new Map<string, { mean: number; sd: number }>();
function propertyScale(code: string): { mean: number; sd: number } {
  let s = scales.get(code);
  if (!s) {
    const symbols = elementSymbols().filter((e) => element(e).Z <= IMPUTATION_Z_MAX);
    const v = propertyMatrix(symbols, [code]).map((r) => r[0]);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) || 1;
    scales.set(code, (s = { mean, sd }));
  }
  return s;
}

/** Standardised property vector of an element (z-scores over Z ≤ 94). */
const standardised = new Map<string, number[]>();
export function standardisedProperties(symbol: string, properties: readonly string[]): number[] {
  const key = `${symbol}:${properties.join(',')}`;
  let v = standardised.get(key);
  if (!v) {
    const raw = propertyMatrix([symbol], properties)[0];
    standardised.set(key, (v = raw.map((x, q) => (x - propertyScale(properties[q]).mean) / propertyScale(properties[q]).sd)));
  }
  return v;
}

/** One centre and its shell as they are encoded: for the tokens and their labels. */
interface SegmentAtom {
  element: string;
  distance: number;
  weight: number;
  centre: boolean;
  partner: boolean;
}

/**
 * The atoms of one segment in token order: the centre, then the shell by distance
 * (ties: the partner first, then by element, so equal keys mean equal tokens and
 * symmetry-equivalent substitutions give identical sequences).
 */
export function segmentAtoms(site: TokenSite, element: string, partner: number | null, occupant: (k: number) => string): SegmentAtom[] {
  const shell = site.shell.map((n, k) => ({
    element: occupant(n.index),
    distance: n.distance,
    weight: site.weights[k],
    centre: false,
    partner: partner !== null && n.index === partner,
  }));
  const r = (x: number) => Math.round(x * 1e4);
  shell.sort((p, q) => r(p.distance) - r(q.distance) || Number(q.partner) - Number(p.partner) || p.element.localeCompare(q.element));
  return [{ element, distance: 0, weight: 1, centre: true, partner: false }, ...shell];
}

/** Flat token row of the given segments (each a centre with its shell), padded to the layout. */
export function encodeSegments(layout: TokenLayout, properties: readonly string[], segments: { site: TokenSite; atoms: SegmentAtom[] }[]): number[] {
  const out = new Array<number>(layout.tokens * layout.width).fill(0);
  segments.forEach((seg, s) => {
    if (seg.atoms.length > layout.segmentLength) {
      throw new InputError(`site ${seg.site.label}: its shell has ${seg.atoms.length - 1} atoms, more than the token sequence holds (maxShell ${layout.segmentLength - 1})`);
    }
    seg.atoms.forEach((a, t) => {
      const base = (s * layout.segmentLength + t) * layout.width;
      const p = standardisedProperties(a.element, properties);
      for (let q = 0; q < p.length; q++) out[base + q] = p[q];
      const P = layout.properties;
      out[base + P] = a.weight;
      out[base + P + 1] = a.distance;
      out[base + P + 2] = s;
      out[base + P + 3] = a.centre ? 1 : 0;
      out[base + P + 4] = a.partner ? 1 : 0;
      out[base + P + 5] = element(a.element).Z;
      out[base + P + 6] = 1;
    });
  });
  return out;
}

/** Labels of the real tokens: `Ti@NbI` for a centre, `Si 2.58 Å (A)` for a shell atom (`*` = the partner). */
export function segmentLabels(segments: { site: TokenSite; atoms: SegmentAtom[] }[]): string[] {
  return segments.flatMap((seg, s) =>
    seg.atoms.map((a) => (a.centre ? `${a.element}@${seg.site.label}` : `${a.element}${a.partner ? '*' : ''} ${a.distance.toFixed(2)} Å (${'AB'[s]})`)),
  );
}

/** The real tokens of a flat row: [segment, position, element Z] for every masked-in token. */
export function realTokens(layout: TokenLayout, row: readonly number[]): { segment: number; position: number; Z: number; offset: number }[] {
  const out: { segment: number; position: number; Z: number; offset: number }[] = [];
  for (let t = 0; t < layout.tokens; t++) {
    const base = t * layout.width;
    if (row[base + layout.maskColumn] !== 1) continue;
    out.push({ segment: Math.floor(t / layout.segmentLength), position: t % layout.segmentLength, Z: row[base + layout.elementColumn], offset: base });
  }
  return out;
}

/** Element symbol of an element index (Z). */
export function elementOfIndex(Z: number): string {
  const s = elementSymbols()[Z - 1];
  if (!s) throw new RangeError(`no element with index ${Z}`);
  return s;
}
