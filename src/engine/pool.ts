/**
 * Work shared by a few workers, each with its own calculator (its own engine
 * process). A task's failure is the task's: it is handed back, and the worker
 * goes on with a calculator that restarts its process if it died. Aborting
 * closes every calculator at once, which kills their processes.
 */
import type { Calculator } from './engine.ts';

export async function runPool<T>(
  tasks: readonly T[],
  workers: readonly Calculator[],
  work: (calc: Calculator, task: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  const onAbort = () => workers.forEach((w) => w.close());
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all(
      workers.map(async (calc) => {
        while (next < tasks.length && !signal?.aborted) await work(calc, tasks[next++]);
      }),
    );
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
