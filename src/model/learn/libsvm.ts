/**
 * libsvm-js (libsvm compiled to WebAssembly): the independent cross-check of our SMO
 * (test/smo.test.ts, scripts/bench-engine.ts). Nothing in cescreen's models trains with it.
 */
import { createRequire } from 'node:module';
import { rbfPredict, type RbfExpansion } from './svr.ts';

interface LibsvmModel {
  train(samples: number[][], labels: number[]): void;
  predict(samples: number[][]): number[];
  getSVIndices(): number[];
  serializeModel(): string;
  free(): void;
}
interface LibsvmClass {
  new (options: Record<string, unknown>): LibsvmModel;
  SVM_TYPES: Record<string, string>;
  KERNEL_TYPES: Record<string, string>;
}

let libsvmPromise: Promise<LibsvmClass> | null = null;

/** Load libsvm-js (wasm) once per process, quietly and without touching process-wide handlers. */
export function loadLibsvm(): Promise<LibsvmClass> {
  if (!libsvmPromise) {
    libsvmPromise = (async () => {
      const require = createRequire(import.meta.url);
      const before = new Set(process.listeners('unhandledRejection'));
      // emscripten first tries fetch() on a file path, fails, prints a warning and falls
      // back to fs; hiding fetch during the synchronous module start goes straight to fs.
      const g = globalThis as { fetch?: unknown };
      const savedFetch = g.fetch;
      g.fetch = undefined;
      let mod: Promise<LibsvmClass>;
      try {
        mod = require('libsvm-js/wasm') as Promise<LibsvmClass>;
      } finally {
        g.fetch = savedFetch;
        // emscripten installs an unhandledRejection handler that calls process.exit(1): remove it
        for (const l of process.listeners('unhandledRejection')) {
          if (!before.has(l)) process.removeListener('unhandledRejection', l);
        }
      }
      return await mod;
    })();
  }
  return libsvmPromise;
}

/** Train libsvm-js ε-SVR on (already scaled) data and extract the RBF expansion: the cross-check of our solver. */
export async function trainRbfSVR(
  X: number[][],
  y: number[],
  p: { C: number; gamma: number; epsilon: number; tolerance?: number; cacheSizeMB?: number },
): Promise<RbfExpansion> {
  const SVM = await loadLibsvm();
  const d = X[0].length;
  const svm = new SVM({
    type: SVM.SVM_TYPES.EPSILON_SVR,
    kernel: SVM.KERNEL_TYPES.RBF,
    cost: p.C,
    gamma: p.gamma,
    epsilon: p.epsilon,
    tolerance: p.tolerance ?? 1e-3,
    cacheSize: p.cacheSizeMB ?? 200,
    shrinking: true,
    quiet: true,
  });
  try {
    svm.train(X, y);
    const idx = svm.getSVIndices();
    const coef = parseSvCoefficients(svm.serializeModel(), idx.length);
    const sv = new Float64Array(idx.length * d);
    idx.forEach((r, k) => sv.set(X[r], k * d));
    const m: RbfExpansion = { d, gamma: p.gamma, sv, coef, b: 0 };
    // The printed rho has 6 digits only: recover the offset from libsvm's own predictions.
    const probe = X.slice(0, Math.min(9, X.length));
    const lib = svm.predict(probe);
    const ours = rbfPredict(m, probe);
    const offsets = lib.map((v, i) => v - ours[i]).sort((a, b) => a - b);
    m.b = offsets[Math.floor(offsets.length / 2)];
    return m;
  } finally {
    svm.free();
  }
}

/** First token of every line after "SV" in libsvm's model text = the dual coefficient α_i. */
function parseSvCoefficients(text: string, nSV: number): Float64Array {
  const start = text.indexOf('\nSV\n');
  if (start < 0) throw new Error('libsvm model text has no SV section');
  const coef = new Float64Array(nSV);
  let pos = start + 4;
  for (let k = 0; k < nSV; k++) {
    const sp = text.indexOf(' ', pos);
    const nl = text.indexOf('\n', pos);
    const end = sp >= 0 && (nl < 0 || sp < nl) ? sp : nl;
    coef[k] = Number(text.slice(pos, end));
    if (!Number.isFinite(coef[k])) throw new Error(`bad SV coefficient at SV ${k}`);
    pos = text.indexOf('\n', pos) + 1;
  }
  return coef;
}
