/**
 * Results worth keeping between runs (the reference μ of each element and the
 * relaxed pristine cells), in one JSON file keyed by what the numbers depend
 * on: engine, version, potential digests and settings. Shards of one run that
 * share the file compute each of them once (a lost race recomputes, never mixes).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Mat3, Vec3 } from '../structure/lattice.ts';
import type { Structure } from '../structure/structure.ts';
import { writeFileAtomic } from '../util/atomicWrite.ts';
import { InputError } from '../util/errors.ts';
import type { EngineIdentity } from './engine.ts';
import type { ReferenceEnergy } from './references.ts';
import type { StabilityCheck } from './stability.ts';
import { shortDigest } from '../util/digest.ts';

/** A stable JSON text: object keys sorted at every level. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}


/** Cache key of an engine set-up (file paths left out: a moved potential is the same potential). */
export function identityKey(id: EngineIdentity): string {
  return shortDigest(stableJson({ engine: id.engine, version: id.version, files: id.files.map((f) => f.sha256), settings: id.settings }));
}

/** Key of a cell's geometry and elements (positions to 1e-6). */
export function cellKey(cell: Structure): string {
  const r = (x: number) => Math.round(x * 1e6);
  return shortDigest(stableJson({ lattice: cell.lattice.matrix.flat().map(r), sites: cell.sites.map((s) => [s.element, ...s.frac.map(r)]) }));
}

export interface PristineRecord {
  energy: number;
  converged: boolean;
  criterion: string;
  steps: number;
  maxDisplacement: number;
  lattice: Mat3;
  frac: Vec3[];
  stability: StabilityCheck;
}

interface CacheEntry {
  identity: EngineIdentity;
  references: Record<string, ReferenceEnergy>;
  pristine: Record<string, PristineRecord>;
}

interface CacheFile {
  format: 'cescreen-engine-cache-1';
  entries: Record<string, CacheEntry>;
}

export class EngineCache {
  private readonly key: string;

  constructor(
    readonly file: string | undefined,
    private readonly identity: EngineIdentity,
  ) {
    this.key = identityKey(identity);
  }

  private read(): CacheFile {
    if (!this.file || !existsSync(this.file)) return { format: 'cescreen-engine-cache-1', entries: {} };
    try {
      const j = JSON.parse(readFileSync(this.file, 'utf8')) as CacheFile;
      if (j.format !== 'cescreen-engine-cache-1' || typeof j.entries !== 'object') throw new Error('not a cescreen engine cache');
      return j;
    } catch (e) {
      throw new InputError(`cannot read the engine cache: ${(e as Error).message} (remove it, or give another --cache)`, { file: this.file });
    }
  }

  private entry(f = this.read()): CacheEntry {
    return f.entries[this.key] ?? { identity: this.identity, references: {}, pristine: {} };
  }

  private update(change: (e: CacheEntry) => void): void {
    if (!this.file) return;
    const f = this.read(); // re-read: another shard may have added to it
    const e = this.entry(f);
    change(e);
    f.entries[this.key] = e;
    writeFileAtomic(this.file, JSON.stringify(f, null, 1) + '\n');
  }

  reference(element: string): ReferenceEnergy | undefined {
    return this.entry().references[element];
  }

  saveReference(r: ReferenceEnergy): void {
    this.update((e) => (e.references[r.element] = r));
  }

  pristine(cell: Structure): PristineRecord | undefined {
    return this.entry().pristine[cellKey(cell)];
  }

  savePristine(cell: Structure, p: PristineRecord): void {
    this.update((e) => (e.pristine[cellKey(cell)] = p));
  }
}
