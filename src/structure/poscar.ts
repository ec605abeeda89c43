/**
 * VASP POSCAR/CONTCAR (VASP 5 format: element line, counts, Direct or
 * Cartesian coordinates, optional Selective dynamics).
 *
 * POSCAR has no site labels; cescreen writes each atom's site label as a
 * trailing word after its coordinates (VASP and most readers ignore it) and
 * reads it back when present, else the label is the element.
 */
import { poscarText } from './cellText.js';
import { Lattice, type Mat3, type Vec3, det3, cellShapeProblem } from './lattice.ts';
import { Structure, type Site } from './structure.ts';
import { normaliseElement } from './periodicTable.ts';
import { InputError } from '../util/errors.ts';
import { visitLinesOfFile } from './lineReader.ts';
import { MAX_CELL_LENGTH, MAX_STRUCTURE_ATOMS } from '../util/limits.ts';

const NUM = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eEdD][+-]?\d+)?$/;

function toNumber(word: string | undefined): number | undefined {
  if (word === undefined || !NUM.test(word)) return undefined;
  const v = Number(word.replace(/[dD]/, 'e'));
  return Number.isFinite(v) ? v : undefined;
}

/** Words of a line without a trailing `#` or `!` comment. */
function words(line: string | undefined): string[] {
  if (line === undefined) return [];
  return line.replace(/[#!].*$/, '').trim().split(/\s+/).filter((w) => w !== '');
}

export interface PoscarOptions {
  file?: string;
  /** Refuse more atoms than this (default MAX_STRUCTURE_ATOMS). */
  maxAtoms?: number;
}

export function parsePoscar(text: string, opts: PoscarOptions = {}): Structure {
  return parsePoscarLines(text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/), opts);
}

function parsePoscarLines(lines: string[], opts: PoscarOptions): Structure {
  const file = opts.file;
  const maxAtoms = opts.maxAtoms ?? MAX_STRUCTURE_ATOMS;
  const fail = (i: number, msg: string): never => {
    throw new InputError(msg, { file, line: i + 1 });
  };
  const end = lastNonEmpty(lines);
  const need = (i: number, what: string): string => {
    if (i >= lines.length || (lines[i].trim() === '' && i >= end)) fail(Math.min(i, lines.length), `POSCAR ends early: expected ${what} on line ${i + 1} (file truncated?)`);
    return lines[i];
  };
  if (end < 0) fail(0, 'the POSCAR file is empty');
  const title = lines[0].trim();

  // Line 2: one universal scale (negative = target volume) or three per-axis scales.
  const sw = words(need(1, 'the scale factor'));
  const scales = sw.map(toNumber);
  if (!(scales.length === 1 || scales.length === 3) || scales.some((s) => s === undefined || s === 0)) {
    fail(1, `expected a non-zero scale factor (or three) on line 2, found '${lines[1].trim()}'`);
  }
  if (scales.length === 3 && scales.some((s) => s! < 0)) fail(1, 'three scale factors must all be positive');

  const rows: Vec3[] = [];
  for (let i = 2; i < 5; i++) {
    const w = words(need(i, `lattice vector ${i - 1} (three numbers in Å)`)).slice(0, 3).map(toNumber);
    if (w.length < 3 || w.some((x) => x === undefined)) fail(i, `expected lattice vector ${i - 1} as three numbers, found '${lines[i].trim()}'`);
    rows.push(w as Vec3);
  }
  const raw = det3(rows as Mat3);
  // One scale multiplies everything; a negative one is the wanted cell volume in Å³.
  const k = scales.length === 3 ? 1 : scales[0]! > 0 ? scales[0]! : Math.cbrt(-scales[0]! / Math.abs(raw));
  const perAxis: Vec3 = scales.length === 3 ? (scales as Vec3) : [1, 1, 1];
  const matrix = rows.map((r) => r.map((x, j) => x * k * perAxis[j])) as Mat3;
  const vol = det3(matrix);
  if (!(Math.abs(vol) > 1e-6) || !Number.isFinite(vol)) fail(2, `the lattice vectors give cell volume ${vol} Å³ (expected a positive, finite volume)`);
  if (!(vol > 0)) fail(2, `the lattice vectors are left-handed (volume ${vol.toFixed(4)} Å³); swap two of them`);
  const lattice = new Lattice(matrix);
  if (!lattice.inverse.flat().every(Number.isFinite)) fail(2, 'the lattice vectors are out of range');
  const flat = cellShapeProblem(lattice, MAX_CELL_LENGTH);
  if (flat) fail(2, flat);

  // Line 6: element symbols (VASP 5); VASP 4 files have the counts here instead.
  let i = 5;
  const symbolWords = words(need(i, 'the element symbols line (VASP 5 format)'));
  if (symbolWords.length === 0 || symbolWords.every((w) => toNumber(w) !== undefined)) {
    fail(i, `expected element symbols on line 6 (VASP 5 format); VASP 4 files without them are not supported — add a line such as 'Nb Si'`);
  }
  const elements = symbolWords.map((w) => normaliseElement(w) ?? fail(i, `unknown element '${w}' on line 6 (expected symbols such as Nb Si)`));
  i++;
  const countWords = words(need(i, 'the atom counts'));
  const counts = countWords.map(toNumber);
  if (counts.length !== elements.length || counts.some((n) => n === undefined || !Number.isInteger(n) || n < 0)) {
    fail(i, `expected ${elements.length} whole-number atom counts on line ${i + 1} (one per element ${elements.join(' ')}), found '${lines[i].trim()}'`);
  }
  const total = counts.reduce((a, b) => a! + b!, 0)!;
  if (total === 0) fail(i, 'the POSCAR has no atoms');
  if (total > maxAtoms) fail(i, `${total} atoms: the structure is refused (cescreen reads up to ${maxAtoms} atoms; see README, Known limits)`);
  i++;

  let selective = false;
  if (/^\s*s/i.test(need(i, "'Direct' or 'Cartesian'"))) {
    selective = true;
    i++;
  }
  const mode = need(i, "'Direct' or 'Cartesian'").trim();
  let cartesian: boolean;
  if (/^[dD]/.test(mode)) cartesian = false;
  else if (/^[cCkK]/.test(mode)) cartesian = true;
  else return fail(i, `expected 'Direct' or 'Cartesian' on line ${i + 1}, found '${mode}'`);
  i++;

  const sites: Site[] = [];
  elements.forEach((element, e) => {
    for (let n = 0; n < counts[e]!; n++, i++) {
      const w = words(need(i, `coordinates of atom ${sites.length + 1} of ${total}`));
      const xyz = w.slice(0, 3).map(toNumber);
      if (xyz.length < 3 || xyz.some((x) => x === undefined)) fail(i, `expected three numbers for atom ${sites.length + 1} (${element}), found '${lines[i].trim()}'`);
      let frac = xyz as Vec3;
      if (cartesian) frac = lattice.toFractional(frac.map((x, j) => x * k * perAxis[j]) as Vec3);
      if (frac.some((x) => !Number.isFinite(x) || Math.abs(x) > 1000)) fail(i, `coordinates of atom ${sites.length + 1} are out of range`);
      let rest = w.slice(3);
      if (selective) rest = rest.slice(3);
      const label = rest.length > 0 ? rest[0] : element;
      sites.push({ element, label, frac });
    }
  });
  return new Structure(lattice, sites, title, file);
}

function lastNonEmpty(lines: string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i].trim() !== '') return i;
  return -1;
}

