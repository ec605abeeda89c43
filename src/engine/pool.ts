/**
 * Work shared by a few workers, each with its own calculator (its own engine
 * process). A task's failure is the task's: it is handed back, and the worker
 * goes on with a calculator that restarts its process if it died. After an
 * abort no task starts (the caller closes the calculators, killing their processes).
 */
import type { Calculator } from './engine.ts';

export async function runPool<T>(
  tasks: readonly T[],
  workers: readonly Calculator[],
  work: (calc: Calculator, task: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  await Promise.all(
    workers.map(async (calc) => {
      while (next < tasks.length && !signal?.aborted) await work(calc, tasks[next++]);
    }),
  );
}
