/**
 * Calculations to run: the site pairs of a cell, a template of the data-set
 * rows to fill, substituted cells for DFT (one, a manifest of them, or the k the
 * model suggests), and CE feature tables. Positions are written as fractions of
 * the CIF cell, as the data-set format reads them by default.
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { readStructure } from '../structure/io.ts';
import type { SuggestGoal } from '../model/families/contract.ts';
import { probabilityBelow } from '../util/normal.ts';
import { Structure } from '../structure/structure.ts';
import { toCif } from '../structure/cif.ts';
import { toPoscar } from '../structure/poscar.ts';
import { datasetRow, substitutionSystem, type SubstitutionSystem } from '../substitution/system.ts';
import { nearestLikePairs } from '../substitution/pairs.ts';
import { calculationKey, canonicalSubstitution, distinctSubstitutions, expandSubstitutions, substitutionKind, type ElementChoice, type Substitution } from '../substitution/substitution.ts';
import { collapseByKey, DATASET_COLUMNS, loadDataset, type PositionFrame } from '../substitution/dataset.ts';
import { CeFeaturizer } from '../features/ce.ts';
import { featureDefinition, type CeOptions } from '../features/sets.ts';
import { loadModel, chooseFamily, phaseOf, samePhase } from '../predict/modelFile.ts';
import { familiesWith } from '../model/families/index.ts';
import { columns, energyColumn, optional, writeTable } from '../util/table.ts';
import { writeFileAtomic } from '../util/atomicWrite.ts';
import { toCsv } from '../util/csv.ts';
import { InputError } from '../util/errors.ts';

export interface CellChoice {
  cif: string;
  block?: string;
  supercell?: string;
  maxDistance?: number;
}

const systemOf = (c: CellChoice) => substitutionSystem(c.cif, { block: c.block, supercell: c.supercell, maxDistance: c.maxDistance });

/** The periodic cell with X on atom a and Y on atom b (of the enumeration's cell, or of `cell`: the same atoms relaxed). */
export function substitutedCell(system: SubstitutionSystem, s: Substitution, cell: Structure = system.enumeration.cell): Structure {
  const { pair } = s;
  const sites = cell.sites.map((x, i) => ({ ...x, element: i === pair.atomA ? s.elementA : i === pair.atomB ? s.elementB : x.element }));
  return new Structure(cell.lattice, sites, `${cell.formula()} ${s.elementA}@${pair.siteA} ${s.elementB}@${pair.siteB} pair ${pair.id}`);
}

/** Which calculation a row is: the data-set columns but the energy … */
export const SUBSTITUTION_COLUMNS = DATASET_COLUMNS.filter(
  (c): c is Exclude<(typeof DATASET_COLUMNS)[number], { name: 'eds_eV' | 'config' | 'folder' | 'unique_id' | 'max_displacement' }> => !['eds_eV', 'config', 'folder', 'unique_id', 'max_displacement'].includes(c.name),
);
/** … and what the pair enumeration says about it. */
export const ENUMERATION_COLUMNS = [
  columns.number('config', 'configuration id of the pair enumeration', { integer: true }),
  columns.text('kind', 'single or pair'),
  optional(columns.number('distance', 'a–b distance', { unit: 'Å', digits: 4 })),
] as const;

/** The data-set columns plus what a manifest says about each calculation. */
const MANIFEST_COLUMNS = [
  ...SUBSTITUTION_COLUMNS,
  optional(energyColumn('eds_eV', 'DFT E_DS per cell: fill in, then pass the file back with --data')),
  ...ENUMERATION_COLUMNS,
  optional(energyColumn('eds_pred', 'the model\'s prediction', 6)),
  optional(energyColumn('eds_sd', 'its predictive sd', 6)),
  optional(columns.text('cif', 'the substituted cell (CIF)')),
  optional(columns.text('poscar', 'the substituted cell (POSCAR)')),
] as const;

/**
 * A file or folder name for the k-th calculation (0-based): `001-Ti-on-NbI_B-on-SiII-c3`. No '@':
 * ASE's io.read takes 'name@…' for an index selector.
 */
