/**
 * The predictions table (what `cescreen predict` writes) and the reference-energy
 * table compared with it. One row per substitution of one pair configuration:
 *   config,site_a,element_a,site_b,element_b,distance,eds_pred,kind,unseen
 * A host element on its own site means "no substitution there", so single
 * substitutions and the pristine cell live in the same table as the pairs.
 */
import type { SitePair } from '../substitution/pairs.ts';
import type { SubstitutionKind } from '../substitution/substitution.ts';
import { InputError } from '../util/errors.ts';
import { elementColumn } from '../structure/periodicTable.ts';
import { columns, energyColumn, optional, readTable, writeTable, type RowOf } from '../util/table.ts';

const config = columns.number('config', 'configuration id of the pair enumeration (`cescreen pairs`)', { integer: true, min: 1, expected: 'a positive integer id' });
const site = <N extends string>(name: N, end: string) => columns.text(name, `site label of ${end}`, { what: 'site label' });
const SUBSTITUTION_COLUMNS = [
  config,
  site('site_a', 'the first atom'),
  elementColumn('element_a', 'element on site a (the host element: unsubstituted)'),
  site('site_b', 'the second atom'),
  elementColumn('element_b', 'element on site b'),
] as const;

export const PREDICTION_COLUMNS = [
  ...SUBSTITUTION_COLUMNS,
  columns.number('distance', 'a–b minimum-image distance', { unit: 'Å', positive: true, digits: 4, expected: 'a positive distance in Å' }),
  energyColumn('eds_pred', 'predicted double-substitution energy E_DS per cell', 6),
  columns.choice('kind', 'pristine, single (one site keeps its host) or pair', ['pristine', 'single', 'pair'] as const satisfies readonly SubstitutionKind[]),
  columns.flag('unseen', '1 when an element placed or replaced (a host) never appeared in training (an extrapolation)'),
  optional(energyColumn('eds_sd', 'standard deviation of the predictive distribution', 6)),
  optional(energyColumn('eds_lo', 'lower end of the 90 % prediction interval', 6)),
  optional(energyColumn('eds_hi', 'upper end of the 90 % prediction interval', 6)),
  optional(columns.number('domain', 'distance of the substituted sites\' environments to the nearest training site (applicability domain)', { digits: 4 })),
  optional(columns.flag('out_of_domain', '1 when `domain` exceeds the documented threshold: treat the value as an extrapolation')),
  optional(columns.number('p_stabilising', 'P(E_DS < 0) under the predictive distribution; "stabilising" means ≥ 0.9', { min: 0, max: 1, digits: 4 })),
  // join keys: where the calculation is, as a data set gives it, and its id in the data set predicted (--data)
  ...(['xa', 'ya', 'za', 'dx', 'dy', 'dz'] as const).map((name) => optional(columns.number(name, `${name[0] === 'd' ? 'vector from a to b' : 'position of a'}, ${name[1]}, as a fraction of the CIF cell (the data-set format's)`, { unit: 'fraction' }))),
  optional(columns.text('unique_id', "the calculation's id in the data set given to predict --data")),
  optional(energyColumn('eds', 'its DFT energy in that data set', 6)),
] as const;

/** Columns every predictions table carries, whether or not its model gives intervals (empty then). */
export const ALWAYS_WRITTEN = ['eds_sd', 'eds_lo', 'eds_hi', 'domain', 'out_of_domain', 'p_stabilising'] as const;

/** X = element_a on site_a and Y = element_b on site_b of pair `config` of an enumeration. */
export type SubstitutionRow = RowOf<typeof SUBSTITUTION_COLUMNS>;
export type PredictionRow = RowOf<typeof PREDICTION_COLUMNS>;

export const ENERGY_COLUMNS = [
  ...SUBSTITUTION_COLUMNS,
  optional(columns.number('distance', 'a–b distance, to check the configuration', { unit: 'Å' })),
  energyColumn('eds', 'reference (DFT) E_DS per cell'),
] as const;
/** A reference (DFT) energy already mapped to the enumeration's configuration ids: the predictions format with `eds` for `eds_pred`. */
export type EnergyRow = RowOf<typeof ENERGY_COLUMNS>;

export interface Located<R> {
  file: string;
  rows: R[];
  lines: number[];
}

