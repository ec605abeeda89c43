/**
 * `cescreen campaign`: the screening loop on one target phase, end to end. A
 * model trained on other phases (or read from a model file) picks calculations
 * of the target — `suggest`'s goals, or at random — an engine computes them
 * (`compute`), the model learns them, and so on for r rounds. After each round
 * it is scored on the target's rows not computed yet (MAE, 90 % coverage) and on
 * the stabilising set (F1), against true energies that serve the report only: a
 * data set of the target, or every remaining row computed at the end.
 *
 * How the model learns a round (`update`): by default it is conditioned on the
 * computed rows (`withMore`), hyper-parameters and calibration kept. The
 * between-phase variances were learned from the training phases; a few rows of
 * one more phase cannot re-tune them, but conditioning moves the target's phase
 * terms exactly as the posterior says, in seconds instead of a fit of minutes,
 * and the target stays calibrated as a new phase (a few shots never make a
 * phase known). `refit` fits the family again on everything, for comparison.
 *
 * The campaign folder holds every round; rerunning continues where it stopped
 * (a round is complete once its round.json is written; an interrupted engine
 * run resumes its own output):
 *   campaign.json               settings (a rerun must match them) and the curve
 *   engine-cache.json           μ and the relaxed pristine cell, shared by the rounds
 *   round-00/                   the model before any calculation and its predictions
 *   round-NN/manifest.csv       the round's picks, with their cells (as `suggest` writes them)
 *   round-NN/eds.csv            their energies (`compute`'s output and its .compute.json)
 *   round-NN/computed.csv       every energy of the target so far (a data set to train on)
 *   round-NN/model.json         the model after the round (`predict`, `suggest` read it)
 *   round-NN/predictions.csv    every candidate: E_DS, sd, 90 % interval, P(E_DS < 0)
 *   round-NN/round.json         written last: picks, energies, predictions, scores
 *   truth.csv                   --truth compute: every candidate's energy (the rows never picked computed at the
 *                               end, in truth-engine.csv), a data set to pass as --truth or --replay later
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetRow, structureForData, substitutionSystem, trainingSets, type DataSource, type SubstitutionSystem } from '../substitution/system.ts';
import { readStructure } from '../structure/io.ts';
import { collapseByKey, DATASET_COLUMNS, loadDataset, relaxedAway, type PositionFrame } from '../substitution/dataset.ts';
import { calculationKey, distinctSubstitutions, substitutionKind, type Substitution } from '../substitution/substitution.ts';
import { ENGINES, engineEntry } from '../engine/registry.ts';
import { identityKey } from '../engine/cache.ts';
import { DEFAULT_FAMILY, familiesWith, familyEntry, fitFamily } from '../model/families/index.ts';
import { hasCapability, type Capability, type Distribution, type SubstitutionModel, type TrainingSample } from '../model/families/contract.ts';
import { labelScores, mean } from '../model/learn/metrics.ts';
import { childSeed, createRng, shuffleInPlace } from '../model/learn/random.ts';
import { loadModel, phaseOf, samePhase, saveModel, storeCell, type PhaseFingerprint, type SavedModel, type TrainingInfo } from '../predict/modelFile.ts';
import { probabilityBelow, STABILISING_PROBABILITY } from '../util/normal.ts';
import { choice, number, text, type ParamDefs, type ParamValues } from '../util/params.ts';
import { columns, energyColumn, optional, readTable, writeTable } from '../util/table.ts';
import { writeFileAtomic } from '../util/atomicWrite.ts';
import { InputError } from '../util/errors.ts';
import { SILENT, inStage, type Progress } from '../util/progress.ts';
import { ENUMERATION_COLUMNS, SUBSTITUTION_COLUMNS, writeCalculations, type CellChoice } from './calculations.ts';
import { COMPUTE_COLUMNS, Interrupted, compute, engineSettings, type ComputeResult } from './compute.ts';
import { trainingInfo, trainModel } from './train.ts';
import { specOf, type ModelChoice } from './choices.ts';
import { sha256File, shortDigest } from '../util/digest.ts';

/** Most candidates of a campaign: `suggest` holds their m × m posterior covariance (5000: 200 MB). */
export const MAX_CAMPAIGN_CANDIDATES = 5000;

export type CampaignGoal = 'stabilising' | 'variance' | 'random';
export type CampaignUpdate = 'condition' | 'refit';

