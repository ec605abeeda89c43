/**
 * How a model is judged: the protocol registry. A protocol says which units it
 * scores (every data row, or one per physical substitution), which units must
 * stay together (groups), and how the outer splits are made: one hold-out
 * split (with CV on the training part) or one split per held-out tag, pooled.
 * Adding a protocol = one entry in PROTOCOLS.
 */
import type { PairEnumeration } from '../../substitution/pairs.ts';
import { collapseByKey, rowSample, type DataRow, type Sample } from '../../substitution/dataset.ts';
import { groupTrainTestSplit, leaveGroupOut, repeatedGroupKFold, type Split } from '../learn/splits.ts';
import { InputError } from '../../util/errors.ts';
import { choice, number, type ParamValues } from '../../util/params.ts';

/** How an evaluation is run, declared once for `evaluate`'s options, its request and the protocol code. */
export const EVALUATION_PARAMS = {
  repeats: number('repetitions of 5-fold CV on the training part (hold-out protocols)', 20, { min: 0, max: 1000, integer: true }),
  threshold: number('E_DS below this is "stabilising" (F1, precision, recall)', 0, { unit: 'eV', min: -100, max: 100 }),
  select: choice('criterion of --search', 'mae', { mae: 'lowest MAE', r2: 'highest R²', f1: 'highest F1 of "stabilising"' }),
  shotsFrom: choice('how the k calculations of --shots are chosen', 'both', { suggest: "the model's suggestions (cescreen suggest)", random: 'at random', both: 'both' }),
  draws: number('random draws per k of --shots', 5, { min: 1, max: 100, integer: true }),
} as const;
export type EvaluationParams = ParamValues<typeof EVALUATION_PARAMS>;

export interface ProtocolEntry {
  name: string;
  description: string;
  /** One calculation can sit in train and test at once: scores are optimistic. */
  leaky: boolean;
  /** Evaluation units from the cleaned data rows. */
  units(rows: DataRow[]): Sample[];
  /** The group of a unit: groups are never split. */
  group(s: Sample): string;
  /** Outer splits of the units. */
  splits(units: Sample[], o: { seed: number; testFraction: number }): Split[];
  /** Leave-out protocols pool the test predictions of all their splits and score each held-out tag. */
  pooled: boolean;
  /** What the per-tag scores of a pooled protocol are named in results. */
  tagKind?: 'site' | 'element' | 'phase';
  /** Fewest units it can score meaningfully, and (leave-out protocols) fewest held-out tags. */
  minimum: { units: number; tags?: number };
}

/** A hold-out test part of 20 % holds at least 10 calculations: below that a score is noise (R² of 1.000 on 2 points). */
const HOLDOUT_MINIMUM = { units: 50 };

/** Sites a sample substitutes: a single substitution touches its own site only, whatever pair lists it. */
export function substitutedSites(s: Sample): string[] {
  const { pair, elementA, elementB } = s.substitution;
  const sites = s.enumeration.cell.sites;
  const label = (l: string) => (s.phase ? `${s.phase}:${l}` : l);
  return [...new Set([...(elementA !== sites[pair.atomA].element ? [label(pair.siteA)] : []), ...(elementB !== sites[pair.atomB].element ? [label(pair.siteB)] : [])])];
}

/** Substituted elements of a sample (a host on its own site is no dopant). */
export function dopants(enumeration: PairEnumeration, s: Sample): string[] {
  const { pair, elementA, elementB } = s.substitution;
  const out: string[] = [];
  if (elementA !== enumeration.cell.sites[pair.atomA].element) out.push(elementA);
  if (elementB !== enumeration.cell.sites[pair.atomB].element) out.push(elementB);
  return out;
}

const holdout = (group: (s: Sample) => string) => (units: Sample[], o: { seed: number; testFraction: number }) => [groupTrainTestSplit(units.map(group), o.testFraction, o.seed)];
const byKey = (s: Sample) => s.key;
const byRow = (s: Sample) => `${s.key}#${s.lines[0]}`;

export const PROTOCOLS: readonly ProtocolEntry[] = [
  {
    name: 'paper',
    description: 'random 8:2 split of the data rows, CV on the training part, as in the literature (duplicated calculations can sit on both sides: leaky)',
    leaky: true,
    units: (rows) => rows.map(rowSample),
    group: byRow,
    splits: holdout(byRow),
    pooled: false,
    minimum: HOLDOUT_MINIMUM,
  },
  {
    name: 'grouped',
    description: 'rows collapsed to one sample per physical calculation (median; a single substitution is one calculation in every pair that lists it), split by calculation',
    leaky: false,
    units: collapseByKey,
    group: byKey,
    splits: holdout(byKey),
    pooled: false,
    minimum: HOLDOUT_MINIMUM,
  },
  {
    name: 'leave-element-out',
    description: 'hold out every substitution containing element E, for each E',
    leaky: false,
    units: collapseByKey,
    group: byKey,
    splits: (units) => leaveGroupOut(units.map((s) => dopants(s.enumeration, s))),
    pooled: true,
    tagKind: 'element',
    minimum: { units: 20, tags: 2 },
  },
  {
    name: 'leave-site-out',
    description: 'hold out every calculation that substitutes site S, for each S: the proxy for a new phase, where site labels mean nothing',
    leaky: false,
    units: collapseByKey,
    group: byKey,
    splits: (units) => leaveGroupOut(units.map(substitutedSites)),
    pooled: true,
    tagKind: 'site',
    minimum: { units: 20, tags: 2 },
  },
  {
    name: 'leave-phase-out',
    description: 'hold out every calculation of one data set (--data) at a time, for each: the honest measure of transfer to a phase never seen',
    leaky: false,
    units: collapseByKey,
    group: byKey,
    splits: (units) => leaveGroupOut(units.map((s) => s.phase)),
    pooled: true,
    tagKind: 'phase',
    minimum: { units: 20, tags: 2 },
  },
];

export function protocolEntry(name: string): ProtocolEntry {
  const e = PROTOCOLS.find((p) => p.name === name);
  if (!e) throw new InputError(`--protocol ${name}: expected one of ${PROTOCOLS.map((p) => p.name).join(', ')}`);
  return e;
}

/** Repeated group k-fold of a protocol's training units (CV inside the training part). */
export function innerSplits(protocol: ProtocolEntry, train: Sample[], o: { folds: number; repeats: number; seed: number }): Split[] {
  return repeatedGroupKFold(train.map(protocol.group), o.folds, o.repeats, o.seed);
}
