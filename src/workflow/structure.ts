/** What the structure commands compute: a structure's description, its supercell, NNHs and AETs (reader warnings kept for the caller to show). */
import { readStructureDetailed, type ReadStructureOptions } from '../structure/io.ts';
import { analyzeSymmetry } from '../structure/symmetry.ts';
import { describeStructure } from '../structure/describe.ts';
import { parseSupercellSpec, supercell } from '../structure/supercell.ts';
import { siteHistograms, trySiteEnvironments } from '../environment/sites.ts';
import { InputError } from '../util/errors.ts';

export interface StructureRequest extends ReadStructureOptions {
  file: string;
  symprec?: number;
}

function load(r: StructureRequest) {
  const { structure, warnings } = readStructureDetailed(r.file, { block: r.block });
  return { structure, warnings, symmetry: analyzeSymmetry(structure, { symprec: r.symprec }) };
}

function checkSite(labels: string[], site?: string): void {
  if (site !== undefined && !labels.includes(site)) throw new InputError(`--site ${site}: no such site (sites: ${labels.join(', ')})`);
}

export function describe(r: StructureRequest) {
  const { structure, symmetry, warnings } = load(r);
  return { report: describeStructure(structure, symmetry), warnings };
}

export function buildSupercell(r: StructureRequest & { size: string }) {
  const { structure, warnings } = readStructureDetailed(r.file, { block: r.block });
  return { cell: supercell(structure, parseSupercellSpec(r.size)), warnings };
}

export function histograms(r: StructureRequest & { site?: string; cutoff: number }) {
  const { structure, symmetry, warnings } = load(r);
  checkSite(symmetry.orbits.map((x) => x.label), r.site);
  return { histograms: siteHistograms(structure, symmetry, { cutoff: r.cutoff, site: r.site }), warnings };
}

export function environments(r: StructureRequest & { site?: string; maxRatio: number; angleTolerance?: number }) {
  const { structure, symmetry, warnings } = load(r);
  checkSite(symmetry.orbits.map((x) => x.label), r.site);
  return { ...trySiteEnvironments(structure, symmetry, { site: r.site, maxRatio: r.maxRatio, angleTolerance: r.angleTolerance }), warnings };
}
