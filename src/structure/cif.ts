/**
 * CIF 1.1 reader and P1 writer.
 *
 * Why not the installed `crystcif-parse` (0.2.9)? Checked against what cescreen
 * needs and it falls short:
 *  - parsed data items carry no line numbers, so errors could not point at the
 *    offending line; its own syntax errors are plain `Error`s with the line only
 *    inside the message text;
 *  - its symmetry-operation parser silently drops decimal translations
 *    (`z+0.25` becomes `z`) and accepts garbage (`foo, bar, baz` parses as an
 *    operation), which would give wrong structures without a word;
 *  - a repeated tag silently overwrites the earlier one, and it pulls in mathjs.
 * The syntax lives in cifSyntax.ts (a streaming tokenizer that keeps the line of
 * every value); this file turns a data block into a crystal: cell, symmetry
 * operations (from the file, or built from its space-group symbol), elements
 * (checked against `_chemical_formula_sum`), the expanded atoms. Every problem
 * a user can fix is an InputError with file, line and what was expected; what
 * is tolerated is reported in `warnings`.
 */
import { cifText } from './cellText.js';
import { Lattice, type Vec3, cellShapeProblem, norm, wrapFrac } from './lattice.ts';
import { Structure, type Site, elementCounts } from './structure.ts';
import { IDENTITY, type Symop, applySymop, parseSymop } from './symop.ts';
import { type Block, CifSyntaxParser, type Loop, type Token, isMissing, normaliseTag } from './cifSyntax.ts';
import { formulaCounts, formulaElements, matchesFormula, readElement } from './elementLabels.ts';
import { type SpaceGroupSetting, settingFitsCell, settingFromHall, settingsFromHermannMauguin, settingsOfNumber } from './spaceGroups.ts';
import { type LineVisitor, visitLinesOfFile, visitLinesOfText } from './lineReader.ts';
import { MAX_CELL_LENGTH, MAX_STRUCTURE_ATOMS, MAX_SYMMETRY_OPERATIONS } from '../util/limits.ts';
import { InputError } from '../util/errors.ts';

export interface CifOptions {
  /** File name for error messages. */
  file?: string;
  /** Data block to read (case-insensitive); default: the first block with atoms. */
  block?: string;
  /** Atoms closer than this (Å, periodic) after applying symmetry are one atom. Default 0.01. */
  mergeTolerance?: number;
  /** Refuse a cell with more atoms than this (default MAX_STRUCTURE_ATOMS). */
  maxAtoms?: number;
}

/** One row of the atom-site loop before symmetry is applied. */
export interface AsymmetricSite {
  label: string;
  element: string;
  frac: Vec3;
  /** How many atoms of the cell this site produced. */
  multiplicity: number;
  /** Line of the row in the file. */
  line: number;
}

export interface CifDetailed {
  structure: Structure;
  /** The symmetry operations applied: the file's, or those of its space-group symbol (identity only for P1). */
  operations: Symop[];
  /** Where the operations came from: the file's operation loop, its space-group symbol/number, or neither (P1). */
  operationsFrom: 'file' | 'symbol' | 'none';
  block: string;
  spaceGroup: SpaceGroupInfo;
  asymmetricUnit: AsymmetricSite[];
  /** What was tolerated or guessed (duplicated tags, labels read as elements, …), one sentence each with its line. */
  warnings: string[];
}

/** What the file says about its space group. */
export interface SpaceGroupInfo {
  name?: string;
  hall?: string;
  number?: number;
  /** The tabulated setting the operations were built from, when the file lists none. */
  setting?: { hallNumber: number; symbol: string; number: number };
}

export const DEFAULT_MERGE_TOLERANCE = 0.01;
const MAX_FRACTIONAL = 1000;

/** Tags this reader interprets: only loops holding one of them are stored. */
function usesTag(tag: string): boolean {
  if (tag.startsWith('_atom_site_')) return !tag.startsWith('_atom_site_aniso_');
  return tag.startsWith('_cell_') || tag.startsWith('_space_group_') || tag.startsWith('_symmetry_') || tag === '_chemical_formula_sum';
}

const ATOM_TAGS = ['_atom_site_fract_x', '_atom_site_label', '_atom_site_type_symbol', '_atom_site_cartn_x'];