export const CAMPAIGN_PARAMS = {
  budget: number('calculations per round', 5, { integer: true, min: 1, max: 1000 }),
  rounds: number('rounds of pick → compute → learn', 3, { integer: true, min: 1, max: 200 }),
  goal: choice<CampaignGoal>('how a round picks its calculations', 'stabilising', {
    stabilising: 'the model suggests those that most reduce the expected number of misjudged signs of E_DS (suggest --goal stabilising)',
    variance: 'the model suggests those that most reduce the summed predictive variance (suggest --goal variance)',
    random: 'uniformly at random among the candidates not computed yet (--seed)',
  }),
  update: choice<CampaignUpdate>('how the model learns a round’s energies', 'condition', {
    condition: 'conditioned on them (withMore): hyper-parameters and calibration learned between the training phases are kept, the target stays a new phase; seconds',
    refit: 'the family fitted again on the training data and every computed row (hyper-parameters re-tuned; the target becomes a training phase); a full fit per round',
  }),
  truth: text('true energies of the target for the report only: a data set of it (same engine and settings), or "compute" to compute every row never picked at the end (default: the --replay data set, else none)', ''),
} as const satisfies ParamDefs;

export interface CampaignRequest extends CellChoice, Omit<ModelChoice, 'model' | 'family'>, Omit<ParamValues<typeof CAMPAIGN_PARAMS>, 'truth'> {
  /** Substituents on every site; `siteElements` by site label (either or both; default: the rows of --truth or --replay). */
  elements?: string[];
  siteElements?: Record<string, string[]>;
  /** Positions of the truth and replay data sets: fractions of the CIF cell (default) or of the supercell. */
  positions?: PositionFrame;
  /** The campaign folder. */
  output: string;
  /** Training data from other phases, or `modelFile`: a model file to start from. */
  sources?: DataSource[];
  modelFile?: string;
  family?: string;
  /** The engine that computes the picks, with its options; or `replay`: take them from a data set of the target. */
  engine?: string;
  options?: Record<string, unknown>;
  replay?: string;
  jobs?: number;
  cache?: string;
  truth?: string;
  progress?: Progress;
  signal?: AbortSignal;
}

/** Scores of one round against the true energies. */
export interface RoundScores {
  /** Candidates with a true energy, and those of them not computed yet (where MAE and coverage are taken). */
  scored: number;
  uncomputed: number;
  mae: number | null;
  coverage: number | null;
  width: number | null;
  /** Truth E_DS < 0; called stabilising: computed rows by their energy, the others by P(E_DS < 0) ≥ 0.9. */
  stabilising: { f1: number; precision: number; recall: number; predicted: number; true: number };
}

export interface Pick {
  config: number;
  site_a: string;
  element_a: string;
  site_b: string;
  element_b: string;
  eds_pred: number;
  eds_sd: number;
  /** The engine's E_DS; absent when the calculation failed (see reason). */
  eds?: number;
  reason?: string;
}

export interface RoundReport {
  round: number;
  /** Calculations spent so far (failed ones included), and those with an energy. */
  calculations: number;
  computed: number;
  picks: Pick[];
  /** Candidates called stabilising after the round (computed ones by their energy, the others at P ≥ 0.9). */
  stabilising: number;
  /** Mean calibrated sd of the candidates not computed yet, eV. */
  meanSd: number | null;
  scores: RoundScores | null;
  seconds: number;
}

export interface CampaignResult {
  output: string;
  target: { cif: string; formula: string; supercell: string; maxDistance: number; candidates: number };
  family: string;
  goal: CampaignGoal;
  update: CampaignUpdate;
  budget: number;
  source: string;
  truth: string | null;
  rounds: RoundReport[];
  /** Rounds read back from the folder instead of run. */
  resumed: number;
  notes: string[];
  seconds: number;
}

/** What round.json keeps: enough to score the round again and to rebuild the model's data. */
interface RoundFile extends Omit<RoundReport, 'scores'> {
  format: 'cescreen-campaign-round-1';
  /** Candidate indices picked this round, and their energies (null: failed). */
  picked: number[];
  energies: (number | null)[];
  /** Predictive distribution of every candidate after the round, in candidate order. */
  prediction: { mean: number[]; sd: number[]; lo: number[]; hi: number[] };
}

const CAMPAIGN_FORMAT = 'cescreen-campaign-1';