/** One configuration must keep its site labels; one substitution must appear once. */
function checkConsistent(t: Located<SubstitutionRow>): void {
  const sites = new Map<number, { a: string; b: string; line: number }>();
  const seen = new Map<string, number>();
  t.rows.forEach((r, k) => {
    const where = { file: t.file, line: t.lines[k] };
    const s = sites.get(r.config);
    if (!s) sites.set(r.config, { a: r.site_a, b: r.site_b, line: where.line });
    else if (s.a !== r.site_a || s.b !== r.site_b) throw new InputError(`config ${r.config} is ${s.a}–${s.b} on line ${s.line} but ${r.site_a}–${r.site_b} here`, where);
    const key = `${r.config}:${r.element_a}:${r.element_b}`;
    const first = seen.get(key);
    if (first !== undefined) throw new InputError(`${r.element_a}@${r.site_a}, ${r.element_b}@${r.site_b} of config ${r.config} is listed twice (also on line ${first})`, where);
    seen.set(key, where.line);
  });
}

/** Read a predictions CSV (the `predict` output); every problem is an InputError naming file and line. */
export function readPredictionsCsv(path: string): Located<PredictionRow> {
  const t = readTable(path, PREDICTION_COLUMNS, 'predictions table');
  checkConsistent(t);
  return t;
}

/**
 * Read reference energies in the predictions format with an `eds` column
 * (DFT values already mapped to the enumeration's configuration ids, as the
 * `evaluate`/`reproduce` commands write them). distance, kind and unseen are optional.
 */
export function readEnergyCsv(path: string, text?: string): Located<EnergyRow> {
  const t = readTable(path, ENERGY_COLUMNS, 'reference-energy table', {
    text,
    checkHeader: (header) => {
      if (!header.includes('eds') && header.includes('eds_eV')) {
        throw new InputError(
          "this looks like a raw DFT table (column eds_eV): its config numbers are the file's own, not the enumeration's; give a table in the predictions format with an 'eds' column",
          { file: path, line: 1 },
        );
      }
    },
  });
  checkConsistent(t);
  return t;
}

/** The predictions table as CSV text. */
export function predictionsCsv(rows: readonly PredictionRow[]): string {
  return writeTable(PREDICTION_COLUMNS, rows, { keep: ALWAYS_WRITTEN });
}

/**
 * Reference energies must describe the configurations of the predictions they
 * are compared with: same pair id, site labels and (when given) distance within
 * 0.01 Å. Otherwise they belong to another cell or structure.
 */
export function checkSameConfigurations(reference: Located<EnergyRow>, predictions: readonly PredictionRow[]): void {
  const pred = new Map(predictions.map((r) => [r.config, r]));
  reference.rows.forEach((r, k) => {
    const p = pred.get(r.config);
    if (!p) return;
    const sameSites = (p.site_a === r.site_a && p.site_b === r.site_b) || (p.site_a === r.site_b && p.site_b === r.site_a);
    if (!sameSites || (r.distance !== undefined && Math.abs(r.distance - p.distance) > 0.01)) {
      throw new InputError(
        `configuration ${r.config} is ${r.site_a}–${r.site_b}${r.distance !== undefined ? ` at ${r.distance.toFixed(3)} Å` : ''} here but ${p.site_a}–${p.site_b} at ${p.distance.toFixed(3)} Å in the predictions: the two tables belong to different cells or structures`,
        { file: reference.file, line: reference.lines[k] },
      );
    }
  });
}

/**
 * Predictions must belong to the pair enumeration they are shown with: same
 * configuration ids, site labels and distances (within 0.01 Å). Otherwise they
 * were made for another cell, supercell or --max-distance.
 */
export function checkPredictionsAgainstPairs(
  rows: readonly { config: number; site_a: string; site_b: string; distance: number }[],
  pairs: readonly SitePair[],
  source?: { file: string; lines: number[] },
): void {
  const byId = new Map(pairs.map((p) => [p.id, p]));
  const hint = 'were the predictions made for another structure, --supercell or --max-distance?';
  rows.forEach((r, k) => {
    const where = { file: source?.file, line: source?.lines[k] };
    const p = byId.get(r.config);
    if (!p) throw new InputError(`config ${r.config} is not a pair of this structure (it has ${pairs.length}); ${hint}`, where);
    if (p.siteA !== r.site_a || p.siteB !== r.site_b || Math.abs(p.distance - r.distance) > 0.01) {
      throw new InputError(
        `config ${r.config} is ${r.site_a}–${r.site_b} at ${r.distance.toFixed(4)} Å here but ${p.siteA}–${p.siteB} at ${p.distance.toFixed(4)} Å in the structure; ${hint}`,
        where,
      );
    }
  });
}
