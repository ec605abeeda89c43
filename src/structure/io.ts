import { basename } from 'node:path';
import { readCif, toCif } from './cif.ts';
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

export function readStructure(path: string, opts: { block?: string; mergeTolerance?: number } = {}): Structure {
  const format = requireFormat(path);
  if (format === 'poscar') {
    if (opts.block !== undefined) throw new InputError(`--block applies to CIF files only, not to the POSCAR '${path}'`, { file: path });
    return readPoscar(path);
  }
  return readCif(path, opts);
}

export function writeStructure(path: string, structure: Structure): void {
  const format = requireFormat(path);
  writeFileAtomic(path, format === 'cif' ? toCif(structure) : toPoscar(structure));
}