function isAtomLoop(loop: Loop): boolean {
  return ATOM_TAGS.some((t) => loop.has(t));
}

/**
 * A loop seen as a table; scalar `_category_*` items act as a one-row table (CIF
 * allows a single atom or operation to be written without loop_).
 */
interface Table {
  line: number;
  rows: number;
  has(tag: string): boolean;
  get(tag: string, row: number): Token | undefined;
}

function tableWith(block: Block, tag: string): Table | undefined {
  const loop = block.loops.find((l) => l.has(tag));
  if (loop) return { line: loop.line, rows: loop.rows, has: (t) => loop.has(t), get: (t, r) => loop.get(t, r) };
  const item = block.scalars.get(tag);
  if (!item) return undefined;
  return {
    line: item.tag.line,
    rows: 1,
    has: (t) => block.scalars.has(t),
    get: (t) => block.scalars.get(t)?.value,
  };
}

/** A single value, whether written as a scalar or as a one-row loop. */
function scalar(block: Block, tag: string): Token | undefined {
  const s = block.scalars.get(tag);
  if (s) return s.value;
  const loop = block.loops.find((l) => l.has(tag));
  return loop && loop.rows === 1 ? loop.get(tag, 0) : undefined;
}

function tagLine(block: Block, tag: string): number {
  return block.scalars.get(tag)?.tag.line ?? block.loops.find((l) => l.has(tag))?.line ?? block.line;
}

/** The first of `tags` present with a value (scalar or one-row loop), with the tag that gave it. */
function firstScalar(block: Block, tags: readonly string[]): { tag: string; value: Token } | undefined {
  for (const tag of tags) {
    const t = scalar(block, tag);
    if (!isMissing(t)) return { tag: block.scalars.get(tag)?.tag.text ?? tag, value: t! };
  }
  return undefined;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?:\(\d+\))?$/;

/** CIF number with an optional standard uncertainty: `0.1234(5)` → 0.1234; undefined when not a number. */
export function cifNumber(text: string): number | undefined {
  const s = text.trim();
  if (!NUMBER.test(s)) return undefined;
  const v = Number(s.replace(/\(\d+\)$/, ''));
  return Number.isFinite(v) ? v : undefined;
}

function hasAtoms(block: Block): boolean {
  return ATOM_TAGS.some((t) => block.scalars.has(t) || block.loops.some((l) => l.has(t)));
}

// ---------------------------------------------------------------- syntax

/** Collects warnings once each (a label on 40 rows is one warning). */
class Warnings {
  private readonly seen = new Set<string>();
  readonly list: string[] = [];
  add = (message: string): void => {
    if (this.seen.has(message)) return;
    this.seen.add(message);
    this.list.push(message);
  };
}

function parseBlocks(feed: (visit: LineVisitor) => void, opts: CifOptions, warnings: Warnings): Block[] {
  const maxAtoms = opts.maxAtoms ?? MAX_STRUCTURE_ATOMS;
  const parser = new CifSyntaxParser({
    file: opts.file,
    uses: usesTag,
    warn: warnings.add,
    // An atom or operation list longer than its limit is refused as soon as it is read: the rest of the file never is.
    onRow: (loop, line) => {
      if (loop.rows > maxAtoms && isAtomLoop(loop)) {
        throw new InputError(`the atom list has more than ${maxAtoms} rows: the structure is refused (cescreen reads up to ${maxAtoms} atoms; see README, Known limits)`, { file: opts.file, line });
      }
      if (loop.rows > MAX_SYMMETRY_OPERATIONS && SYMOP_TAGS.some((t) => loop.has(t))) {
        throw new InputError(`the symmetry-operation list has more than ${MAX_SYMMETRY_OPERATIONS} rows, more than any space group has: the structure is refused (see README, Known limits)`, { file: opts.file, line });
      }
    },
  });
  feed((text, n) => parser.line(text, n));
  return parser.end();
}

// ---------------------------------------------------------------- interpretation

/** Names of the data blocks in file order. */
export function listBlocks(text: string, opts: { file?: string } = {}): string[] {
  return parseBlocks((visit) => visitLinesOfText(text, visit, opts.file), opts, new Warnings()).map((b) => b.name);
}