/** Lines before the coordinates: title, scale, 3 lattice vectors, symbols, counts, 'Selective dynamics', 'Direct'. */
const HEADER_LINES = 9;
const COUNTS_LINE = 6;

/**
 * Read a POSCAR in 1 MB chunks, only as far as its atom counts say it goes: a
 * file declaring more than the limit is refused at its counts line (line 7),
 * and trailing blocks (velocities, MD frames) are never read.
 */
export function readPoscar(path: string, opts: Omit<PoscarOptions, 'file'> = {}): Structure {
  const lines: string[] = [];
  let needed = Infinity;
  visitLinesOfFile(path, (text) => {
    lines.push(text);
    if (lines.length === COUNTS_LINE + 1) {
      const counts = words(text).map(toNumber);
      const total = counts.every((n) => n !== undefined && Number.isInteger(n) && n >= 0) ? counts.reduce((a, b) => a! + b!, 0)! : NaN;
      // an unreadable or oversized count is reported by the parser from these lines alone
      needed = Number.isFinite(total) && total <= (opts.maxAtoms ?? MAX_STRUCTURE_ATOMS) ? HEADER_LINES + total : lines.length;
    }
    return lines.length < needed;
  });
  return parsePoscarLines(lines, { ...opts, file: path });
}

/** VASP 5 POSCAR of the structure (the text is src/structure/cellText.js's, shared with the viewer's export). */
export function toPoscar(structure: Structure): string {
  return poscarText({ title: structure.title, matrix: structure.lattice.matrix, sites: structure.sites });
}
