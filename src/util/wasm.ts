/**
 * The WebAssembly module of cescreen's hot numerical loops (src/util/wasm.c, embedded as
 * base64 by scripts/build-wasm.sh), instantiated once per thread on first use.
 *
 * Memory: callers lay out their arrays in the module's memory with `wasmArena(bytes)`,
 * which returns the byte offset of a scratch region of that size. The region is reused
 * by the next call (one user at a time: every user is synchronous and non-reentrant), and
 * growing memory detaches earlier views, so take views after `wasmArena`, never across calls.
 * WebAssembly memory only grows: a thread keeps its largest arena (an SVR fit on l rows needs
 * 8·l² bytes, 16 MB for the 1435 α rows; a Cholesky of n rows 8·n² bytes) until it exits.
 */
import { WASM_BASE64 } from './wasm-bytes.ts';

export interface WasmEngine {
  readonly memory: WebAssembly.Memory;
  out_value(): number;
  smo_arrays(col: number, r: number, upOff: number, lowOff: number, diag: number, K: number): void;
  smo_select_i(active: number): number;
  smo_update(active: number, ci: number, cj: number, s: number): number;
  smo_select_j(active: number, ci: number, dI: number, gmax: number, tau: number): number;
  rows_dot(m: number, n: number, k: number, A: number, lda: number, B: number, ldb: number, C: number, ldc: number, subtract: number): void;
  squared_distances(n: number, k: number, X: number, D: number): void;
  cholesky(n: number, A: number, nb: number): number;
  solve_lower(n: number, L: number, B: number, m: number, lowerRhs: number): void;
  solve_upper_t(n: number, L: number, B: number, m: number): void;
  solve_rows_lower(n: number, L: number, Xt: number, m: number, nb: number): void;
  solve_rows_upper(n: number, U: number, Xt: number, m: number, nb: number): void;
  transpose(n: number, A: number, out: number): void;
  exp_negative(n: number, x: number, out: number): void;
  rbf_expansion(m: number, nsv: number, d: number, X: number, SV: number, svNorm: number, coef: number, negGamma: number, b: number, dots: number, out: number): void;
}

let engine: WasmEngine | null = null;
/** First free byte after the module's stack and data. */
let heapBase = 0;

export function wasmEngine(): WasmEngine {
  if (!engine) {
    // synchronous: the module is ~19 kB (V8's baseline tier ran a one-shot call of the exp loop
    // as fast as the optimised one: 6.1 vs 6.5–6.8 ms CPU per 10⁶, so no tiering flags are set)
    const module = new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
    const exports = new WebAssembly.Instance(module, {}).exports as unknown as WasmEngine & { __heap_base: WebAssembly.Global };
    heapBase = Number(exports.__heap_base.value);
    engine = exports;
  }
  return engine;
}

/** Byte offset of a scratch region of `bytes` bytes (16-byte aligned) in the module's memory. */
export function wasmArena(bytes: number): number {
  const e = wasmEngine();
  const base = (heapBase + 15) & ~15;
  const need = base + bytes;
  const have = e.memory.buffer.byteLength;
  if (need > have) e.memory.grow(Math.ceil((need - have) / 65536));
  return base;
}

/** Consecutive typed views in one arena: `carve(arena)` hands out aligned slices in order. */
export class ArenaLayout {
  private bytes = 0;
  private readonly parts: { kind: 'f64' | 'i32'; length: number; offset: number }[] = [];

  f64(length: number): number {
    return this.add('f64', length, 8);
  }

  i32(length: number): number {
    return this.add('i32', length, 4);
  }

  private add(kind: 'f64' | 'i32', length: number, size: number): number {
    this.bytes = (this.bytes + 7) & ~7;
    this.parts.push({ kind, length, offset: this.bytes });
    this.bytes += length * size;
    return this.parts.length - 1;
  }

  /** Allocate the arena; returns the byte offsets and views of the parts, in order of declaration. */
  allocate(): { offsets: number[]; views: (Float64Array | Int32Array)[] } {
    const base = wasmArena(this.bytes);
    const buf = wasmEngine().memory.buffer;
    return {
      offsets: this.parts.map((p) => base + p.offset),
      views: this.parts.map((p) => (p.kind === 'f64' ? new Float64Array(buf, base + p.offset, p.length) : new Int32Array(buf, base + p.offset, p.length))),
    };
  }
}
