/** The worker of svrCrossValidateParallel: one share of the splits, posted back. */
import { parentPort, workerData } from 'node:worker_threads';
import { svrCrossValidate, type SvrCVOptions } from './svrCV.ts';

try {
  parentPort!.postMessage(svrCrossValidate(workerData.svrCV as SvrCVOptions));
} catch (e) {
  parentPort!.postMessage({ error: (e as Error).message });
}
