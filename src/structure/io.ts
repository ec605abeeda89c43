import { basename } from 'node:path';
import { readCifDetailed, toCif } from './cif.ts';
import { readPoscar, toPoscar } from './poscar.ts';
import type { Structure } from './structure.ts';
import { InputError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/atomicWrite.ts';

export type StructureFormat = 'cif' | 'poscar';

/** CIF for *.cif; POSCAR for POSCAR/CONTCAR (also POSCAR.x, x.POSCAR) and *.vasp / *.poscar. */
export function formatOf(path: string): StructureFormat | undefined {
  const name = basename(path).toLowerCase();
  if (name.endsWith('.cif')) return 'cif';
  if (/(^|\.)(poscar|contcar)($|\.)/.test(name) || name.endsWith('.vasp')) return 'poscar';
  return undefined;
}

function requireFormat(path: string): StructureFormat {
  const f = formatOf(path);
  if (!f) throw new InputError(`cannot tell the structure format of '${path}' (expected a .cif, .vasp or .poscar file, or one named POSCAR/CONTCAR)`, { file: path });
  return f;
}

export interface ReadStructureOptions {
  /** CIF data block (CIF only). */
  block?: string;
  /** CIF: atoms closer than this (Å) after symmetry are one atom. */
  mergeTolerance?: number;
  /** Refuse more atoms than this (default MAX_STRUCTURE_ATOMS, see limits.ts). */
  maxAtoms?: number;
}

export interface StructureRead {
  structure: Structure;
  /** What the reader tolerated or guessed, one sentence each (CIF only; [] for POSCAR). Print them. */
  warnings: string[];
}

/**
 * Read a CIF or POSCAR with the reader's warnings. Files are read in chunks and
 * an oversized structure is refused by name as soon as its size is known.
 */
export function readStructureDetailed(path: string, opts: ReadStructureOptions = {}): StructureRead {
  const format = requireFormat(path);
  if (format === 'poscar') {
    if (opts.block !== undefined) throw new InputError(`--block applies to CIF files only, not to the POSCAR '${path}'`, { file: path });
    return { structure: readPoscar(path, { maxAtoms: opts.maxAtoms }), warnings: [] };
  }
  const d = readCifDetailed(path, opts);
  return { structure: d.structure, warnings: d.warnings };
}

export function readStructure(path: string, opts: ReadStructureOptions = {}): Structure {
  return readStructureDetailed(path, opts).structure;
}

export function writeStructure(path: string, structure: Structure): void {
  const format = requireFormat(path);
  writeFileAtomic(path, format === 'cif' ? toCif(structure) : toPoscar(structure));
}