export function calculationName(k: number, s: Substitution): string {
  return `${String(k + 1).padStart(3, '0')}-${s.elementA}-on-${s.pair.siteA}_${s.elementB}-on-${s.pair.siteB}-c${s.pair.id}`.replace(/[^A-Za-z0-9_.-]+/g, '_');
}

/** Substituted cells (CIF + POSCAR) of calculations and a manifest.csv in the data-set format, into `dir`. */
export function writeCalculations(dir: string, system: SubstitutionSystem, items: { substitution: Substitution; eds_pred?: number; eds_sd?: number }[]): { manifest: string; files: string[] } {
  const files: string[] = [];
  const rows = items.map(({ substitution: s, eds_pred, eds_sd }, k) => {
    const name = calculationName(k, s);
    const cell = substitutedCell(system, s);
    writeFileAtomic(join(dir, `${name}.cif`), toCif(cell));
    writeFileAtomic(join(dir, `${name}.POSCAR`), toPoscar(cell));
    files.push(`${name}.cif`, `${name}.POSCAR`);
    return { ...datasetRow(system, s), config: s.pair.id, kind: substitutionKind(system.enumeration, s), distance: s.pair.distance, eds_pred, eds_sd, cif: `${name}.cif`, poscar: `${name}.POSCAR` };
  });
  const manifest = writeTable(MANIFEST_COLUMNS, rows, { keep: ['eds_eV'] });
  writeFileAtomic(join(dir, 'manifest.csv'), manifest);
  return { manifest, files: [...files, 'manifest.csv'] };
}

/** Elements allowed on one site (`--elements-on SITE=X,Y`): the site by label or Wyckoff position ('3c' or 'c'). */
export interface SiteElements {
  site: string;
  elements: string[];
}

/**
 * Which elements may replace each site's host: `onSites` for the sites they
 * name, `elements` elsewhere (none: the host stays), as ATAT's lat.in lists
 * species per site. A rule naming no site, or a site named twice, is an error.
 */
export function elementChoice(system: SubstitutionSystem, elements: readonly string[] | undefined, onSites: readonly SiteElements[] = []): ElementChoice {
  if (onSites.length === 0) return elements ?? [];
  const cell = system.enumeration.cell;
  const sites = cell.labels().map((label) => ({ label, wyckoff: system.enumeration.wyckoffOf(cell.sites.findIndex((x) => x.label === label)) }));
  const chosen = new Map<string, readonly string[]>();
  for (const rule of onSites) {
    const want = rule.site.toLowerCase();
    const hit = sites.filter((s) => s.label.toLowerCase() === want || s.wyckoff.toLowerCase() === want || s.wyckoff.replace(/^\d+/, '').toLowerCase() === want);
    if (hit.length === 0) throw new InputError(`--elements-on ${rule.site}=…: no site ${rule.site} in the cell (sites: ${sites.map((s) => `${s.label} ${s.wyckoff}`).join(', ')}; give a label or a Wyckoff position)`);
    for (const s of hit) {
      if (chosen.has(s.label)) throw new InputError(`--elements-on: site ${s.label} (${s.wyckoff}) is given twice`);
      chosen.set(s.label, rule.elements);
    }
  }
  return (site) => chosen.get(site) ?? elements ?? [];
}

/** Substituted sites (all without a choice) whose nearest like pair lies beyond the pair cutoff: their X@s + Y@s pairs are not enumerated. */
function likePairsBeyond(system: SubstitutionSystem, choice?: ElementChoice): ReturnType<typeof nearestLikePairs> {
  const substituted = (site: string) => choice === undefined || (typeof choice === 'function' ? choice(site) : choice).length > 0;
  return nearestLikePairs(system.enumeration.cell).filter((p) => p.distance > system.maxDistance && substituted(p.site));
}