function pickBlock(blocks: Block[], opts: CifOptions): Block {
  const names = blocks.map((b) => b.name).join(', ');
  if (opts.block !== undefined) {
    const b = blocks.find((x) => x.name.toLowerCase() === opts.block!.toLowerCase());
    if (!b) throw new InputError(`no data block '${opts.block}' in the file; available: ${names}`, { file: opts.file, line: 1 });
    if (!hasAtoms(b)) {
      const withAtoms = blocks.filter(hasAtoms).map((x) => x.name).join(', ') || 'none';
      throw new InputError(`data block '${b.name}' has no atoms (no _atom_site_ loop); blocks with atoms: ${withAtoms}`, { file: opts.file, line: b.line });
    }
    return b;
  }
  const b = blocks.find(hasAtoms);
  if (!b) throw new InputError(`no data block with atoms (_atom_site_ loop) in the file; blocks: ${names}`, { file: opts.file, line: blocks[0].line });
  return b;
}

const CELL_TAGS = [
  ['_cell_length_a', 'cell length a in Å'],
  ['_cell_length_b', 'cell length b in Å'],
  ['_cell_length_c', 'cell length c in Å'],
  ['_cell_angle_alpha', 'cell angle alpha in degrees'],
  ['_cell_angle_beta', 'cell angle beta in degrees'],
  ['_cell_angle_gamma', 'cell angle gamma in degrees'],
] as const;

function readLattice(block: Block, file?: string): Lattice {
  const p: number[] = [];
  for (const [tag, what] of CELL_TAGS) {
    const t = scalar(block, tag);
    if (isMissing(t)) {
      throw new InputError(`missing ${tag} in data block '${block.name}' (expected the ${what})`, { file, line: t ? t.line : block.line });
    }
    const v = cifNumber(t!.text);
    if (v === undefined) throw new InputError(`${tag} is '${t!.text}', expected a number (the ${what})`, { file, line: t!.line });
    const isAngle = tag.includes('angle');
    if (isAngle ? !(v > 0 && v < 180) : !(v > 0)) {
      throw new InputError(`${tag} = ${v} is impossible (expected ${isAngle ? 'an angle between 0 and 180 degrees' : 'a positive length'})`, { file, line: t!.line });
    }
    p.push(v);
  }
  const line = tagLine(block, '_cell_length_a');
  let lattice: Lattice;
  try {
    lattice = Lattice.fromParameters(p[0], p[1], p[2], p[3], p[4], p[5]);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new InputError(`cell a=${p[0]} b=${p[1]} c=${p[2]} alpha=${p[3]} beta=${p[4]} gamma=${p[5]} has zero or negative volume (the three angles cannot close a cell)`, { file, line });
  }
  const finite = lattice.matrix.flat().concat(lattice.inverse.flat()).every(Number.isFinite);
  if (!finite || !Number.isFinite(lattice.volume)) throw new InputError(`cell a=${p[0]} b=${p[1]} c=${p[2]} is out of range (volume is not a finite number)`, { file, line });
  const flat = cellShapeProblem(lattice, MAX_CELL_LENGTH);
  if (flat) throw new InputError(`cell a=${p[0]} b=${p[1]} c=${p[2]} alpha=${p[3]} beta=${p[4]} gamma=${p[5]}: ${flat}`, { file, line });
  return lattice;
}

const SYMOP_TAGS = ['_space_group_symop_operation_xyz', '_symmetry_equiv_pos_as_xyz'];
/** Hermann–Mauguin tags in order of trust: the CIF core's current names first, `_ref` (the reference setting) last. */
const HM_TAGS = ['_space_group_name_h-m_alt', '_symmetry_space_group_name_h-m', '_space_group_name_h-m_full', '_space_group_name_h-m', '_space_group_name_h-m_ref'];
const HALL_TAGS = ['_space_group_name_hall', '_symmetry_space_group_name_hall'];
const NUMBER_TAGS = ['_space_group_it_number', '_symmetry_int_tables_number'];

