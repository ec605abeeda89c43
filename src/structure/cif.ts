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
 * The CIF syntax itself is small, so this file has its own tokenizer that keeps
 * the line of every token, and every problem a user can fix is an InputError
 * with file, line and what was expected.
 */
import { readFileSync } from 'node:fs';
import { Lattice, type Vec3, norm, wrapFrac } from './lattice.ts';
import { Structure, type Site } from './structure.ts';
import { IDENTITY, type Symop, applySymop, parseSymop } from './symop.ts';
import { normaliseElement } from './periodicTable.ts';
import { InputError } from '../util/errors.ts';

export interface CifOptions {
  /** File name for error messages. */
  file?: string;
  /** Data block to read (case-insensitive); default: the first block with atoms. */
  block?: string;
  /** Atoms closer than this (Å, periodic) after applying symmetry are one atom. Default 0.01. */
  mergeTolerance?: number;
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
  /** The file's symmetry operations (identity only when it gives none). */
  operations: Symop[];
  block: string;
  spaceGroup: SpaceGroupInfo;
  asymmetricUnit: AsymmetricSite[];
}

/** What the file says about its space group (not checked against the operations). */
export interface SpaceGroupInfo {
  name?: string;
  hall?: string;
  number?: number;
}

export const DEFAULT_MERGE_TOLERANCE = 0.01;
const MAX_FRACTIONAL = 1000;

// ---------------------------------------------------------------- tokenizer

type TokenKind = 'value' | 'tag' | 'loop' | 'data' | 'reserved';

interface Token {
  kind: TokenKind;
  text: string;
  line: number;
  /** Quoted or text-field values are never the missing markers `?` / `.`. */
  quoted: boolean;
}

function classify(text: string): TokenKind {
  if (text.startsWith('_')) return 'tag';
  const low = text.toLowerCase();
  if (low.startsWith('data_')) return 'data';
  if (low === 'loop_') return 'loop';
  if (low.startsWith('save_') || low === 'global_' || low === 'stop_') return 'reserved';
  return 'value';
}

function tokenize(text: string, file?: string): Token[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const tokens: Token[] = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    let p = 0;
    if (line.startsWith(';')) {
      // Text field: runs until the next line that starts with ';'.
      const start = i;
      const body = [line.slice(1)];
      i++;
      while (i < lines.length && !lines[i].startsWith(';')) body.push(lines[i++]);
      if (i >= lines.length) {
        throw new InputError(`text field opened with ';' is never closed (expected a line starting with ';'; file truncated?)`, {
          file,
          line: start + 1,
        });
      }
      if (body[0].trim() === '') body.shift();
      tokens.push({ kind: 'value', text: body.join('\n'), line: start + 1, quoted: true });
      line = lines[i];
      p = 1;
    }
    while (p < line.length) {
      const ch = line[p];
      if (ch === ' ' || ch === '\t') {
        p++;
        continue;
      }
      if (ch === '#') break;
      if (ch === "'" || ch === '"') {
        // A quote closes only when followed by whitespace or the end of the line (CIF 1.1).
        let q = p + 1;
        while (q < line.length && !(line[q] === ch && (q + 1 === line.length || /\s/.test(line[q + 1])))) q++;
        if (q >= line.length) {
          throw new InputError(`unterminated ${ch === "'" ? 'single' : 'double'}-quoted string (expected a closing ${ch} on the same line)`, {
            file,
            line: i + 1,
          });
        }
        tokens.push({ kind: 'value', text: line.slice(p + 1, q), line: i + 1, quoted: true });
        p = q + 1;
        continue;
      }
      let q = p;
      while (q < line.length && line[q] !== ' ' && line[q] !== '\t') q++;
      const word = line.slice(p, q);
      tokens.push({ kind: classify(word), text: word, line: i + 1, quoted: false });
      p = q;
    }
  }
  return tokens;
}

// ---------------------------------------------------------------- blocks

interface Loop {
  line: number;
  tags: string[];
  rows: Token[][];
}

interface Block {
  name: string;
  line: number;
  scalars: Map<string, { tag: Token; value: Token }>;
  loops: Loop[];
}

/** `_atom_site.fract_x` (DDL2/CIF2 style) and `_Atom_Site_Fract_X` both become `_atom_site_fract_x`. */
function normaliseTag(tag: string): string {
  return tag.toLowerCase().replace(/\./g, '_');
}

