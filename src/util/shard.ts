/** Splitting one run into N independent parts (Slurm array tasks, separate machines). */
import { InputError } from './errors.ts';

/** Most shards of one run (one Slurm array task each). */
export const MAX_SHARDS = 10_000;

export interface Shard {
  index: number;
  count: number;
}

/** `i/N` → shard i of N (0 ≤ i < N ≤ MAX_SHARDS); a Slurm array passes $SLURM_ARRAY_TASK_ID/N. */
export function parseShard(spec: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1 && count <= MAX_SHARDS) || !(index < count)) {
    throw new InputError(`--shard ${spec}: expected i/N with 0 ≤ i < N ≤ ${MAX_SHARDS} (e.g. 0/4; Slurm array task i of N)`);
  }
  return { index, count };
}

/** Item k (0-based) belongs to shard k mod N: round robin, so neighbours in a sorted list spread over the shards. */
export function shardOf(k: number, count: number): number {
  return k % count;
}

export function inShard<T>(items: readonly T[], shard: Shard): T[] {
  return items.filter((_, k) => shardOf(k, shard.count) === shard.index);
}
