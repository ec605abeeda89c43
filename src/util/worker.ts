import { Worker } from 'node:worker_threads';

/** Whether this process runs the compiled modules (dist/*.js) or the TypeScript sources through tsx. */
const compiled = import.meta.url.endsWith('.js');

/**
 * A worker thread running `module` (a URL as the sources name it, e.g.
 * `new URL('./x.ts', import.meta.url)`; the module acts on its workerData).
 * Compiled, its .js twin loads as it is; from the sources, tsx's loader is
 * registered inside the worker, which does not inherit it.
 */
export function moduleWorker(module: URL, workerData: unknown): Worker {
  if (compiled) return new Worker(new URL(module.href.replace(/\.ts$/, '.js')), { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}