/** The symmetry-distinct site pairs of a cell, with positions as a data set gives them. */
export function pairTable(c: CellChoice & { elements?: string[]; elementsOn?: SiteElements[] }) {
  const system = systemOf(c);
  const choice = c.elements || c.elementsOn?.length ? elementChoice(system, c.elements, c.elementsOn) : undefined;
  const rows = system.enumeration.pairs.map((p) => {
    const r = datasetRow(system, { pair: p, elementA: system.enumeration.cell.sites[p.atomA].element, elementB: system.enumeration.cell.sites[p.atomB].element });
    return {
      id: p.id,
      site_a: p.siteA,
      site_b: p.siteB,
      wyckoff_a: p.wyckoffA,
      wyckoff_b: p.wyckoffB,
      distance: p.distance,
      image_distances: p.imageDistances,
      multiplicity: p.multiplicity,
      swappable: p.swappable,
      xa: r.xa,
      ya: r.ya,
      za: r.za,
      dx: r.dx,
      dy: r.dy,
      dz: r.dz,
      ...(choice ? { substitutions: distinctSubstitutions(system.enumeration, choice, [p]).length } : {}),
    };
  });
  return { system, rows, likePairsBeyond: likePairsBeyond(system, choice) };
}

/** The rows of a data set to fill: one per physical calculation of the elements (coordinates included, eds_eV empty). */
export function templateRows(c: CellChoice & { elements?: string[]; elementsOn?: SiteElements[] }) {
  const system = systemOf(c);
  const choice = elementChoice(system, c.elements, c.elementsOn);
  const subs = distinctSubstitutions(system.enumeration, choice);
  const rows = subs.map((s) => ({ ...datasetRow(system, s), config: s.pair.id, kind: substitutionKind(system.enumeration, s), distance: s.pair.distance }));
  return { system, likePairsBeyond: likePairsBeyond(system, choice), csv: writeTable(MANIFEST_COLUMNS, rows, { keep: ['eds_eV'] }), rows: rows.length };
}

/** One substituted cell. */
export function substituteOne(c: CellChoice & { pair: number; elements: [string, string] }) {
  const system = systemOf(c);
  const pair = system.enumeration.pairs[c.pair - 1];
  if (!pair) throw new InputError(`--pair ${c.pair}: expected a configuration id from 1 to ${system.enumeration.pairs.length}`);
  const s = canonicalSubstitution(pair, c.elements[0], c.elements[1]);
  return { system, substitution: s, cell: substitutedCell(system, { pair, elementA: c.elements[0], elementB: c.elements[1] }), kind: substitutionKind(system.enumeration, s) };
}

/** Every cell of a manifest (data-set format; eds_eV may be empty) into `dir`, with the manifest echoed beside them. */
export function substituteBatch(c: CellChoice & { manifest: string; out: string; positions?: PositionFrame }) {
  const system = systemOf(c);
  const ds = loadDataset(c.manifest, system.enumeration, { structure: system.structure, frame: c.positions, energyOptional: true });
  return { system, ...writeCalculations(c.out, system, ds.rows.map((r) => ({ substitution: r.substitution }))) };
}

/** CE feature vectors of a data set's substitutions or of every substitution of some elements. */
export function featureTable(c: CellChoice & { features: string; ce: CeOptions; data?: string; elements: string[] }) {
  const system = systemOf(c);
  const f = new CeFeaturizer(system.enumeration, featureDefinition(c.features, c.ce));
  const subs = c.data
    ? loadDataset(c.data, system.enumeration, { structure: system.structure }).rows.map((r) => ({ s: r.substitution, eds: r.eds as number | '' }))
    : expandSubstitutions(system.enumeration, c.elements).map((s) => ({ s, eds: '' as number | '' }));
  const header = ['config', 'site_a', 'element_a', 'site_b', 'element_b', 'kind', ...f.names, ...(c.data ? ['eds'] : [])];
  const rows = subs.map(({ s, eds }) => [s.pair.id, s.pair.siteA, s.elementA, s.pair.siteB, s.elementB, substitutionKind(system.enumeration, s), ...f.features(s).map((x) => +x.toPrecision(8)), ...(c.data ? [eds] : [])]);
  return { csv: toCsv(header, rows), rows: rows.length, features: f.names.length, definition: f.definition };
}