/** Every candidate after a round (the `predict` columns the campaign knows, and what was computed). */
const PREDICTION_COLUMNS = [
  ...SUBSTITUTION_COLUMNS,
  ...ENUMERATION_COLUMNS,
  energyColumn('eds_pred', 'predicted E_DS per cell', 6),
  energyColumn('eds_sd', 'sd of the predictive distribution', 6),
  energyColumn('eds_lo', 'lower end of the 90 % interval', 6),
  energyColumn('eds_hi', 'upper end of the 90 % interval', 6),
  columns.number('p_stabilising', 'P(E_DS < 0); stabilising means ≥ 0.9', { min: 0, max: 1, digits: 4 }),
  optional(energyColumn('eds_eV', 'the engine’s E_DS, for the rows computed so far')),
  optional(columns.number('round', 'round in which the row was computed', { integer: true, min: 1 })),
] as const;

const roundDir = (dir: string, r: number) => join(dir, `round-${String(r).padStart(2, '0')}`);

/** The candidates: the substituents given (per site label or for every site), else the rows of a data set of the target. */
function candidatesOf(req: CampaignRequest, system: SubstitutionSystem, rowsFrom: string | undefined): Substitution[] {
  const e = system.enumeration;
  const sites = e.cell.sites;
  if (req.elements || req.siteElements) {
    const labels = [...new Set(sites.map((s) => s.label))];
    for (const l of Object.keys(req.siteElements ?? {}))
      if (!labels.includes(l)) throw new InputError(`--site-elements ${l}=…: the structure has no site ${l} (its sites: ${labels.join(', ')})`, { file: req.cif });
    const allowed = (atom: number) => req.siteElements?.[sites[atom].label] ?? req.elements ?? [];
    const ok = (atom: number, el: string) => el === sites[atom].element || allowed(atom).includes(el);
    const all = [...new Set([...(req.elements ?? []), ...Object.values(req.siteElements ?? {}).flat()])];
    return distinctSubstitutions(e, all).filter((s) => ok(s.pair.atomA, s.elementA) && ok(s.pair.atomB, s.elementB));
  }
  if (!rowsFrom) throw new InputError('which calculations can the campaign pick? give --elements or --site-elements (the substituents), or --truth/--replay with a data set of the target');
  const rows = loadDataset(rowsFrom, e, { structure: system.structure, frame: req.positions, energyOptional: true }).rows.filter((r) => r.kind !== 'pristine');
  const seen = new Set<string>();
  return rows.filter((r) => !seen.has(r.key) && seen.add(r.key)).map((r) => r.substitution);
}

/** Energies of a data set of the target by calculation key (rows without one left out), and the keys that relaxed away, with why (neither learned from nor scored, as training sets them aside). */
function energiesOf(file: string, system: SubstitutionSystem, frame?: PositionFrame): { energies: Map<string, number>; setAside: Map<string, string> } {
  const rows = loadDataset(file, system.enumeration, { structure: system.structure, frame, energyOptional: true }).rows.filter((r) => Number.isFinite(r.eds));
  const setAside = new Map(rows.flatMap((r) => { const why = relaxedAway(r.maxDisplacement); return why ? [[r.key, why] as const] : []; }));
  return { energies: new Map(collapseByKey(rows.filter((r) => !setAside.has(r.key))).map((s) => [s.key, s.eds])), setAside };
}

/** Scores of a round's predictions against the truth (see RoundScores). */
export function scoreRound(keys: readonly string[], d: RoundFile['prediction'], computed: ReadonlyMap<string, number>, truth: ReadonlyMap<string, number>): RoundScores {
  const scored = keys.map((k, i) => i).filter((i) => truth.has(keys[i]));
  const open = scored.filter((i) => !computed.has(keys[i]));
  const y = (i: number) => truth.get(keys[i])!;
  const called = scored.map((i) => (computed.has(keys[i]) ? computed.get(keys[i])! < 0 : probabilityBelow(d.mean[i], d.sd[i]) >= STABILISING_PROBABILITY));
  const st = labelScores(scored.map((i) => y(i) < 0), called);
  const orNull = (x: number) => (open.length ? x : null);
  return {
    scored: scored.length,
    uncomputed: open.length,
    mae: orNull(mean(open.map((i) => Math.abs(y(i) - d.mean[i])))),
    coverage: orNull(mean(open.map((i) => (y(i) >= d.lo[i] && y(i) <= d.hi[i] ? 1 : 0)))),
    width: orNull(mean(open.map((i) => d.hi[i] - d.lo[i]))),
    stabilising: { f1: st.f1, precision: st.precision, recall: st.recall, predicted: st.tp + st.fp, true: st.tp + st.fn },
  };
}