function parseBlocks(text: string, file?: string): Block[] {
  const tokens = tokenize(text, file);
  if (tokens.length === 0) throw new InputError('the CIF file is empty or only comments (expected a data_ block)', { file, line: 1 });
  const blocks: Block[] = [];
  const seenTags = new Map<string, number>();
  let block: Block | undefined;
  const claim = (tag: Token): string => {
    const key = normaliseTag(tag.text);
    const prev = seenTags.get(key);
    if (prev !== undefined) throw new InputError(`tag ${tag.text} appears twice in data block '${block!.name}' (first on line ${prev})`, { file, line: tag.line });
    seenTags.set(key, tag.line);
    return key;
  };
  let k = 0;
  while (k < tokens.length) {
    const t = tokens[k];
    if (t.kind === 'reserved') throw new InputError(`'${t.text}' is not supported (save frames and global blocks belong to dictionaries, not structure files)`, { file, line: t.line });
    if (t.kind === 'data') {
      const name = t.text.slice(5);
      if (name === '') throw new InputError(`data block header 'data_' has no name (expected e.g. data_Nb5Si3)`, { file, line: t.line });
      const dup = blocks.find((b) => b.name.toLowerCase() === name.toLowerCase());
      if (dup) throw new InputError(`data block '${name}' appears twice (first on line ${dup.line})`, { file, line: t.line });
      block = { name, line: t.line, scalars: new Map(), loops: [] };
      blocks.push(block);
      seenTags.clear();
      k++;
      continue;
    }
    if (!block) throw new InputError(`expected a data_ block header before '${t.text}'`, { file, line: t.line });
    if (t.kind === 'tag') {
      const v = tokens[k + 1];
      if (!v || v.kind !== 'value') throw new InputError(`tag ${t.text} has no value${v ? ` (found '${v.text}' on line ${v.line})` : ' (file truncated?)'}`, { file, line: t.line });
      block.scalars.set(claim(t), { tag: t, value: v });
      k += 2;
      continue;
    }
    if (t.kind === 'loop') {
      const loop: Loop = { line: t.line, tags: [], rows: [] };
      k++;
      while (k < tokens.length && tokens[k].kind === 'tag') loop.tags.push(claim(tokens[k++]));
      if (loop.tags.length === 0) throw new InputError(`loop_ has no tags (expected _tag names after loop_)`, { file, line: t.line });
      const values: Token[] = [];
      while (k < tokens.length && tokens[k].kind === 'value') values.push(tokens[k++]);
      if (values.length === 0) throw new InputError(`loop_ with ${loop.tags[0]} has no values (file truncated?)`, { file, line: t.line });
      const n = loop.tags.length;
      if (values.length % n !== 0) {
        const last = values[values.length - 1];
        throw new InputError(
          `loop_ starting on line ${t.line} has ${values.length} values for ${n} tags: the last row has ${values.length % n} of ${n} values (file truncated or a value missing?)`,
          { file, line: last.line },
        );
      }
      for (let r = 0; r < values.length; r += n) loop.rows.push(values.slice(r, r + n));
      block.loops.push(loop);
      continue;
    }
    throw new InputError(`unexpected value '${t.text}' (expected a _tag, loop_ or data_ before it)`, { file, line: t.line });
  }
  if (blocks.length === 0) throw new InputError('no data_ block in the CIF file', { file, line: 1 });
  return blocks;
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
  const loop = block.loops.find((l) => l.tags.includes(tag));
  if (loop) {
    return {
      line: loop.line,
      rows: loop.rows.length,
      has: (t) => loop.tags.includes(t),
      get: (t, r) => {
        const c = loop.tags.indexOf(t);
        return c < 0 ? undefined : loop.rows[r][c];
      },
    };
  }
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
  const loop = block.loops.find((l) => l.tags.includes(tag));
  return loop && loop.rows.length === 1 ? loop.rows[0][loop.tags.indexOf(tag)] : undefined;
}

function tagLine(block: Block, tag: string): number {
  return block.scalars.get(tag)?.tag.line ?? block.loops.find((l) => l.tags.includes(tag))?.line ?? block.line;
}

function isMissing(t: Token | undefined): boolean {
  return !t || (!t.quoted && (t.text === '?' || t.text === '.'));
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
  const atomTags = ['_atom_site_fract_x', '_atom_site_label', '_atom_site_type_symbol', '_atom_site_cartn_x'];
  return atomTags.some((t) => block.scalars.has(t) || block.loops.some((l) => l.tags.includes(t)));
}

// ---------------------------------------------------------------- interpretation

/** Names of the data blocks in file order. */
export function listBlocks(text: string, opts: { file?: string } = {}): string[] {
  return parseBlocks(text, opts.file).map((b) => b.name);
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
  return lattice;
}

const SYMOP_TAGS = ['_space_group_symop_operation_xyz', '_symmetry_equiv_pos_as_xyz'];

