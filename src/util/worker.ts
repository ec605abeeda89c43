import { Worker } from 'node:worker_threads';

/**
 * A worker thread running the module at `moduleUrl` (a module that acts on its
 * workerData when it is not the main thread). Compiled modules (dist/*.js) load
 * as they are; TypeScript sources need tsx's loader registered inside the
 * worker, which does not inherit it.
 */
export function moduleWorker(moduleUrl: string, workerData: unknown): Worker {
  if (!moduleUrl.endsWith('.ts')) return new Worker(new URL(moduleUrl), { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(moduleUrl)}); })`;
  return new Worker(boot, { eval: true, workerData });
}