/** The campaign's settings: a rerun in the same folder must match them (rounds, truth, jobs and cache may change). */
function settingsRecord(req: CampaignRequest, system: SubstitutionSystem, candidates: string[], source: Record<string, unknown>, start: Record<string, unknown>, family: string) {
  return {
    target: { cif: req.cif, sha256: sha256File(req.cif), block: req.block ?? null, supercell: system.supercell, maxDistance: system.maxDistance, candidates: candidates.length, candidatesDigest: shortDigest(candidates.join('\n')) },
    start,
    family,
    source,
    budget: req.budget,
    goal: req.goal,
    update: req.update,
    seed: req.seed,
  };
}

function checkSettings(file: string, settings: Record<string, unknown>): void {
  if (!existsSync(file)) return;
  let saved: { format?: string; settings?: Record<string, unknown> };
  try {
    saved = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(`not a readable campaign record (${(e as Error).message}): choose another folder`, { file });
  }
  if (saved.format !== CAMPAIGN_FORMAT || !saved.settings) throw new InputError('the folder holds something other than a cescreen campaign: choose another folder', { file });
  const differ = Object.keys(settings).filter((k) => JSON.stringify(saved.settings![k]) !== JSON.stringify(settings[k]));
  if (differ.length) throw new InputError(`the campaign in this folder was started with other settings (${differ.join(', ')} differ): rerun it as it was to continue, or choose another folder`, { file });
}