function readSpaceGroup(block: Block): SpaceGroupInfo {
  const out: SpaceGroupInfo = {};
  for (const tag of ['_space_group_name_h-m_alt', '_symmetry_space_group_name_h-m']) {
    const t = scalar(block, tag);
    if (!isMissing(t)) {
      out.name = t!.text.trim();
      break;
    }
  }
  for (const tag of ['_space_group_name_hall', '_symmetry_space_group_name_hall']) {
    const t = scalar(block, tag);
    if (!isMissing(t)) {
      out.hall = t!.text.trim();
      break;
    }
  }
  for (const tag of ['_space_group_it_number', '_symmetry_int_tables_number']) {
    const t = scalar(block, tag);
    const v = t ? cifNumber(t.text) : undefined;
    if (v !== undefined) {
      out.number = v;
      break;
    }
  }
  return out;
}

function readOperations(block: Block, file: string | undefined, spaceGroup: SpaceGroupInfo): Symop[] {
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
  // No operation list: only a P1 file may leave it out; anything else would silently lose atoms.
  const p1 = (name?: string) => name === undefined || name.replace(/[\s_]/g, '').toUpperCase() === 'P1';
  const isP1 = p1(spaceGroup.name) && p1(spaceGroup.hall) && (spaceGroup.number === undefined || spaceGroup.number === 1);
  if (!isP1) {
    const line = tagLine(block, '_symmetry_space_group_name_h-m');
    throw new InputError(
      `data block '${block.name}' names space group ${spaceGroup.name ?? spaceGroup.hall ?? `No. ${spaceGroup.number}`} but lists no symmetry operations ` +
        `(expected a _space_group_symop_operation_xyz or _symmetry_equiv_pos_as_xyz loop, or a P1 cell with every atom)`,
      { file, line },
    );
  }
  return [IDENTITY];
}