function readSpaceGroup(block: Block): SpaceGroupInfo & { tags: { name?: string; hall?: string; number?: string } } {
  const out: SpaceGroupInfo & { tags: { name?: string; hall?: string; number?: string } } = { tags: {} };
  const name = firstScalar(block, HM_TAGS);
  if (name) [out.name, out.tags.name] = [name.value.text.trim(), name.tag];
  const hall = firstScalar(block, HALL_TAGS);
  if (hall) [out.hall, out.tags.hall] = [hall.value.text.trim(), hall.tag];
  for (const tag of NUMBER_TAGS) {
    const t = scalar(block, tag);
    const v = t ? cifNumber(t.text) : undefined;
    if (v !== undefined) {
      [out.number, out.tags.number] = [v, block.scalars.get(tag)?.tag.text ?? tag];
      break;
    }
  }
  return out;
}

function isP1Name(name?: string): boolean {
  return name === undefined || name.replace(/[\s_]/g, '').toUpperCase() === 'P1';
}

/** The file's operation loop, or undefined when it has none. */
function operationsFromFile(block: Block, file?: string): Symop[] | undefined {
  for (const tag of SYMOP_TAGS) {
    const table = tableWith(block, tag);
    if (!table) continue;
    const ops: Symop[] = [];
    for (let r = 0; r < table.rows; r++) {
      const t = table.get(tag, r)!;
      if (isMissing(t)) throw new InputError(`${tag} has a missing value '${t.text}' (expected an operation like 'x, y, z')`, { file, line: t.line });
      ops.push(parseSymop(t.text, { file, line: t.line }));
    }
    return ops;
  }
  return undefined;
}

interface SymbolSettings {
  settings: SpaceGroupSetting[];
  /** Which tag named the group, for messages. */
  from: string;
}

/**
 * The settings the file's space-group names allow, most specific name first:
 * a tabulated Hall symbol fixes the setting; a Hermann–Mauguin symbol may
 * leave the origin choice, the axes of an R group or a monoclinic unique axis
 * open; an IT number alone leaves every setting of the group. Settings that do
 * not fit the cell are dropped. Undefined when the file names nothing usable.
 */
function settingsFromNames(block: Block, sg: ReturnType<typeof readSpaceGroup>, lattice: Lattice, file?: string): SymbolSettings | undefined {
  const fit = (list: SpaceGroupSetting[]) => {
    const fitting = list.filter((s) => settingFitsCell(s, lattice));
    return fitting.length > 0 ? fitting : list;
  };
  if (sg.hall !== undefined) {
    const s = settingFromHall(sg.hall);
    if (s) return { settings: [s], from: `${sg.tags.hall} '${sg.hall}'` };
  }
  if (sg.name !== undefined) {
    const list = settingsFromHermannMauguin(sg.name);
    if (list.length > 0) return { settings: fit(list), from: `${sg.tags.name} '${sg.name}'` };
  }
  if (sg.number !== undefined) {
    if (!(Number.isInteger(sg.number) && sg.number >= 1 && sg.number <= 230)) {
      throw new InputError(`${sg.tags.number} = ${sg.number} is not a space-group number (expected 1–230)`, { file, line: tagLine(block, normaliseTag(sg.tags.number!)) });
    }
    return { settings: fit(settingsOfNumber(sg.number)), from: `${sg.tags.number} ${sg.number}` };
  }
  return undefined;
}

