import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { moduleWorker } from '../util/worker.ts';
import { substitutionSystem, type SubstitutionSystem } from '../substitution/system.ts';
import type { Stage } from '../util/progress.ts';
import { distinctSubstitutions } from '../substitution/substitution.ts';
import type { PredictionRow } from './table.ts';
import { chooseFamily, loadModel, type SavedModel } from './modelFile.ts';
import { mergeOrientationTwins, predictionRows } from './predict.ts';
import { InputError } from '../util/errors.ts';

/** Everything a thread needs to redo the setup on its own (model file, cell, elements). */
export interface PredictJob {
  model: string;
  cif: string;
  block?: string;
  supercell?: string;
  maxDistance?: number;
  family?: string;
  /** Elements to place; default those the model was trained on. */
  elements?: string[];
}

export interface PredictResult {
  family: string;
  /** Why the family is not the default one, when it is not. */
  warning?: string;
  /** What the model says its users must know. */
  notes: readonly string[];
  rows: PredictionRow[];
}

/** A loaded model and the cell it predicts. */
export interface Loaded {
  saved: SavedModel;
  system: SubstitutionSystem;
}

export async function loadJob(job: PredictJob): Promise<Loaded> {
  const saved = await loadModel(job.model);
  return { saved, system: substitutionSystem(job.cif, { block: job.block, supercell: job.supercell, maxDistance: job.maxDistance }) };
}

/** Share k of W of the job's substitutions (all of them for W = 1). */
export function predictShare({ saved, system }: Loaded, job: PredictJob, k = 0, W = 1, stage?: Stage): PredictResult {
  const { family, model, warning } = chooseFamily(saved, system.structure, job.family);
  const subs = distinctSubstitutions(system.enumeration, job.elements ?? saved.training.elements);
  const share = subs.slice(Math.floor((k * subs.length) / W), Math.floor(((k + 1) * subs.length) / W));
  return { family, warning, notes: model.notes ?? [], rows: predictionRows(model, system.enumeration, share, saved.training.elements, stage) };
}

/**
 * Predict with `threads` worker threads, each loading the model and enumerating
 * the cell itself (0.2–0.5 s of repeated setup): it pays above ~10 000
 * substitutions (1.7–1.9× on 2 cores), so small screens stay on one thread,
 * on the model already loaded when one is given. `stage` counts substitutions.
 */
export async function predictParallel(job: PredictJob, threads: number, o: { loaded?: Loaded; stage?: Stage } = {}): Promise<PredictResult> {
  if (threads <= 1) {
    const r = predictShare(o.loaded ?? (await loadJob(job)), job, 0, 1, o.stage);
    return { ...r, rows: mergeOrientationTwins(r.rows) };
  }
  const parts = await Promise.all(
    Array.from(
      { length: threads },
      (_, k) =>
        new Promise<PredictResult>((resolve, reject) => {
          const w = moduleWorker(new URL(import.meta.url), { job, k, W: threads });
          w.on('message', (m: PredictResult | { tick: number } | { error: string; input: boolean }) => {
            if ('tick' in m) o.stage?.tick(m.tick);
            else if ('error' in m) reject(workerError(m));
            else resolve(m);
          });
          w.once('error', reject);
        }),
    ),
  );
  return { family: parts[0].family, warning: parts[0].warning, notes: parts[0].notes, rows: mergeOrientationTwins(parts.flatMap((p) => p.rows)) };
}

function workerError(m: { error: string; input: boolean }): Error {
  return m.input ? new InputError(m.error) : new Error(m.error);
}

if (!isMainThread && workerData?.job) {
  const { job, k, W } = workerData as { job: PredictJob; k: number; W: number };
  const ticks: Stage = { tick: (n = 1) => parentPort!.postMessage({ tick: n }), done() {} };
  loadJob(job)
    .then((loaded) => predictShare(loaded, job, k, W, ticks))
    .then(
      (r) => parentPort!.postMessage(r),
      (e: Error) => parentPort!.postMessage({ error: e.message, input: e.name === 'InputError' }),
    );
}