/** Run (or continue) a campaign; see the file's comment. */
export async function runCampaign(req: CampaignRequest): Promise<CampaignResult> {
  const started = Date.now();
  const progress = req.progress ?? SILENT;
  const dir = req.output;
  if (req.sources?.length && req.modelFile) throw new InputError('give training data (--data …) or a model file (--model), not both');
  const system = substitutionSystem(req.cif, { block: req.block, supercell: req.supercell, maxDistance: req.maxDistance });
  const e = system.enumeration;
  const truthFile = req.truth === 'compute' ? undefined : req.truth || req.replay;
  const candidates = candidatesOf(req, system, truthFile ?? req.replay);
  if (candidates.length === 0) throw new InputError('no candidate calculation: give substituents other than the hosts (--elements, --site-elements)', { file: req.cif });
  if (candidates.length > MAX_CAMPAIGN_CANDIDATES) throw new InputError(`${candidates.length} candidate calculations: at most ${MAX_CAMPAIGN_CANDIDATES} (fewer elements, a smaller --max-distance)`, { file: req.cif });
  const keys = candidates.map((s) => calculationKey(e, s));
  const index = new Map(keys.map((k, i) => [k, i]));

  // where the energies come from: an engine that runs here, checked before any training, or a data set
  let source: Record<string, unknown>;
  let replayed: ReturnType<typeof energiesOf> | undefined;
  let engineOptions: Record<string, unknown> = {};
  if (req.replay) {
    if (req.truth === 'compute') throw new InputError('--truth compute needs an engine, not --replay (the replayed data set is the truth)');
    replayed = energiesOf(req.replay, system, req.positions);
    source = { replay: req.replay, sha256: sha256File(req.replay) };
  } else {
    const entry = engineEntry(req.engine ?? 'lammps');
    if (!entry.runsHere) throw new InputError(`engine ${entry.name} runs elsewhere (it writes input sets): a campaign needs an engine that runs here (${ENGINES.filter((x) => x.runsHere).map((x) => x.name).join(', ')}), or --replay`);
    engineOptions = engineSettings(entry, req.options);
    const elements = [...new Set([...e.cell.composition().keys(), ...candidates.flatMap((s) => [s.elementA, s.elementB])])].sort();
    const session = await entry.runsHere.open(engineOptions as never, elements);
    for (const host of e.cell.composition().keys()) {
      const p = session.elementProblem(host);
      if (p) throw new InputError(`the structure's own ${p}`, { file: req.cif });
    }
    source = { engine: entry.name, identity: identityKey(session.identity) };
  }

  // the target must be new to the model, or the campaign measures nothing (checked before a training, and of a model file)
  const fingerprint = phaseOf(system.structure);
  const heldOut = (phases: { data: string; phase: PhaseFingerprint }[]) => {
    const same = phases.find((p) => samePhase(fingerprint, p.phase));
    if (same) throw new InputError(`the target phase is among the model's training data (${same.data}): hold it out, or the campaign measures nothing`, { file: req.cif });
  };
  if (!req.modelFile) heldOut((req.sources ?? []).map((s) => ({ data: s.data, phase: phaseOf(readStructure(structureForData(s.data, s.structure))) })));

  // the model before any calculation: trained here on other phases, or read
  const start0 = roundDir(dir, 0);
  const modelFile0 = join(start0, 'model.json');
  const start = req.modelFile ? { model: req.modelFile, sha256: sha256File(req.modelFile) } : { sources: (req.sources ?? []).map((s) => ({ ...s, sha256: sha256File(s.data) })), params: req.params ?? null, features: req.features ?? null, ce: req.ce ?? null };
  const family0 = req.family ?? (req.modelFile ? undefined : DEFAULT_FAMILY);
  const settings = settingsRecord(req, system, keys, source, start, family0 ?? 'first of the file');
  checkSettings(join(dir, 'campaign.json'), settings);
  const writeRecord = (rounds: RoundReport[]) => writeFileAtomic(join(dir, 'campaign.json'), JSON.stringify({ format: CAMPAIGN_FORMAT, settings, rounds }, null, 1) + '\n');
  writeRecord([]);

  // always the model as read back from round-00, so a resumed campaign starts from the same numbers
  if (!existsSync(modelFile0)) {
    if (req.modelFile) writeFileAtomic(modelFile0, readFileSync(req.modelFile));
    else {
      if (!req.sources?.length) throw new InputError('no training data: give --data (with --structure, --supercell, --max-distance per phase) or --model');
      saveModel(modelFile0, await trainModel({ sources: req.sources, families: [family0!], params: req.params, features: req.features, ce: req.ce, seed: req.seed, progress }));
    }
  }
  const saved = await loadModel(modelFile0);
  const family = family0 ?? Object.keys(saved.families)[0];
  const model0 = saved.families[family];
  if (!model0) throw new InputError(`the model file holds no ${family} model (it has ${Object.keys(saved.families).join(', ')})`, { file: req.modelFile });
  const entry = familyEntry(family);
  const need: Capability[] = ['distribution', ...(req.goal === 'random' ? [] : ['suggest' as const]), ...(req.update === 'condition' ? ['withMore' as const] : [])];
  for (const c of need)
    if (!hasCapability(entry, c)) throw new InputError(`the ${family} family cannot ${c === 'distribution' ? 'give intervals and P(E_DS < 0)' : c === 'suggest' ? `suggest (--goal ${req.goal})` : 'be conditioned on new rows (--update condition)'}; families that can: ${familiesWith(c).map((f) => f.name).join(', ')}`);
  heldOut(saved.training.phases);
  const notes: string[] = [];

  const samplesOf = (computed: Map<string, number>): TrainingSample[] =>
    [...computed].map(([k, eds]) => {
      const s = candidates[index.get(k)!];
      return { enumeration: e, substitution: s, kind: substitutionKind(e, s), eds, phase: 'target' };
    });
  /** Candidate i as a data-set row (its pair id as the row's config). */
  const dataRow = (i: number, eds?: number) => ({ ...datasetRow(system, candidates[i]), eds_eV: eds, config: String(candidates[i].pair.id) });
  /** The model after `computed`, with the training record of its file. */
  const learn = async (computed: Map<string, number>, computedFile: string): Promise<SavedModel> => {
    if (!computed.size) return { families: { [family]: model0 }, training: saved.training };
    const phase = { structure: req.cif, data: computedFile, phase: fingerprint, samples: computed.size, supercell: system.supercell, maxDistance: system.maxDistance, cell: storeCell(e, system.maxDistance) };
    if (req.update === 'condition') {
      const extra = samplesOf(computed);
      const training: TrainingInfo = {
        ...saved.training,
        phases: [...saved.training.phases, phase],
        samples: saved.training.samples + extra.length,
        elements: [...new Set([...saved.training.elements, ...e.cell.composition().keys(), ...extra.flatMap((s) => [s.substitution.elementA, s.substitution.elementB])])].sort(),
      };
      return { families: { [family]: model0.withMore!(extra) }, training };
    }
    // refit: the training phases as the model file lists them, and the target's rows so far
    const sources = [...saved.training.phases.map((p) => ({ data: p.data, structure: p.structure, supercell: p.supercell, maxDistance: p.maxDistance })), { data: computedFile, structure: req.cif, supercell: system.supercell, maxDistance: system.maxDistance }];
    const { systems, data } = trainingSets(sources);
    const samples = collapseByKey(data.rows);
    const model = await fitFamily(model0.spec, samples);
    return { families: { [family]: model }, training: trainingInfo(systems, sources.map((s) => s.data), samples, model0.spec.seed) };
  };

  // the truth, for the report
  let truth = truthFile ? energiesOf(truthFile, system, req.positions).energies : undefined;
  const rounds: RoundReport[] = [];
  const files: RoundFile[] = [];
  const computed = new Map<string, number>();
  const spent = new Set<string>();
  let resumed = 0;
  let current: SavedModel | undefined;

  const predictAll = (m: SubstitutionModel): RoundFile['prediction'] => {
    const d: Distribution = m.predictDistribution!(e, candidates);
    return { mean: d.mean, sd: d.sd, lo: d.lo, hi: d.hi };
  };
  const report = (f: RoundFile): RoundReport => {
    const { format: _f, picked: _p, energies: _e, prediction: _d, ...rest } = f;
    return { ...rest, scores: truth ? scoreRound(keys, f.prediction, computed, truth) : null };
  };
  const logRound = (r: RoundReport) => {
    const s = r.scores;
    progress.log(
      `round ${r.round}: ${r.calculations} calculations (${r.computed} with an energy), ${r.stabilising} called stabilising` +
        (s ? `; MAE ${s.mae === null ? '—' : (1000 * s.mae).toFixed(0)} meV and 90 % coverage ${s.coverage === null ? '—' : `${(100 * s.coverage).toFixed(0)} %`} on ${s.uncomputed} not computed; stabilising F1 ${s.stabilising.f1.toFixed(3)}` : ''),
    );
  };
  /** The record of a finished round: energies in, model learnt and saved, every candidate predicted. */
  const finishRound = async (r: number, picked: number[], energies: (number | null)[], picks: Pick[], t0: number): Promise<RoundFile> => {
    const rd = roundDir(dir, r);
    picked.forEach((i, k) => {
      spent.add(keys[i]);
      if (energies[k] !== null) computed.set(keys[i], energies[k]!);
    });
    const computedFile = join(rd, 'computed.csv');
    if (computed.size) writeFileAtomic(computedFile, writeTable(DATASET_COLUMNS, [...computed].map(([k, eds]) => dataRow(index.get(k)!, eds))));
    current = await inStage(progress, `round ${r}: ${req.update === 'condition' || !computed.size ? 'condition the model' : 'refit the model'}`, 1, () => learn(computed, computedFile));
    const m = current.families[family];
    const prediction = await inStage(progress, `round ${r}: predict ${candidates.length} candidates`, 1, () => predictAll(m));
    if (r > 0) saveModel(join(rd, 'model.json'), current);
    const roundOf = new Map<string, number>();
    for (const f of [...files, { round: r, picked }]) for (const i of f.picked) roundOf.set(keys[i], f.round);
    writeFileAtomic(
      join(rd, 'predictions.csv'),
      writeTable(
        PREDICTION_COLUMNS,
        candidates.map((s, i) => ({
          ...datasetRow(system, s),
          config: s.pair.id,
          kind: substitutionKind(e, s),
          distance: s.pair.distance,
          eds_pred: prediction.mean[i],
          eds_sd: prediction.sd[i],
          eds_lo: prediction.lo[i],
          eds_hi: prediction.hi[i],
          p_stabilising: probabilityBelow(prediction.mean[i], prediction.sd[i]),
          eds_eV: computed.get(keys[i]),
          round: roundOf.get(keys[i]),
        })),
      ),
    );
    const open = keys.map((_, i) => i).filter((i) => !computed.has(keys[i]));
    const called = keys.filter((k, i) => (computed.has(k) ? computed.get(k)! < 0 : probabilityBelow(prediction.mean[i], prediction.sd[i]) >= STABILISING_PROBABILITY)).length;
    const f: RoundFile = {
      format: 'cescreen-campaign-round-1',
      round: r,
      calculations: spent.size,
      computed: computed.size,
      picks,
      stabilising: called,
      meanSd: open.length ? mean(open.map((i) => prediction.sd[i])) : null,
      seconds: (Date.now() - t0) / 1000,
      picked,
      energies,
      prediction,
    };
    writeFileAtomic(join(rd, 'round.json'), JSON.stringify(f) + '\n');
    return f;
  };
  const readRound = (r: number): RoundFile | undefined => {
    const file = join(roundDir(dir, r), 'round.json');
    if (!existsSync(file)) return undefined;
    const f = JSON.parse(readFileSync(file, 'utf8')) as RoundFile;
    if (f.format !== 'cescreen-campaign-round-1' || f.round !== r || f.prediction?.mean?.length !== candidates.length) throw new InputError('a damaged round record: remove this round folder to compute it again', { file });
    return f;
  };

  await inStage(progress, 'campaign', req.rounds + 1, async (stage) => {
    for (let r = 0; r <= req.rounds; r++) {
      const t0 = Date.now();
      let f = readRound(r);
      if (f) {
        resumed++;
        f.picked.forEach((i, k) => {
          spent.add(keys[i]);
          if (f!.energies[k] !== null) computed.set(keys[i], f!.energies[k]!);
        });
        current = undefined; // rebuilt from the energies when a later round needs it
      } else {
        if (req.signal?.aborted) throw new Interrupted(String(req.signal.reason));
        if (r === 0) f = await finishRound(0, [], [], [], t0);
        else {
          const open = keys.map((_, i) => i).filter((i) => !spent.has(keys[i]));
          if (!open.length) {
            notes.push(`every candidate was computed by round ${r - 1}: the campaign stops there`);
            break;
          }
          current ??= await learn(computed, join(roundDir(dir, r - 1), 'computed.csv'));
          const picked = await inStage(progress, `round ${r}: pick ${Math.min(req.budget, open.length)} (${req.goal})`, 1, () => pick(r, open, current!.families[family]));
          const { energies, picks } = await energiesOfPicks(r, picked);
          f = await finishRound(r, picked, energies, picks, t0);
        }
      }
      files.push(f);
      rounds.push(report(f));
      logRound(rounds[rounds.length - 1]);
      writeRecord(rounds);
      stage.tick();
    }
  });

  /** The round's calculations: the model's suggestions or random ones, written as `suggest` writes them (reused when the round was interrupted). */
  async function pick(r: number, open: number[], m: SubstitutionModel): Promise<number[]> {
    const manifest = join(roundDir(dir, r), 'manifest.csv');
    if (existsSync(manifest)) {
      const listed = loadDataset(manifest, e, { structure: system.structure, energyOptional: true }).rows.map((x) => index.get(x.key));
      if (listed.some((i) => i === undefined || spent.has(keys[i]))) throw new InputError('the manifest of an interrupted round lists calculations that are not open candidates: remove the round folder', { file: manifest });
      return listed as number[];
    }
    const k = Math.min(req.budget, open.length);
    const chosen =
      req.goal === 'random'
        ? shuffleInPlace([...open], createRng(childSeed(req.seed, `campaign random picks, round ${r}`))).slice(0, k)
        : m.suggest!(e, open.map((i) => candidates[i]), k, { goal: req.goal }).map((p) => open[p.index]);
    const d = m.predictDistribution!(e, chosen.map((i) => candidates[i]));
    writeCalculations(roundDir(dir, r), system, chosen.map((i, j) => ({ substitution: candidates[i], eds_pred: d.mean[j], eds_sd: d.sd[j] })));
    return chosen;
  }

  /** Energies of the round's picks: the engine (resuming its own output), or the replayed data set. */
  async function energiesOfPicks(r: number, picked: number[]): Promise<{ energies: (number | null)[]; picks: Pick[] }> {
    const rd = roundDir(dir, r);
    const out = join(rd, 'eds.csv');
    if (replayed) {
      const rows = picked.map((i) => {
        const s = candidates[i];
        const eds = replayed!.energies.get(keys[i]);
        const reason = replayed!.setAside.get(keys[i]) ?? (eds === undefined ? `failed: not in the replayed data set ${req.replay}` : undefined);
        return { ...datasetRow(system, s), config: s.pair.id, kind: substitutionKind(e, s), distance: s.pair.distance, eds_eV: reason ? undefined : eds, engine: 'replay', reason };
      });
      writeFileAtomic(out, writeTable(COMPUTE_COLUMNS, rows, { keep: ['eds_eV'] }));
    } else {
      await compute({ cif: req.cif, block: req.block, supercell: req.supercell, maxDistance: req.maxDistance, data: join(rd, 'manifest.csv'), engine: req.engine ?? 'lammps', options: engineOptions, output: out, jobs: req.jobs, cache: req.cache || join(dir, 'engine-cache.json'), progress, signal: req.signal });
    }
    const listed = loadDataset(out, e, { structure: system.structure, energyOptional: true }).rows;
    const reasons = readTable(out, COMPUTE_COLUMNS, 'computed data set').rows;
    const result = new Map(
      listed.map((x, k) => {
        const moved = relaxedAway(x.maxDisplacement);
        return [x.key, { eds: Number.isFinite(x.eds) && !moved ? x.eds : null, reason: moved ?? reasons[k].reason }];
      }),
    );
    const manifest = readTable(join(rd, 'manifest.csv'), [optional(energyColumn('eds_pred', '')), optional(energyColumn('eds_sd', ''))] as const, 'manifest').rows;
    const energies = picked.map((i) => result.get(keys[i])?.eds ?? null);
    const picks = picked.map((i, k): Pick => {
      const s = candidates[i];
      return { config: s.pair.id, site_a: s.pair.siteA, element_a: s.elementA, site_b: s.pair.siteB, element_b: s.elementB, eds_pred: manifest[k]?.eds_pred ?? NaN, eds_sd: manifest[k]?.eds_sd ?? NaN, ...(energies[k] !== null ? { eds: energies[k]! } : { reason: result.get(keys[i])?.reason ?? 'failed' }) };
    });
    return { energies, picks };
  }

  // --truth compute: every candidate never picked, by the same engine; truth.csv then holds every candidate's energy
  if (req.truth === 'compute') {
    const rest = keys.map((_, i) => i).filter((i) => !spent.has(keys[i]));
    const engineOut = join(dir, 'truth-engine.csv');
    truth = new Map();
    if (rest.length) {
      const manifest = join(dir, 'truth-rows.csv');
      writeFileAtomic(manifest, writeTable(DATASET_COLUMNS, rest.map((i) => dataRow(i)), { keep: ['eds_eV'] }));
      const r = (await compute({ cif: req.cif, block: req.block, supercell: req.supercell, maxDistance: req.maxDistance, data: manifest, engine: req.engine ?? 'lammps', options: engineOptions, output: engineOut, jobs: req.jobs, cache: req.cache || join(dir, 'engine-cache.json'), progress, signal: req.signal })) as ComputeResult;
      if (r.failed + r.unconverged) notes.push(`truth: ${r.failed + r.unconverged} of ${rest.length} rows failed or did not converge (left out of the scores; see ${engineOut})`);
      truth = energiesOf(engineOut, system).energies;
    }
    for (const [k, v] of computed) truth.set(k, v);
    writeFileAtomic(join(dir, 'truth.csv'), writeTable(DATASET_COLUMNS, keys.flatMap((k, i) => (truth!.has(k) ? [dataRow(i, truth!.get(k)!)] : []))));
    // each round is scored with the rows computed up to it
    computed.clear();
    rounds.length = 0;
    for (const f of files) {
      f.picked.forEach((i, k) => f.energies[k] !== null && computed.set(keys[i], f.energies[k]!));
      rounds.push(report(f));
    }
    writeRecord(rounds);
  } else if (truth) {
    const missing = keys.filter((k) => !truth!.has(k)).length;
    if (missing) notes.push(`truth: ${missing} of ${keys.length} candidates have no true energy in ${truthFile} (left out of the scores)`);
  }
  return {
    output: dir,
    target: { cif: req.cif, formula: system.structure.formula(), supercell: system.supercell, maxDistance: system.maxDistance, candidates: candidates.length },
    family,
    goal: req.goal,
    update: req.update,
    budget: req.budget,
    source: req.replay ? `replay of ${req.replay}` : (req.engine ?? 'lammps'),
    truth: req.truth === 'compute' ? join(dir, 'truth.csv') : (truthFile ?? null),
    rounds,
    resumed,
    notes,
    seconds: (Date.now() - started) / 1000,
  };
}
