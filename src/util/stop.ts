/**
 * A stopped run stops, whole. SIGINT, SIGTERM and SIGHUP end the process with
 * 128 + signal number (130 for Ctrl-C); what must not outlive it (a temporary
 * file) registers a cleanup with `onStop` for as long as it exists (engines stop
 * their processes themselves: src/engine/child.ts, cli/engineCommands.ts).
 * Only while a cleanup is registered is a handler installed: otherwise the
 * signal's default action ends the process at once, even in the middle of a
 * long synchronous computation, and worker threads die with it.
 *
 * Launched through npm (`npx cescreen`, `npm start`), the process runs under
 * `sh -c`, which does not pass on the SIGTERM npm forwards to it: the shell
 * dies and this process would run on, orphaned. `stopWithLauncher` watches
 * the parent from a worker thread (so a busy main thread does not delay it)
 * and stops the run when the parent is gone.
 */
import { Worker } from 'node:worker_threads';

const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
type StopSignal = keyof typeof SIGNALS;

const cleanups = new Set<() => void>();
let installed = false;

function onSignal(signal: StopSignal): void {
  for (const c of cleanups) {
    try {
      c();
    } catch {
      // the others still run
    }
  }
  process.exit(128 + SIGNALS[signal]);
}

/**
 * Run `cleanup` if the run is stopped by a signal before `release` is called.
 * A signal that arrives while the main thread is busy (a synchronous write) is
 * handled when it is free: the handler stays until the event loop has turned
 * twice after the last release, so such a signal is not lost.
 */
export function onStop(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  if (!installed) {
    installed = true;
    for (const s of Object.keys(SIGNALS) as StopSignal[]) process.on(s, onSignal);
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    cleanups.delete(cleanup);
    setImmediate(() =>
      setImmediate(() => {
        if (cleanups.size > 0 || !installed) return;
        installed = false;
        for (const s of Object.keys(SIGNALS) as StopSignal[]) process.off(s, onSignal);
      }),
    );
  };
}

let watching = false;

/**
 * Under npm (npx, npm start, npm run), stop the run when the launching process
 * is gone. The watcher is an unreferenced worker thread: it keeps nothing alive
 * and costs nothing to a run that ends normally.
 */
export function stopWithLauncher(): void {
  if (watching || !process.env.npm_command) return;
  watching = true;
  const code = `
    const { workerData } = require('node:worker_threads');
    setInterval(() => { if (process.ppid !== workerData.ppid) process.kill(process.pid, 'SIGTERM'); }, 200);`;
  new Worker(code, { eval: true, workerData: { ppid: process.ppid } }).unref();
}
