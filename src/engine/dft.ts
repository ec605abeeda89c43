/**
 * What the DFT engines (VASP, Quantum ESPRESSO) share: the parameters of a
 * substitution-energy calculation declared once, k-point grids from a spacing,
 * element data for inputs, and reading outputs that may be gzipped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Lattice } from '../structure/lattice.ts';
import { InputError } from '../util/errors.ts';
import { choice, flag, number } from '../util/params.ts';

export const DFT_PARAMS = {
  kspacing: number('k-point spacing (2π included, as VASP\'s KSPACING); written as an explicit Γ-centred grid n_i = ⌈2π / (spacing · plane distance_i)⌉', 0.2, { unit: 'Å⁻¹', min: 0.02, max: 2 }),
  smearing: choice('occupation smearing (metals)', 'mp', { mp: 'Methfessel–Paxton, first order', gaussian: 'Gaussian', fermi: 'Fermi–Dirac' }),
  sigma: number('smearing width', 0.1, { unit: 'eV', min: 0.001, max: 2 }),
  spin: flag('spin-polarised (ISPIN=2 / nspin=2, every atom started at a moment); off by default'),
  ediff: number('electronic convergence: total-energy change per cell', 1e-6, { unit: 'eV', min: 1e-10, max: 1e-2 }),
} as const;

/** Γ-centred Monkhorst–Pack divisions for a k-point spacing (Å⁻¹, 2π included). */
export function kpointGrid(lattice: Lattice, spacing: number): [number, number, number] {
  return lattice.heights.map((h) => Math.max(1, Math.ceil((2 * Math.PI) / (h * spacing) - 1e-9))) as [number, number, number];
}

interface ElementRow {
  AM: number | null;
  MR: number | null;
  CR: number | null;
}
let table: Record<string, ElementRow> | undefined;

/** The element table's atomic mass (u) and a bonding radius (Å: metallic, else covalent) of an element. */
export function elementData(element: string): { mass: number; radius: number } {
  table ??= (JSON.parse(readFileSync(new URL('../../elements/elements.json', import.meta.url), 'utf8')) as { elements: Record<string, ElementRow> }).elements;
  const e = table[element];
  const radius = e?.MR ?? e?.CR;
  if (!e?.AM || !radius) throw new InputError(`element ${element}: no atomic mass or radius in elements/elements.json`);
  return { mass: e.AM, radius };
}

/** The text of an output file, plain or gzipped (`name` or `name.gz`), or undefined when there is none. */
export function readOutput(dir: string, name: string): { file: string; text: string } | undefined {
  const plain = `${dir}/${name}`;
  if (existsSync(plain)) return { file: plain, text: readFileSync(plain, 'latin1') };
  if (existsSync(`${plain}.gz`)) return { file: `${plain}.gz`, text: gunzipSync(readFileSync(`${plain}.gz`)).toString('latin1') };
  return undefined;
}

/** `Nb=Nb_pv,Si=Si` → a map; every key an element symbol. */
export function elementMap(flagName: string, text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [k, v, ...rest] = part.split('=').map((s) => s.trim());
    if (!k || !v || rest.length) throw new InputError(`${flagName} ${part}: expected Element=value, e.g. ${flagName} Al=Al.pbe.UPF,Mg=Mg.pbe.UPF`);
    m.set(k, v);
  }
  return m;
}
