/**
 * Space-group settings by Hermann–Mauguin symbol, Hall symbol or IT number,
 * with their symmetry operations — for CIF files that name a space group but
 * list no operations.
 *
 * The table is moyo's (the 530 Hall settings of spglib / International Tables
 * Vol. B, Table 3.3.3.1): `hall_symbol_entry` gives each setting's Hall symbol
 * and full Hermann–Mauguin symbol, `operations_from_number(…, HallNumber)` its
 * operations. It covers all 230 groups in every tabulated setting (origin
 * choices 1/2, hexagonal/rhombohedral axes, the monoclinic unique axes and cell
 * choices, the six orthorhombic axis permutations), so no table of our own is
 * needed. What moyo lacks is the spelling users write, which is added here:
 * short monoclinic symbols of each setting (`P 21/n`), `21` for `2_1`, the
 * pre-2002 glide letters for `e` (`C m c a` for `C m c e`), cubic `m3m` for
 * `m-3m`, and `:1`/`:2`/`:H`/`:R`/`:b1`… setting suffixes.
 */
import { hall_symbol_entry, operations_from_number, type MoyoHallSymbolEntry } from '@spglib/moyo-wasm';
import type { Lattice, Mat3, Vec3 } from './lattice.ts';
import type { Symop } from './symop.ts';
import { loadMoyo } from './moyo.ts';

export interface SpaceGroupSetting {
  hallNumber: number;
  /** International Tables number, 1–230. */
  number: number;
  /** moyo's setting code: '' (only one), '1'/'2' (origin choice), 'H'/'R' (axes), 'b1', '-c2', 'ba-c' … */
  setting: string;
  hallSymbol: string;
  /** Full Hermann–Mauguin symbol, with `:setting` where a symbol alone is ambiguous (origin choice, axes). */
  symbol: string;
  operations: Symop[];
}

const HALL_SETTINGS = 530;
let table: SpaceGroupSetting[] | undefined;
let byHermannMauguin: Map<string, number[]> | undefined;
let byVariant: Map<string, number[]> | undefined;
let byHall: Map<string, number> | undefined;

function isMonoclinic(n: number): boolean {
  return n >= 3 && n <= 15;
}

/** Key for comparing Hermann–Mauguin symbols: case, spaces and subscript underscores do not matter. */
function hmKey(symbol: string): string {
  return symbol.toLowerCase().replace(/[\s_]+/g, '');
}