function readAsymmetricUnit(block: Block, warnings: Warnings, file?: string): Omit<AsymmetricSite, 'multiplicity'>[] {
  const table = tableWith(block, '_atom_site_fract_x');
  if (!table) {
    const cart = block.scalars.has('_atom_site_cartn_x') || block.loops.some((l) => l.has('_atom_site_cartn_x'));
    const line = tagLine(block, hasAtoms(block) ? (cart ? '_atom_site_cartn_x' : '_atom_site_label') : '_atom_site_label');
    throw new InputError(
      `data block '${block.name}' has no _atom_site_fract_x (expected an atom loop with _atom_site_fract_x/y/z${cart ? '; Cartesian _atom_site_Cartn_x is not supported' : ''})`,
      { file, line },
    );
  }
  for (const tag of ['_atom_site_fract_y', '_atom_site_fract_z']) {
    if (!table.has(tag)) throw new InputError(`the atom loop has no ${tag} (expected _atom_site_fract_x, _y and _z together)`, { file, line: table.line });
  }
  const hasType = table.has('_atom_site_type_symbol');
  const hasLabel = table.has('_atom_site_label');
  if (!hasType && !hasLabel) throw new InputError(`the atom loop has neither _atom_site_type_symbol nor _atom_site_label (expected one to know the element)`, { file, line: table.line });
  const formulaTok = scalar(block, '_chemical_formula_sum');
  const formula = formulaElements(isMissing(formulaTok) ? undefined : formulaTok!.text);

  const sites: Omit<AsymmetricSite, 'multiplicity'>[] = [];
  for (let r = 0; r < table.rows; r++) {
    const flag = table.get('_atom_site_calc_flag', r);
    if (flag && flag.text.toLowerCase() === 'dum') continue; // dummy atoms mark points, not atoms
    const typeTok = table.get('_atom_site_type_symbol', r);
    const labelTok = table.get('_atom_site_label', r);
    const siteTok = table.get('_atom_site_cescreen_site', r);
    const source = !isMissing(typeTok) ? typeTok! : labelTok;
    if (isMissing(source)) {
      throw new InputError(`atom row without element: _atom_site_type_symbol and _atom_site_label are both missing`, { file, line: (typeTok ?? labelTok ?? table.get('_atom_site_fract_x', r)!).line });
    }
    const fromType = source === typeTok;
    const verdict = readElement(source!.text, fromType ? 'type symbol' : 'label', formula);
    if (verdict.element === undefined) {
      const tag = fromType ? '_atom_site_type_symbol' : '_atom_site_label';
      const hint = verdict.error.startsWith('unknown') ? ` in ${tag} (expected a symbol such as Nb, Si, Ti; labels like Nb1 or O2- are fine)` : '';
      throw new InputError(verdict.error + hint, { file, line: source!.line });
    }
    if (verdict.note) warnings.add(`${verdict.note}`);
    const element = verdict.element;
    const label = !isMissing(siteTok) ? siteTok!.text : !isMissing(labelTok) ? labelTok!.text : source!.text;
    const line = (labelTok ?? typeTok ?? source)!.line;

    const occTok = table.get('_atom_site_occupancy', r);
    if (!isMissing(occTok)) {
      const occ = cifNumber(occTok!.text);
      if (occ === undefined) throw new InputError(`occupancy '${occTok!.text}' of site ${label} is not a number`, { file, line: occTok!.line });
      if (occ === 0) {
        // pymatgen skips such rows as well: an empty site is no atom
        warnings.add(`line ${occTok!.line}: site ${label} has occupancy 0; no atom placed there`);
        continue;
      }
      if (Math.abs(occ - 1) > 0.01) {
        throw new InputError(`partial occupancy ${occ} on site ${label} is not supported (cescreen needs fully ordered sites with occupancy 1; split the disorder into ordered cells)`, {
          file,
          line: occTok!.line,
        });
      }
    }
    const frac = (['_atom_site_fract_x', '_atom_site_fract_y', '_atom_site_fract_z'] as const).map((tag) => {
      const t = table.get(tag, r)!;
      const v = isMissing(t) ? undefined : cifNumber(t.text);
      if (v === undefined) throw new InputError(`non-numeric coordinate ${tag} = '${t.text}' for site ${label} (expected a number such as 0.1234(5))`, { file, line: t.line });
      // Far outside the cell a fractional coordinate has lost its precision (and 1e308 would overflow).
      if (Math.abs(v) > MAX_FRACTIONAL) throw new InputError(`coordinate ${tag} = ${v} for site ${label} is out of range (expected a fractional coordinate, normally in [0, 1))`, { file, line: t.line });
      return v;
    }) as Vec3;
    sites.push({ label, element, frac, line });
  }
  if (sites.length === 0) throw new InputError(`data block '${block.name}' has no atoms`, { file, line: table.line });
  return sites;
}

interface Placed extends Site {
  source: number;
}

interface Expansion {
  sites: Site[];
  multiplicity: number[];
}

/**
 * Apply every operation to every site, wrap into [0,1) and merge images that
 * fall within `tol` Å of each other (periodic). Images of one site merge; an
 * image of another site of the same element merges with a warning (the site
 * written twice), of another element is an error (a mixed site). Refuses the
 * cell as soon as it holds more than `maxAtoms` atoms.
 */
