import assert from 'node:assert/strict';
import { readStructure } from '../src/structure/io.ts';
import type { Structure } from '../src/structure/structure.ts';
import type { Vec3 } from '../src/structure/lattice.ts';
import { createRng } from '../src/model/learn/random.ts';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../', import.meta.url).pathname;

/** A bundled structure by path relative to the repository root. */
export function bundled(path: string): Structure {
  return readStructure(root + path, {});
}

export const ALPHA = 'structures/alpha-Nb5Si3/structure.cif';
export const BETA = 'structures/beta-Nb5Si3/structure.cif';
export const ALPHA_P1 = 'structures/alpha-Nb5Si3/3D-ELAN-P1.cif';
export const ref = (name: string) => `structures/reference/${name}.cif`;
export const repoPath = (p: string) => root + p;

/** A seeded uniform generator in [0, 1) (the library's mulberry32), for reproducible fuzzing. */
export function seededRandom(seed: number): () => number {
  const r = createRng(seed);
  return () => r.next();
}

/** Volume enclosed by polygonal faces (fan triangles, divergence theorem): checks the faces close the solid. */
export function facesVolume(points: readonly Vec3[], faces: readonly number[][]): number {
  let v = 0;
  for (const f of faces) {
    for (let k = 1; k + 1 < f.length; k++) {
      const [a, b, c] = [points[f[0]], points[f[k]], points[f[k + 1]]];
      v += (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) + a[2] * (b[0] * c[1] - b[1] * c[0])) / 6;
    }
  }
  return v;
}

/** Every n-th row of the bundled α data set (header kept) in a temporary file: networks train on it in seconds. */
export function alphaSubset(n: number): string {
  const lines = readFileSync(root + 'structures/alpha-Nb5Si3/eds.csv', 'utf8').trimEnd().split('\n');
  const file = join(mkdtempSync(join(tmpdir(), 'cescreen-subset-')), 'eds.csv');
  writeFileSync(file, [lines[0], ...lines.slice(1).filter((_, k) => k % n === 0)].join('\n') + '\n');
  return file;
}

/** Minimal well-formedness check: balanced tags, quoted attributes, no stray '<' or bad entities in text. */
export function assertWellFormed(xml: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    assert.doesNotMatch(text, /&(?!amp;|lt;|gt;|quot;|#39;|#\d+;)/, `bad entity in text near ${JSON.stringify(text.slice(0, 60))}`);
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(xml);
    assert.ok(m, `malformed tag at ${lt}: ${JSON.stringify(xml.slice(lt, lt + 80))}`);
    const [, close, name, , selfClose] = m;
    if (close) assert.equal(stack.pop(), name, `closing </${name}> does not match`);
    else if (!selfClose) stack.push(name);
    i = tag.lastIndex;
  }
  assert.deepEqual(stack, [], 'unclosed tags');
}