function hallKey(symbol: string): string {
  return symbol.toLowerCase().replace(/_/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Short monoclinic symbol of one setting: the full symbol without its '1' axes (`P 1 2_1/n 1` → `P 2_1/n`). */
function shortMonoclinic(full: string): string {
  const parts = full.split(/\s+/);
  return [parts[0], ...parts.slice(1).filter((p) => p !== '1')].join(' ');
}

function toSymop(op: { rotation: number[]; translation: number[] }): Symop {
  // moyo flattens rotation matrices column by column, as in analyze_cell's dataset (read row-major,
  // 45 of the 530 operation sets are not closed under composition; read this way, all are)
  const r = op.rotation;
  return {
    rotation: [0, 1, 2].map((i) => [r[i], r[i + 3], r[i + 6]]) as Mat3,
    translation: [...op.translation] as Vec3,
  };
}

function build(): void {
  if (table) return;
  loadMoyo();
  table = [];
  byHermannMauguin = new Map();
  byVariant = new Map();
  byHall = new Map();
  const add = (map: Map<string, number[]>, key: string, hall: number) => {
    const list = map.get(key);
    if (!list) map.set(key, [hall]);
    else if (!list.includes(hall)) list.push(hall);
  };
  for (let h = 1; h <= HALL_SETTINGS; h++) {
    const e: MoyoHallSymbolEntry = hall_symbol_entry(h);
    const needsSuffix = /^[12HR]$/.test(e.setting);
    const operations = operations_from_number(e.number, { type: 'HallNumber', value: h }, false).map(toSymop);
    table.push({
      hallNumber: h,
      number: e.number,
      setting: e.setting,
      hallSymbol: e.hall_symbol,
      symbol: needsSuffix ? `${e.hm_full}:${e.setting}` : e.hm_full,
      operations,
    });
    byHall.set(hallKey(e.hall_symbol), h);
    // moyo's short symbol names the standard setting only for monoclinic groups; derive each setting's own.
    const names = isMonoclinic(e.number) ? [e.hm_full, shortMonoclinic(e.hm_full)] : [e.hm_full, e.hm_short];
    for (const name of names) add(byHermannMauguin, hmKey(name), h);
    // Spellings of older tables, kept apart so they never shadow a current symbol.
    for (const name of names) {
      const key = hmKey(name);
      if (e.number >= 195) add(byVariant, key.replace(/-3/g, '3'), h); // Fm3m, Ia3d
      if (/e/.test(key.slice(1))) for (const letter of ['a', 'b', 'c']) add(byVariant, key[0] + key.slice(1).replace(/e/g, letter), h); // Cmca, Ccca, Abm2
    }
  }
}

function settingsOf(halls: readonly number[]): SpaceGroupSetting[] {
  return halls.map((h) => table![h - 1]);
}

/** Every tabulated setting of space group `number` (1–230), lowest Hall number first; [] when out of range. */
export function settingsOfNumber(number: number): SpaceGroupSetting[] {
  build();
  return table!.filter((s) => s.number === number);
}

/** The setting with this Hall number (1–530). */
export function settingOfHallNumber(hallNumber: number): SpaceGroupSetting | undefined {
  build();
  return table![hallNumber - 1];
}

/** The setting of a Hall symbol as tabulated (`-P 2ybc`, `-F 4vw 2vw 3`); undefined when not in the table. */
export function settingFromHall(symbol: string): SpaceGroupSetting | undefined {
  build();
  const h = byHall!.get(hallKey(symbol));
  return h === undefined ? undefined : table![h - 1];
}

/**
 * The settings a Hermann–Mauguin symbol can mean: one when the symbol (with an
 * optional `:setting` suffix such as `:2`, `:H`, `:b1`) fixes it, several when
 * it does not (`F d -3 m`: origin choice 1 or 2; `R -3 m`: hexagonal or
 * rhombohedral axes; `P 21/a`: unique axis b or c); [] for an unknown symbol.
 */
export function settingsFromHermannMauguin(symbol: string): SpaceGroupSetting[] {
  build();
  let base = symbol.trim();
  let suffix: string | undefined;
  const colon = base.indexOf(':');
  if (colon >= 0) {
    suffix = base.slice(colon + 1).trim();
    base = base.slice(0, colon);
  } else {
    const axes = /^(R.*\S)\s+([HR])$/i.exec(base); // 'R -3 m H'
    if (axes) [base, suffix] = [axes[1], axes[2]];
  }
  const key = hmKey(base);
  if (key === '') return [];
  let halls = byHermannMauguin!.get(key);
  if (!halls) {
    const variants = byVariant!.get(key);
    // an old spelling counts only when it names one space group
    if (variants && new Set(variants.map((h) => table![h - 1].number)).size === 1) halls = variants;
  }
  if (!halls) return [];
  let found = settingsOf(halls);
  if (suffix !== undefined && suffix !== '') {
    const want = suffix.toLowerCase().replace(/\s+/g, '');
    const origin = /^(?:origin)?([12])$/.exec(want);
    found = found.filter((s) => s.setting.toLowerCase() === want || (origin !== null && s.setting === origin[1]));
  }
  return found;
}

/**
 * Whether a setting fits the cell: a monoclinic setting needs its unique axis's
 * angle to be the one that differs from 90° (when any does), rhombohedral axes
 * need a = b = c and α = β = γ, hexagonal axes of an R group need a = b and γ = 120°.
 */
export function settingFitsCell(setting: SpaceGroupSetting, lattice: Lattice): boolean {
  const { a, b, c, alpha, beta, gamma } = lattice.parameters;
  const same = (x: number, y: number) => Math.abs(x - y) <= 1e-3 * Math.max(x, y);
  const angle = (x: number, y: number) => Math.abs(x - y) <= 0.05;
  if (isMonoclinic(setting.number)) {
    const axis = setting.setting.replace(/^-/, '').charAt(0);
    const off = { a: !angle(alpha, 90), b: !angle(beta, 90), c: !angle(gamma, 90) };
    if (!off.a && !off.b && !off.c) return true;
    return off[axis as 'a' | 'b' | 'c'] ?? true;
  }
  if (setting.setting === 'R') return same(a, b) && same(b, c) && angle(alpha, beta) && angle(beta, gamma);
  if (setting.setting === 'H') return same(a, b) && angle(alpha, 90) && angle(beta, 90) && angle(gamma, 120);
  return true;
}