/**
 * Atoms the operations make of the asymmetric unit, counted without building
 * them: for a site, |G| / |stabiliser| (operations that map it onto itself
 * within tol). Exact for a complete group and sites that do not overlap; a few
 * ms for 1200 sites × 192 operations, where building and merging the atoms takes
 * seconds — so an oversized cell is refused before it is built.
 */
function atomCount(lattice: Lattice, asym: Omit<AsymmetricSite, 'multiplicity'>[], ops: Symop[], tol: number): number {
  let total = 0;
  for (const site of asym) {
    let stabiliser = 0;
    for (const op of ops) {
      const f = applySymop(op, site.frac);
      const d: Vec3 = [f[0] - site.frac[0], f[1] - site.frac[1], f[2] - site.frac[2]];
      if (norm(lattice.toCartesian([d[0] - Math.round(d[0]), d[1] - Math.round(d[1]), d[2] - Math.round(d[2])])) < tol) stabiliser++;
    }
    total += ops.length / Math.max(1, stabiliser);
  }
  return Math.round(total);
}

function expand(
  lattice: Lattice,
  asym: Omit<AsymmetricSite, 'multiplicity'>[],
  ops: Symop[],
  tol: number,
  maxAtoms: number,
  warn: (message: string) => void,
  file?: string,
): Expansion {
  if (asym.length * ops.length > maxAtoms) {
    const n = atomCount(lattice, asym, ops, tol);
    if (n > maxAtoms) {
      throw new InputError(`the cell would hold ${n} atoms after applying the ${ops.length} symmetry operations: the structure is refused (cescreen reads up to ${maxAtoms} atoms; see README, Known limits)`, {
        file,
        line: asym[0].line,
      });
    }
  }
  const placed: Placed[] = [];
  const multiplicity = asym.map(() => 0);
  const heights = lattice.heights;
  const small = tol < 0.25 * Math.min(...heights);
  const distance = (a: Vec3, b: Vec3): number => {
    const d: Vec3 = [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
    // Rounding the fractional difference is the exact minimum image whenever
    // the distance is below half a cell height, which is all a merge test needs.
    if (small) return norm(lattice.toCartesian([d[0] - Math.round(d[0]), d[1] - Math.round(d[1]), d[2] - Math.round(d[2])]));
    return lattice.minimumImage(d).distance;
  };
  // Periodic grid of bins at least tol wide (a fractional step of 1/n along axis i
  // is h_i/n Å across), so atoms within tol sit in the same or adjacent bins.
  const bins = heights.map((h) => (small ? Math.max(1, Math.min(64, Math.floor(h / Math.max(tol, 1e-6)))) : 1));
  // the distinct neighbouring bin offsets along each axis (fewer than 3 bins wrap onto each other)
  const offsets = bins.map((n) => (n >= 3 ? [-1, 0, 1] : n === 2 ? [0, 1] : [0]));
  const grid = new Map<number, Placed[]>();
  const binAlong = (x: number, i: number) => Math.min(bins[i] - 1, Math.floor(x * bins[i]));
  const keyOf = (b0: number, b1: number, b2: number) => (b0 * 64 + b1) * 64 + b2;
  const near = (f: Vec3): Placed | undefined => {
    const b0 = binAlong(f[0], 0);
    const b1 = binAlong(f[1], 1);
    const b2 = binAlong(f[2], 2);
    for (const i of offsets[0])
      for (const j of offsets[1])
        for (const k of offsets[2]) {
          const list = grid.get(keyOf((b0 + i + bins[0]) % bins[0], (b1 + j + bins[1]) % bins[1], (b2 + k + bins[2]) % bins[2]));
          if (!list) continue;
          for (const p of list) if (distance(p.frac, f) < tol) return p;
        }
    return undefined;
  };
  asym.forEach((site, s) => {
    for (const op of ops) {
      const f = wrapFrac(applySymop(op, site.frac));
      const hit = near(f);
      if (!hit) {
        if (placed.length >= maxAtoms) {
          throw new InputError(`the cell holds more than ${maxAtoms} atoms after applying the ${ops.length} symmetry operations: the structure is refused (see README, Known limits)`, {
            file,
            line: site.line,
          });
        }
        const p = { element: site.element, label: site.label, frac: f, source: s };
        placed.push(p);
        const key = keyOf(binAlong(f[0], 0), binAlong(f[1], 1), binAlong(f[2], 2));
        const list = grid.get(key);
        if (list) list.push(p);
        else grid.set(key, [p]);
        multiplicity[s]++;
        continue;
      }
      if (hit.source === s) continue;
      const other = asym[hit.source];
      if (hit.element !== site.element) {
        throw new InputError(
          `sites ${other.label} (${other.element}, line ${other.line}) and ${site.label} (${site.element}) put atoms at the same position ` +
            `(${f.map((x) => x.toFixed(4)).join(', ')}), closer than ${tol} Å; mixed or duplicated sites are not supported`,
          { file, line: site.line },
        );
      }
      // The same site written twice (perhaps under another label): keep one atom.
      if (hit.label !== site.label) warn(`line ${site.line}: site ${site.label} puts its ${site.element} atoms where site ${other.label} (line ${other.line}) has them; counted once`);
    }
  });
  return { sites: placed.map(({ element, label, frac }) => ({ element, label, frac })), multiplicity };
}

/**
 * One of several settings a symbol allows (origin choice, unique axis, axes of
 * an R group), chosen by expanding the atoms with each. Atoms on special
 * positions of the right setting stay on special positions; under a wrong one
 * they land on general positions and multiply, or collide. Both choices can
 * give as many atoms, e.g. C15 MgCu2 in origin choice 2 read with choice 1
 * becomes Mg16Cu8 (Mg 8a → 16c, Cu 16d → 8b), so a setting whose composition
 * matches _chemical_formula_sum goes first, then the fewest atoms, then the
 * lowest Hall number (origin choice 1, unique axis b: spglib's and pymatgen's
 * default).
 */
function chooseSetting(
  named: SymbolSettings,
  run: (ops: Symop[]) => Expansion,
  formula: Map<string, number> | undefined,
  warn: (message: string) => void,
): { setting: SpaceGroupSetting; expansion: Expansion } {
  if (named.settings.length === 1) return { setting: named.settings[0], expansion: run(named.settings[0].operations) };
  const tried: { setting: SpaceGroupSetting; expansion: Expansion; fits: boolean }[] = [];
  let firstError: unknown;
  for (const setting of named.settings) {
    try {
      const expansion = run(setting.operations);
      tried.push({ setting, expansion, fits: formula !== undefined && matchesFormula(elementCounts(expansion.sites), formula) });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      firstError ??= e;
    }
  }
  if (tried.length === 0) throw firstError;
  tried.sort((x, y) => Number(y.fits) - Number(x.fits) || x.expansion.sites.length - y.expansion.sites.length || x.setting.hallNumber - y.setting.hallNumber);
  const best = tried[0];
  const why = best.fits ? `its composition matches _chemical_formula_sum${tried[1]?.fits ? ' and it gives the fewest atoms' : ''}` : 'it gives the fewest atoms';
  const all = named.settings.map((s) => s.symbol).join(', ');
  warn(`${named.from} fits several settings (${all}); used ${best.setting.symbol} (${best.expansion.sites.length} atoms): ${why}`);
  return best;
}

function interpret(blocks: Block[], opts: CifOptions, warnings: Warnings): CifDetailed {
  const file = opts.file;
  const tol = opts.mergeTolerance ?? DEFAULT_MERGE_TOLERANCE;
  const maxAtoms = opts.maxAtoms ?? MAX_STRUCTURE_ATOMS;
  const block = pickBlock(blocks, opts);
  const lattice = readLattice(block, file);
  const sg = readSpaceGroup(block);
  const fileOps = operationsFromFile(block, file);
  const asym = readAsymmetricUnit(block, warnings, file);
  const run = (ops: Symop[]) => expand(lattice, asym, ops, tol, maxAtoms, warnings.add, file);
  const { tags, ...spaceGroup } = sg;

  let operations: Symop[];
  let operationsFrom: CifDetailed['operationsFrom'];
  let expansion: Expansion;
  if (fileOps) {
    [operations, operationsFrom, expansion] = [fileOps, 'file', run(fileOps)];
  } else if (isP1Name(sg.name) && isP1Name(sg.hall) && (sg.number === undefined || sg.number === 1)) {
    [operations, operationsFrom, expansion] = [[IDENTITY], 'none', run([IDENTITY])];
  } else {
    const named = settingsFromNames(block, sg, lattice, file);
    if (!named) {
      const tag = tags.name ?? tags.hall ?? tags.number!;
      throw new InputError(
        `data block '${block.name}' names space group '${sg.name ?? sg.hall}', which is not a symbol cescreen knows, and lists no symmetry operations ` +
          `(expected a _space_group_symop_operation_xyz loop, a standard Hermann–Mauguin or Hall symbol, or _space_group_IT_number)`,
        { file, line: tagLine(block, normaliseTag(tag)) },
      );
    }
    const formulaTok = scalar(block, '_chemical_formula_sum');
    const chosen = chooseSetting(named, run, formulaCounts(isMissing(formulaTok) ? undefined : formulaTok!.text), warnings.add);
    [operations, operationsFrom, expansion] = [chosen.setting.operations, 'symbol', chosen.expansion];
    spaceGroup.setting = { hallNumber: chosen.setting.hallNumber, symbol: chosen.setting.symbol, number: chosen.setting.number };
    warnings.add(`no symmetry operations listed: used the ${operations.length} of ${chosen.setting.symbol} (No. ${chosen.setting.number}) from ${named.from}`);
  }
  const formulaTok = scalar(block, '_chemical_formula_sum');
  const formula = formulaCounts(isMissing(formulaTok) ? undefined : formulaTok!.text);
  const cell = elementCounts(expansion.sites);
  if (formula && !matchesFormula(cell, formula)) {
    // an atom list cut off at a row boundary reads as a smaller, wrong crystal: say so
    const text = (m: ReadonlyMap<string, number>) => [...m].map(([e, n]) => `${e}${Number(n.toFixed(3))}`).join(' ');
    warnings.add(
      `line ${formulaTok!.line}: the atoms read make ${text(cell)} (${expansion.sites.length} atoms), which is not the composition _chemical_formula_sum states (${formulaTok!.text.trim()}): ` +
        `is the atom list incomplete (file cut off?) or the formula of something else?`,
    );
  }
  return {
    structure: new Structure(lattice, expansion.sites, block.name, file),
    operations,
    operationsFrom,
    block: block.name,
    spaceGroup,
    asymmetricUnit: asym.map((a, i) => ({ ...a, multiplicity: expansion.multiplicity[i] })),
    warnings: warnings.list,
  };
}

function read(feed: (visit: LineVisitor) => void, opts: CifOptions): CifDetailed {
  const tol = opts.mergeTolerance ?? DEFAULT_MERGE_TOLERANCE;
  if (!(tol >= 0 && Number.isFinite(tol))) throw new InputError(`merge tolerance ${tol} must be a finite number ≥ 0 Å`, { file: opts.file });
  const warnings = new Warnings();
  return interpret(parseBlocks(feed, opts, warnings), opts, warnings);
}

/** Read one data block with its symmetry: the expanded cell plus the operations, asymmetric unit and warnings. */
export function parseCifDetailed(text: string, opts: CifOptions = {}): CifDetailed {
  return read((visit) => visitLinesOfText(text, visit, opts.file), opts);
}

export function parseCif(text: string, opts: CifOptions = {}): Structure {
  return parseCifDetailed(text, opts).structure;
}

/** Read a CIF file in 1 MB chunks; an oversized structure is refused by name before the file is read to its end. */
export function readCifDetailed(path: string, opts: Omit<CifOptions, 'file'> = {}): CifDetailed {
  return read((visit) => visitLinesOfFile(path, visit), { ...opts, file: path });
}

export function readCif(path: string, opts: Omit<CifOptions, 'file'> = {}): Structure {
  return readCifDetailed(path, opts).structure;
}

// ---------------------------------------------------------------- writer

/** The structure as a P1 CIF listing every atom (the text is src/structure/cellText.js's, shared with the viewer's export). */
export function toCif(structure: Structure): string {
  return cifText({ title: structure.title, lattice: structure.lattice.parameters, sites: structure.sites });
}
