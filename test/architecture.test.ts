import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repoPath } from './helpers.ts';

// The stages in data-flow order: a module may import its own stage or an earlier one, never a later one.
const STAGES = ['util', 'structure', 'environment', 'substitution', 'engine', 'features', 'model', 'predict', 'results', 'figures', 'cluster', 'workflow', 'cli'];
const src = repoPath('src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.ts$/.test(f) ? [p] : [];
  });
}

/** Every relative import of a file, static and dynamic (type-only imports included: they couple designs too). */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.[^'"]+)['"]/g)) out.push(resolve(dirname(file), m[1]));
  return out;
}

const graph = new Map(files(src).map((f) => [f, imports(f)]));
const stageOf = (f: string) => STAGES.indexOf(relative(src, f).split('/')[0]);

test('every src folder is a known stage', () => {
  for (const f of graph.keys()) assert.notEqual(stageOf(f), -1, relative(src, f));
});

test('no import runs back up the data flow (structure → … → figures → workflow → cli)', () => {
  const back: string[] = [];
  for (const [f, deps] of graph) for (const d of deps) if (stageOf(d) > stageOf(f)) back.push(`${relative(src, f)} → ${relative(src, d)}`);
  assert.deepEqual(back, []);
});

// Inside src/model, by role: learners know nothing of substitutions' families, families nothing of protocols.
const MODEL_LAYERS = ['learn', 'families', 'evaluation'];
const layerOf = (f: string) => {
  const [stage, layer] = relative(src, f).split('/');
  return stage === 'model' ? MODEL_LAYERS.indexOf(layer) : null;
};

test('src/model is split by role and imports run learn → families → evaluation only', () => {
  const back: string[] = [];
  for (const [f, deps] of graph) {
    const lf = layerOf(f);
    if (lf === null) continue;
    assert.notEqual(lf, -1, `${relative(src, f)} is in no layer of src/model (${MODEL_LAYERS.join(', ')})`);
    for (const d of deps) {
      const ld = layerOf(d);
      if (ld !== null && ld > lf) back.push(`${relative(src, f)} → ${relative(src, d)}`);
    }
  }
  assert.deepEqual(back, []);
});

test('no import circle anywhere in src/', () => {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (f: string, path: string[]) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') {
      cycles.push([...path.slice(path.indexOf(f)), f].map((x) => relative(src, x)).join(' → '));
      return;
    }
    state.set(f, 'open');
    for (const d of graph.get(f) ?? []) if (graph.has(d)) visit(d, [...path, f]);
    state.set(f, 'done');
  };
  for (const f of graph.keys()) visit(f, []);
  assert.deepEqual(cycles, []);
});

// What a command may use besides the workflows: declarations (registries, parameters, formats)
// and writers of its own output. Everything that computes goes through src/workflow.
const CLI_MAY_IMPORT = [
  /^cli\//,
  /^workflow\//,
  /^util\//,
  /^figures\//,
  /^model\/learn\/regressors\.ts$/,
  /^model\/families\/index\.ts$/,
  /^model\/evaluation\/protocols\.ts$/,
  /^engine\/(registry|bookkeeping)\.ts$/,
  /^features\/(sets|elements)\.ts$/,
  /^substitution\/(params|system|dataset)\.ts$/,
  /^environment\/params\.ts$/,
  /^structure\/(periodicTable|io)\.ts$/,
  /^predict\/(table|modelFile)\.ts$/,
];

test('the CLI only parses and prints: it calls workflows, declarations and writers, never stage code', () => {
  const offending: string[] = [];
  for (const [f, deps] of graph) {
    if (stageOf(f) !== STAGES.indexOf('cli')) continue;
    for (const d of deps) {
      const rel = relative(src, d);
      if (!CLI_MAY_IMPORT.some((re) => re.test(rel))) offending.push(`${relative(src, f)} → ${rel}`);
    }
  }
  assert.deepEqual(offending, []);
});
