/**
 * Elementary property table (elements/elements.json, built by scripts/build-elements.py).
 *
 * Every element Z = 1..103 carries the same numeric property codes (PN, EN, BM, EC, ...);
 * a value the sources do not give is null, never 0. Feature matrices fill such gaps with
 * the median of that property over the elements Z <= 94 that have it (see elements/README.md).
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../util/errors.ts';

export interface PropertyInfo {
  /** Short code used in feature names, e.g. "EC" -> EC_C, EC_E. */
  code: string;
  name: string;
  unit: string;
  source: string;
}

export interface ElementRecord {
  symbol: string;
  name: string;
  Z: number;
  values: Readonly<Record<string, number | null>>;
}

export interface ElementTable {
  properties: readonly PropertyInfo[];
  /** Keyed by symbol, in order of Z. */
  elements: ReadonlyMap<string, ElementRecord>;
  /** Median of each property over the elements Z <= 94 that have a value (the imputation value). */
  medians: ReadonlyMap<string, number>;
}

/** Imputation uses naturally occurring elements only, so sparse transuranium data cannot skew it. */
export const IMPUTATION_Z_MAX = 94;

/** The alloying elements screened first (Nb and Si are also the hosts of Nb5Si3). */
export const ALLOYING_ELEMENTS: readonly string[] = [
  'B', 'Al', 'Si', 'Ti', 'V', 'Cr', 'Fe', 'Co', 'Ni', 'Y', 'Zr', 'Nb', 'Mo', 'Hf',
];

/**
 * Default Center-Environment properties: complete (no null) for ALLOYING_ELEMENTS, and spanning
 * position in the table, size, electronic structure, bonding/cohesion, thermal, elastic and
 * nuclear behaviour. MR, SM, YM, PR and ER are left out because B and/or Si have no value.
 */
export const DEFAULT_FEATURE_PROPERTIES: string[] = [
  // periodic-table position and mass
  'PN', 'GN', 'MN', 'AM',
  // size
  'AR', 'CR', 'VR',
  // valence electrons
  'SV', 'PV', 'DV', 'TV', 'DU',
  // electronegativity, ionisation, electron affinity, work function, Miedema parameters
  'EN', 'IE', 'EA', 'WF', 'PHI', 'NWS', 'V23',
  // condensed phase: density, volume, phase change, cohesion
  'DE', 'MV', 'MP', 'BP', 'HF', 'HV', 'EC',
  // elastic, thermal, nuclear
  'BM', 'TC', 'TE', 'TN',
];

const TABLE_URL = new URL('../../elements/elements.json', import.meta.url);
let cache: ElementTable | undefined;

interface RawTable {
  properties: PropertyInfo[];
  elements: Record<string, Record<string, number | string | null>>;
}

/** Reads and validates elements/elements.json once; later calls return the cached table. */
export function loadElements(): ElementTable {
  if (cache) return cache;
  const raw = JSON.parse(readFileSync(TABLE_URL, 'utf8')) as RawTable;
  const codes = raw.properties.map((p) => p.code);
  const elements = new Map<string, ElementRecord>();
  for (const [symbol, rec] of Object.entries(raw.elements)) {
    const values: Record<string, number | null> = {};
    for (const code of codes) {
      const v = rec[code];
      // A malformed table is a bug in the build, not a user error.
      if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) {
        throw new Error(`elements.json: ${symbol}.${code} is ${JSON.stringify(v)}, expected a number or null`);
      }
      values[code] = v;
    }
    const Z = values.Z;
    if (Z === null || Z === undefined) throw new Error(`elements.json: ${symbol} has no atomic number`);
    elements.set(symbol, { symbol, name: String(rec.name ?? symbol), Z, values: Object.freeze(values) });
  }
  const ordered = new Map([...elements].sort((a, b) => a[1].Z - b[1].Z));
  const medians = new Map<string, number>();
  for (const code of codes) {
    const have = [...ordered.values()]
      .filter((e) => e.Z <= IMPUTATION_Z_MAX)
      .map((e) => e.values[code])
      .filter((v): v is number => v !== null);
    if (have.length > 0) medians.set(code, median(have));
  }
  cache = { properties: Object.freeze(raw.properties.map((p) => Object.freeze({ ...p }))), elements: ordered, medians };
  return cache;
}

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** All property codes, in table order. */
export function propertyCodes(): string[] {
  return loadElements().properties.map((p) => p.code);
}

/** Name, unit and source of a property code. */
export function propertyInfo(code: string): PropertyInfo {
  const info = loadElements().properties.find((p) => p.code === code);
  if (!info) throw new InputError(`unknown element property '${code}' (known: ${propertyCodes().join(', ')})`);
  return info;
}

/** Symbols of all tabulated elements, in order of Z. */
export function elementSymbols(): string[] {
  return [...loadElements().elements.keys()];
}

/** "nb", "NB" and "Nb" all name niobium; anything else is returned unchanged. */
function canonical(symbol: string): string {
  const s = symbol.trim();
  return s.length ? s[0].toUpperCase() + s.slice(1).toLowerCase() : s;
}

export function hasElement(symbol: string): boolean {
  return loadElements().elements.has(canonical(symbol));
}

/** The record of an element; unknown symbols are a user error. */
export function element(symbol: string): ElementRecord {
  const rec = loadElements().elements.get(canonical(symbol));
  if (!rec) throw new InputError(`unknown element '${symbol}' (the property table covers Z = 1..${elementSymbols().length})`);
  return rec;
}

/** Tabulated value of one property, or null where the sources give none. */
export function property(symbol: string, code: string): number | null {
  const rec = element(symbol);
  if (!(code in rec.values)) propertyInfo(code); // throws the InputError naming the code
  return rec.values[code];
}

/** The value used in place of a null: the median over elements Z <= 94 that have the property. */
export function propertyMedian(code: string): number {
  propertyInfo(code);
  const m = loadElements().medians.get(code);
  if (m === undefined) throw new Error(`property ${code} has no value for any element Z <= ${IMPUTATION_Z_MAX}`);
  return m;
}

export interface MatrixOptions {
  /** 'median': fill nulls with propertyMedian(code); 'error': a null is an InputError. */
  impute: 'median' | 'error';
  /** Told about every imputed cell, e.g. to warn the user or count them. */
  onImpute?: (symbol: string, code: string, value: number) => void;
}

/** Row i = element symbols[i], column j = property codes[j]; no nulls in the result. */
export function propertyMatrix(
  symbols: readonly string[],
  codes: readonly string[],
  options: MatrixOptions = { impute: 'median' },
): number[][] {
  for (const code of codes) propertyInfo(code);
  return symbols.map((symbol) => {
    const rec = element(symbol);
    return codes.map((code) => {
      const v = rec.values[code];
      if (v !== null) return v;
      if (options.impute === 'error') {
        throw new InputError(`element ${rec.symbol} has no value for property ${code} (${propertyInfo(code).name})`);
      }
      const m = propertyMedian(code);
      options.onImpute?.(rec.symbol, code, m);
      return m;
    });
  });
}
