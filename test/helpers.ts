import { readStructure } from '../src/structure/io.ts';
import type { Structure } from '../src/structure/structure.ts';

const root = new URL('../', import.meta.url).pathname;

/** A bundled structure by path relative to the repository root. */
export function bundled(path: string): Structure {
  return readStructure(root + path, {});
}

export const ALPHA = 'structures/alpha-Nb5Si3/structure.cif';
export const BETA = 'structures/beta-Nb5Si3/structure.cif';
export const ALPHA_P1 = 'structures/alpha-Nb5Si3/3D-ELAN-P1.cif';
export const ref = (name: string) => `structures/reference/${name}.cif`;
export const repoPath = (p: string) => root + p;