/**
 * The k calculations of a structure whose DFT energies would teach a model most,
 * written as cells and a manifest to fill and pass back with --data. The cell and
 * the site pairs are those of the model's training phase when the structure is
 * one (its supercell and max distance), unless given. Calculations already done —
 * the target's rows in `data`, and a training phase's own data — are never
 * proposed; those with energies condition the model first. Elements: per site,
 * those the target's data place there; else those given; else the training's
 * substituents. Goal: which substitutions are stabilising (default while the
 * target has no DFT energy), or the summed variance.
 */
export async function suggestCalculations(c: Partial<CellChoice> & { cif: string; model: string; budget: number; elements?: string[]; out: string; family?: string; goal?: SuggestGoal; data?: string; positions?: PositionFrame }) {
  const saved = await loadModel(c.model);
  const structure = readStructure(c.cif, { block: c.block || undefined });
  const fingerprint = phaseOf(structure);
  const trained = saved.training.phases.find((p) => samePhase(fingerprint, p.phase));
  const system = systemOf({ cif: c.cif, block: c.block, supercell: c.supercell ?? trained?.supercell, maxDistance: c.maxDistance ?? trained?.maxDistance });
  const { family, model } = chooseFamily(saved, system.structure, c.family);
  if (!model.suggest || !model.predictDistribution)
    throw new InputError(`the ${family} model cannot suggest calculations; families that can: ${familiesWith('suggest').map((f) => f.name).join(', ')} (cescreen train --family …)`, { file: c.model });
  const rows = [
    ...(c.data ? loadDataset(c.data, system.enumeration, { structure: system.structure, frame: c.positions, energyOptional: true }).rows : []),
    ...(trained && existsSync(trained.data) && !c.data ? loadDataset(trained.data, system.enumeration, { structure: system.structure }).rows : []),
  ];
  const done = new Set(rows.map((r) => r.key));
  const computed = collapseByKey(rows.filter((r) => Number.isFinite(r.eds)));
  const conditioned = computed.length && model.withMore ? model.withMore(computed) : model;
  // per orbit, the elements the target's data place there (the user's per-site choice)
  const sites = system.enumeration.cell.sites;
  const orbit = system.enumeration.symmetry.orbitOf;
  const placed = new Map<number, Set<string>>();
  for (const r of rows)
    for (const [atom, el] of [
      [r.substitution.pair.atomA, r.substitution.elementA],
      [r.substitution.pair.atomB, r.substitution.elementB],
    ] as const)
      if (sites[atom].element !== el) placed.set(orbit[atom], (placed.get(orbit[atom]) ?? new Set()).add(el));
  const elements = c.elements ?? (placed.size ? [...new Set([...placed.values()].flatMap((s) => [...s]))] : (saved.training.substituents ?? saved.training.elements));
  const allowed = (atom: number, el: string) => el === sites[atom].element || c.elements !== undefined || !placed.size || placed.get(orbit[atom])?.has(el) === true;
  const candidates = distinctSubstitutions(system.enumeration, elements).filter(
    (s) => !done.has(calculationKey(system.enumeration, s)) && allowed(s.pair.atomA, s.elementA) && allowed(s.pair.atomB, s.elementB),
  );
  if (candidates.length === 0) throw new InputError('no candidate substitutions left: every one is computed already, or give --elements other than the hosts');
  const goal: SuggestGoal = c.goal ?? (computed.length ? 'variance' : 'stabilising');
  const picks = conditioned.suggest!(system.enumeration, candidates, c.budget, { goal });
  const chosen = picks.map((p) => candidates[p.index]);
  const d = conditioned.predictDistribution!(system.enumeration, chosen);
  const written = writeCalculations(c.out, system, chosen.map((s, k) => ({ substitution: s, eds_pred: d.mean[k], eds_sd: d.sd[k] })));
  return {
    family,
    goal,
    system,
    candidates: candidates.length,
    computed: computed.length,
    picks: chosen.map((s, k) => ({ ...datasetRow(system, s), config: s.pair.id, kind: substitutionKind(system.enumeration, s), eds_pred: d.mean[k], eds_sd: d.sd[k], p_stabilising: probabilityBelow(d.mean[k], d.sd[k]) })),
    ...written,
  };
}
