import type { PairEnumeration } from '../substitution/pairs.ts';
import { distinctSubstitutions, substitutionKind, type Substitution } from '../substitution/substitution.ts';
import type { SubstitutionModel } from '../model/families/contract.ts';
import type { PredictionRow } from './table.ts';
import { datasetRow, type SubstitutionSystem } from '../substitution/system.ts';
import { probabilityBelow, STABILISING_PROBABILITY } from '../util/normal.ts';
import type { Stage } from '../util/progress.ts';

/** One predicted row per physical calculation (a single substitution once), in enumeration order. */
export function predictAll(
  model: SubstitutionModel,
  enumeration: PairEnumeration,
  elements: string[],
  trainedElements: readonly string[],
): PredictionRow[] {
  return mergeOrientationTwins(predictionRows(model, enumeration, distinctSubstitutions(enumeration, elements), trainedElements));
}

/**
 * Substitutions predicted at a time. Every row is predicted on its own (mean and marginal sd
 * identical to the last bit, the domain distance to ~1e-16), so batches change no result; they
 * bound memory: a GP's predictive variance needs the queries × training cross-covariance several
 * times over (23 MB per kernel block for 1781 β queries against 1612 α calculations). Peak of
 * `predict` for β (measured): all at once 498 MB, batches of 256 404 MB, of 64 386 MB, at the same speed.
 */
export const PREDICTION_BATCH = 64;

/** Predicted rows, with the 90 % interval and the applicability domain when the model gives them. */
export function predictionRows(
  model: SubstitutionModel,
  enumeration: PairEnumeration,
  subs: Substitution[],
  trainedElements: readonly string[],
  stage?: Stage,
): PredictionRow[] {
  const rows: PredictionRow[] = [];
  for (let i = 0; i < subs.length; i += PREDICTION_BATCH) {
    const batch = subs.slice(i, i + PREDICTION_BATCH);
    rows.push(...batchRows(model, enumeration, batch, new Set(trainedElements)));
    stage?.tick(batch.length);
  }
  return rows;
}

function batchRows(model: SubstitutionModel, enumeration: PairEnumeration, subs: Substitution[], known: ReadonlySet<string>): PredictionRow[] {
  const host = (atom: number) => enumeration.cell.sites[atom].element;
  const d = model.predictDistribution?.(enumeration, subs) ?? null;
  const e = d ? d.mean : model.predict(enumeration, subs);
  return subs.map((s, k) => ({
    config: s.pair.id,
    site_a: s.pair.siteA,
    element_a: s.elementA,
    site_b: s.pair.siteB,
    element_b: s.elementB,
    distance: s.pair.distance,
    eds_pred: e[k],
    kind: substitutionKind(enumeration, s),
    // an element never in training, placed or replaced (a new host counts)
    unseen: [s.elementA, s.elementB, host(s.pair.atomA), host(s.pair.atomB)].some((el) => !known.has(el)),
    ...(d ? { eds_sd: d.sd[k], eds_lo: d.lo[k], eds_hi: d.hi[k], domain: d.domain[k], out_of_domain: d.outOfDomain[k], p_stabilising: probabilityBelow(d.mean[k], d.sd[k]) } : {}),
  }));
}

/**
 * X@a,Y@b and Y@a,X@b of a pair whose two atoms share a site are two calculations
 * when no symmetry swaps them, but a model that sees environments gives them one
 * value: such twins are listed once.
 */
export function mergeOrientationTwins(rows: PredictionRow[]): PredictionRow[] {
  const first = new Map<string, PredictionRow>();
  return rows.filter((r) => {
    if (r.kind !== 'pair' || r.site_a !== r.site_b || r.element_a === r.element_b) return true;
    const k = `${r.config}|${[r.element_a, r.element_b].sort().join('|')}`;
    const twin = first.get(k);
    if (twin && Math.abs(twin.eds_pred - r.eds_pred) < 1e-9) return false;
    first.set(k, r);
    return true;
  });
}

/**
 * Rows a screening calls stabilising, most negative first: P(E_DS < threshold) ≥ 0.9
 * under the row's predictive distribution; a model without one can only be taken
 * at its word (mean below the threshold).
 */
export function stabilising<T extends StabilisingInput>(rows: readonly T[], threshold = 0): T[] {
  return rows.filter((r) => stabilisingProbability(r, threshold) >= STABILISING_PROBABILITY).sort((a, b) => a.eds_pred - b.eds_pred);
}

type StabilisingInput = Pick<PredictionRow, 'eds_pred' | 'eds_sd' | 'p_stabilising'>;

/** P(E_DS < threshold) of a row: its p_stabilising (threshold 0), else from its mean and sd (a point prediction: 0 or 1). */
export function stabilisingProbability(r: StabilisingInput, threshold = 0): number {
  return threshold === 0 && r.p_stabilising !== undefined ? r.p_stabilising : probabilityBelow(r.eds_pred, r.eds_sd ?? 0, threshold);
}

/** The rows with their positions as the data-set format writes them: a join key to any table of DFT rows. */
export function withPositions(system: SubstitutionSystem, rows: PredictionRow[]): PredictionRow[] {
  return rows.map((row) => {
    const pair = system.enumeration.pairs[row.config - 1];
    const { xa, ya, za, dx, dy, dz } = datasetRow(system, { pair, elementA: row.element_a, elementB: row.element_b });
    return { ...row, xa, ya, za, dx, dy, dz };
  });
}