function readAsymmetricUnit(block: Block, file?: string): Omit<AsymmetricSite, 'multiplicity'>[] {
  const table = tableWith(block, '_atom_site_fract_x');
  if (!table) {
    const cart = block.scalars.has('_atom_site_cartn_x') || block.loops.some((l) => l.tags.includes('_atom_site_cartn_x'));
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
    const element = normaliseElement(source!.text);
    if (!element) {
      const tag = source === typeTok ? '_atom_site_type_symbol' : '_atom_site_label';
      throw new InputError(`unknown element '${source!.text}' in ${tag} (expected a symbol such as Nb, Si, Ti; labels like Nb1 or O2- are fine)`, { file, line: source!.line });
    }
    const label = !isMissing(siteTok) ? siteTok!.text : !isMissing(labelTok) ? labelTok!.text : source!.text;
    const line = (labelTok ?? typeTok ?? source)!.line;

    const occTok = table.get('_atom_site_occupancy', r);
    if (!isMissing(occTok)) {
      const occ = cifNumber(occTok!.text);
      if (occ === undefined) throw new InputError(`occupancy '${occTok!.text}' of site ${label} is not a number`, { file, line: occTok!.line });
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

/**
 * Apply every operation to every site, wrap into [0,1) and merge images that
 * fall within `tol` Å of each other (periodic). Images of one site merge; images
 * of different sites must not collide.
 */
function expand(lattice: Lattice, asym: Omit<AsymmetricSite, 'multiplicity'>[], ops: Symop[], tol: number, file?: string): { sites: Site[]; multiplicity: number[] } {
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
  const grid = new Map<number, Placed[]>();
  const binOf = (f: Vec3) => f.map((x, i) => Math.min(bins[i] - 1, Math.floor(x * bins[i])));
  const keyOf = (b: number[]) => (b[0] * 64 + b[1]) * 64 + b[2];
  const near = (f: Vec3): Placed | undefined => {
    const b = binOf(f);
    const seen = new Set<number>();
    for (let i = -1; i <= 1; i++)
      for (let j = -1; j <= 1; j++)
        for (let k = -1; k <= 1; k++) {
          const key = keyOf([(b[0] + i + bins[0]) % bins[0], (b[1] + j + bins[1]) % bins[1], (b[2] + k + bins[2]) % bins[2]]);
          if (seen.has(key)) continue;
          seen.add(key);
          const hit = grid.get(key)?.find((p) => distance(p.frac, f) < tol);
          if (hit) return hit;
        }
    return undefined;
  };
  asym.forEach((site, s) => {
    for (const op of ops) {
      const f = wrapFrac(applySymop(op, site.frac));
      const hit = near(f);
      if (!hit) {
        const p = { element: site.element, label: site.label, frac: f, source: s };
        placed.push(p);
        const key = keyOf(binOf(f));
        const list = grid.get(key);
        if (list) list.push(p);
        else grid.set(key, [p]);
        multiplicity[s]++;
        continue;
      }
      if (hit.source === s) continue;
      if (hit.element !== site.element || hit.label !== site.label) {
        const other = asym[hit.source];
        throw new InputError(
          `sites ${other.label} (${other.element}, line ${other.line}) and ${site.label} (${site.element}) put atoms at the same position ` +
            `(${f.map((x) => x.toFixed(4)).join(', ')}), closer than ${tol} Å; mixed or duplicated sites are not supported`,
          { file, line: site.line },
        );
      }
      // The same site written twice: keep one atom.
    }
  });
  return { sites: placed.map(({ element, label, frac }) => ({ element, label, frac })), multiplicity };
}

/** Read one data block with its symmetry: the expanded cell plus the operations and asymmetric unit. */
export function parseCifDetailed(text: string, opts: CifOptions = {}): CifDetailed {
  const tol = opts.mergeTolerance ?? DEFAULT_MERGE_TOLERANCE;
  if (!(tol >= 0 && Number.isFinite(tol))) throw new InputError(`merge tolerance ${tol} must be a finite number ≥ 0 Å`, { file: opts.file });
  const block = pickBlock(parseBlocks(text, opts.file), opts);
  const lattice = readLattice(block, opts.file);
  const spaceGroup = readSpaceGroup(block);
  const operations = readOperations(block, opts.file, spaceGroup);
  const asym = readAsymmetricUnit(block, opts.file);
  const { sites, multiplicity } = expand(lattice, asym, operations, tol, opts.file);
  return {
    structure: new Structure(lattice, sites, block.name),
    operations,
    block: block.name,
    spaceGroup,
    asymmetricUnit: asym.map((a, i) => ({ ...a, multiplicity: multiplicity[i] })),
  };
}

export function parseCif(text: string, opts: CifOptions = {}): Structure {
  return parseCifDetailed(text, opts).structure;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${path}: ${(e as Error).message}`, { file: path });
  }
}

export function readCifDetailed(path: string, opts: Omit<CifOptions, 'file'> = {}): CifDetailed {
  return parseCifDetailed(readText(path), { ...opts, file: path });
}

export function readCif(path: string, opts: Omit<CifOptions, 'file'> = {}): Structure {
  return readCifDetailed(path, opts).structure;
}

// ---------------------------------------------------------------- writer

/** A CIF value token: bare when safe, else quoted (or a text field as a last resort). */
export function cifValue(s: string): string {
  const bare = s !== '' && !/[\s]/.test(s) && !/^[_#$'";[\]]/.test(s) && classify(s) === 'value' && s !== '?' && s !== '.';
  if (bare) return s;
  if (!s.includes('\n')) {
    if (!/'(\s|$)/.test(s)) return `'${s}'`;
    if (!/"(\s|$)/.test(s)) return `"${s}"`;
  }
  return `\n;${s}\n;\n`;
}

function blockName(title: string): string {
  const name = title.trim().replace(/[^\x21-\x7e]+/g, '_');
  return name === '' ? 'cescreen' : name;
}

/**
 * The structure as a P1 CIF listing every atom. Columns:
 * `_atom_site_label` = `<site label>_<n>` (n counts atoms of that label, so every
 * label is unique as most programs expect), `_atom_site_type_symbol` = element,
 * and the custom `_atom_site_cescreen_site` = the original site label, which
 * parseCif reads back as the label so that a round trip keeps site labels.
 */
export function toCif(structure: Structure): string {
  const l = structure.lattice;
  const f = (x: number) => x.toFixed(10);
  const out: string[] = [
    '# written by cescreen: P1 cell with every atom; _atom_site_cescreen_site is the original site label',
    `data_${blockName(structure.title)}`,
    `_symmetry_space_group_name_H-M   'P 1'`,
    `_space_group_IT_number   1`,
    `_cell_length_a   ${f(l.a)}`,
    `_cell_length_b   ${f(l.b)}`,
    `_cell_length_c   ${f(l.c)}`,
    `_cell_angle_alpha   ${f(l.alpha)}`,
    `_cell_angle_beta   ${f(l.beta)}`,
    `_cell_angle_gamma   ${f(l.gamma)}`,
    `_cell_volume   ${l.volume.toFixed(6)}`,
    `_chemical_formula_sum   '${[...structure.composition()].map(([e, n]) => `${e}${n}`).join(' ')}'`,
    'loop_',
    '_space_group_symop_operation_xyz',
    "'x, y, z'",
    'loop_',
    '_atom_site_label',
    '_atom_site_type_symbol',
    '_atom_site_cescreen_site',
    '_atom_site_fract_x',
    '_atom_site_fract_y',
    '_atom_site_fract_z',
    '_atom_site_occupancy',
  ];
  const count = new Map<string, number>();
  for (const s of structure.sites) {
    const n = (count.get(s.label) ?? 0) + 1;
    count.set(s.label, n);
    out.push([cifValue(`${s.label}_${n}`), s.element, cifValue(s.label), f(s.frac[0]), f(s.frac[1]), f(s.frac[2]), '1'].join('  '));
  }
  return out.join('\n') + '\n';
}
