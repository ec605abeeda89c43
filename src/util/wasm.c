/*
 * Hot loops of cescreen's numerical engine, compiled to WebAssembly (no libc, no
 * allocation: the caller lays out its arrays in the module's memory and passes byte offsets).
 * Build: bash scripts/build-wasm.sh (clang + wasm-ld from Debian; the bytes are embedded in
 * src/util/wasm.ts, so nothing is compiled at install or run time).
 *
 * Why: the SMO loops below are 2× faster here than the same loops in TypeScript
 * (CPU time per element, 1435 rows: select_j 1.07 vs 2.08 ns, update 1.54 vs 3.33 ns).
 */

#include <wasm_simd128.h>

static double outValue;

/** The scalar second result of the last call (max violation, or min I_low value). */
double out_value(void) { return outValue; }

/* ---- SMO (src/model/learn/smo.ts): positions k < active; K is the fit's compact kernel, row offsets ci, cj. */

static int *col;
static double *r, *upOff, *lowOff, *diag, *K;

void smo_arrays(int *c, double *rr, double *u, double *lo, double *d, double *k) {
  col = c; r = rr; upOff = u; lowOff = lo; diag = d; K = k;
}

/** argmax over the active positions of r + upOff (last one on ties, as libsvm's >=). */
int smo_select_i(int active) {
  double g = -__builtin_inf();
  int ip = -1;
  for (int k = 0; k < active; k++) {
    double v = r[k] + upOff[k];
    if (v >= g) { g = v; ip = k; }
  }
  outValue = g;
  return ip;
}

/* The two loops below run two positions per step in f64x2 lanes (the kernel values gathered by
 * scalar loads): each lane keeps its own running extremum and index, and the lanes are merged
 * with the scalar loop's tie rule (the last position wins), so the results are bit-identical to
 * a scalar scan. */

static inline v128_t gather2(const double *K, const int *col, int k) {
  return wasm_f64x2_make(K[col[k]], K[col[k + 1]]);
}

/** Merge two lanes' (value, index) maxima: larger value, on ties the larger index. */
static inline int mergeMax(v128_t best, v128_t idx, double *value) {
  double b0 = wasm_f64x2_extract_lane(best, 0), b1 = wasm_f64x2_extract_lane(best, 1);
  int i0 = (int)wasm_i64x2_extract_lane(idx, 0), i1 = (int)wasm_i64x2_extract_lane(idx, 1);
  if (b1 > b0 || (b1 == b0 && i1 > i0)) { *value = b1; return i1; }
  *value = b0;
  return i0;
}

/** r −= s (K_i − K_j) over the active positions, fused with the next smo_select_i. */
int smo_update(int active, int ci, int cj, double s) {
  const double *Ki = K + ci, *Kj = K + cj;
  v128_t vs = wasm_f64x2_splat(s);
  v128_t best = wasm_f64x2_splat(-__builtin_inf());
  v128_t bidx = wasm_i64x2_splat(-1);
  v128_t idx = wasm_i64x2_make(0, 1);
  v128_t two = wasm_i64x2_splat(2);
  int k = 0;
  for (; k + 1 < active; k += 2) {
    v128_t d = wasm_f64x2_sub(gather2(Ki, col, k), gather2(Kj, col, k));
    v128_t rk = wasm_f64x2_sub(wasm_v128_load(r + k), wasm_f64x2_mul(vs, d));
    wasm_v128_store(r + k, rk);
    v128_t v = wasm_f64x2_add(rk, wasm_v128_load(upOff + k));
    v128_t ge = wasm_f64x2_ge(v, best);
    best = wasm_v128_bitselect(v, best, ge);
    bidx = wasm_v128_bitselect(idx, bidx, ge);
    idx = wasm_i64x2_add(idx, two);
  }
  double g;
  int ip = mergeMax(best, bidx, &g);
  for (; k < active; k++) {
    int c = col[k];
    double rk = r[k] - s * (Ki[c] - Kj[c]);
    r[k] = rk;
    double v = rk + upOff[k];
    if (v >= g) { g = v; ip = k; }
  }
  outValue = g;
  return ip;
}

/** Second-order choice of j (Fan, Chen & Lin 2005); out_value = min over I_low. */
int smo_select_j(int active, int ci, double dI, double gmax, double tau) {
  const double *Ki = K + ci;
  v128_t vmin = wasm_f64x2_splat(__builtin_inf());
  v128_t best = wasm_f64x2_splat(0), bidx = wasm_i64x2_splat(-1);
  v128_t idx = wasm_i64x2_make(0, 1), two = wasm_i64x2_splat(2);
  v128_t vg = wasm_f64x2_splat(gmax), vdI = wasm_f64x2_splat(dI), vtau = wasm_f64x2_splat(tau);
  v128_t zero = wasm_f64x2_splat(0), minus1 = wasm_f64x2_splat(-1), vtwo = wasm_f64x2_splat(2);
  int k = 0;
  for (; k + 1 < active; k += 2) {
    v128_t v = wasm_f64x2_add(wasm_v128_load(r + k), wasm_v128_load(lowOff + k));
    vmin = wasm_v128_bitselect(v, vmin, wasm_f64x2_lt(v, vmin));
    v128_t g = wasm_f64x2_sub(vg, v);
    v128_t q = wasm_f64x2_sub(wasm_f64x2_add(vdI, wasm_v128_load(diag + k)), wasm_f64x2_mul(vtwo, gather2(Ki, col, k)));
    q = wasm_v128_bitselect(q, vtau, wasm_f64x2_gt(q, zero));
    v128_t gain = wasm_f64x2_div(wasm_f64x2_mul(g, g), q);
    gain = wasm_v128_bitselect(gain, minus1, wasm_f64x2_gt(g, zero)); /* rows with g ≤ 0 never win */
    v128_t ge = wasm_f64x2_ge(gain, best);
    best = wasm_v128_bitselect(gain, best, ge);
    bidx = wasm_v128_bitselect(idx, bidx, ge);
    idx = wasm_i64x2_add(idx, two);
  }
  double M0 = wasm_f64x2_extract_lane(vmin, 0), M1 = wasm_f64x2_extract_lane(vmin, 1);
  double M = M1 < M0 ? M1 : M0;
  double bestGain;
  int jp = mergeMax(best, bidx, &bestGain);
  for (; k < active; k++) {
    double v = r[k] + lowOff[k];
    if (v < M) M = v;
    double g = gmax - v;
    if (g > 0) {
      double q = dI + diag[k] - 2 * Ki[col[k]];
      if (!(q > 0)) q = tau;
      double gain = g * g / q;
      if (gain >= bestGain) { bestGain = gain; jp = k; }
    }
  }
  outValue = M;
  return jp;
}

/* ---- Dense row products (src/util/linalg.ts): C (−)= A·Bᵀ on row-major blocks with leading dimensions. */


/* Every entry is summed in one order wherever it is computed (tile or edge): even and odd
 * p in two lanes, the lanes added, then the last p when k is odd. So A·Bᵀ is bit-symmetric
 * and equal between a Gram matrix and a prediction's row products. */
static inline double hsum(v128_t s) { return wasm_f64x2_extract_lane(s, 0) + wasm_f64x2_extract_lane(s, 1); }

static inline double dot(const double *a, const double *b, int k) {
  v128_t s = wasm_f64x2_splat(0);
  int p = 0;
  for (; p + 1 < k; p += 2) s = wasm_f64x2_add(s, wasm_f64x2_mul(wasm_v128_load(a + p), wasm_v128_load(b + p)));
  double t = hsum(s);
  if (p < k) t += a[p] * b[p];
  return t;
}

#define ACC(s, x, y) s = wasm_f64x2_add(s, wasm_f64x2_mul(x, y))

/** C[i·ldc + j] = Σ_p A[i·lda + p]·B[j·ldb + p] (subtract = 0) or C[i·ldc + j] −= that sum (subtract = 1). */
void rows_dot(int m, int n, int k, const double *A, int lda, const double *B, int ldb, double *C, int ldc, int subtract) {
  int i = 0;
  for (; i + 1 < m; i += 2) {
    const double *a0 = A + i * lda, *a1 = a0 + lda;
    double *c0 = C + i * ldc, *c1 = c0 + ldc;
    int j = 0;
    for (; j + 3 < n; j += 4) {
      const double *b0 = B + j * ldb, *b1 = b0 + ldb, *b2 = b1 + ldb, *b3 = b2 + ldb;
      v128_t s00 = wasm_f64x2_splat(0), s01 = s00, s02 = s00, s03 = s00, s10 = s00, s11 = s00, s12 = s00, s13 = s00;
      int p = 0;
      for (; p + 1 < k; p += 2) {
        v128_t x0 = wasm_v128_load(a0 + p), x1 = wasm_v128_load(a1 + p), y;
        y = wasm_v128_load(b0 + p); ACC(s00, x0, y); ACC(s10, x1, y);
        y = wasm_v128_load(b1 + p); ACC(s01, x0, y); ACC(s11, x1, y);
        y = wasm_v128_load(b2 + p); ACC(s02, x0, y); ACC(s12, x1, y);
        y = wasm_v128_load(b3 + p); ACC(s03, x0, y); ACC(s13, x1, y);
      }
      double t00 = hsum(s00), t01 = hsum(s01), t02 = hsum(s02), t03 = hsum(s03);
      double t10 = hsum(s10), t11 = hsum(s11), t12 = hsum(s12), t13 = hsum(s13);
      if (p < k) {
        double x0 = a0[p], x1 = a1[p];
        t00 += x0 * b0[p]; t01 += x0 * b1[p]; t02 += x0 * b2[p]; t03 += x0 * b3[p];
        t10 += x1 * b0[p]; t11 += x1 * b1[p]; t12 += x1 * b2[p]; t13 += x1 * b3[p];
      }
      if (subtract) {
        c0[j] -= t00; c0[j + 1] -= t01; c0[j + 2] -= t02; c0[j + 3] -= t03;
        c1[j] -= t10; c1[j + 1] -= t11; c1[j + 2] -= t12; c1[j + 3] -= t13;
      } else {
        c0[j] = t00; c0[j + 1] = t01; c0[j + 2] = t02; c0[j + 3] = t03;
        c1[j] = t10; c1[j + 1] = t11; c1[j + 2] = t12; c1[j + 3] = t13;
      }
    }
    for (; j < n; j++) {
      const double *b = B + j * ldb;
      double t0 = dot(a0, b, k), t1 = dot(a1, b, k);
      if (subtract) { c0[j] -= t0; c1[j] -= t1; } else { c0[j] = t0; c1[j] = t1; }
    }
  }
  for (; i < m; i++) {
    const double *a = A + i * lda;
    double *c = C + i * ldc;
    for (int j = 0; j < n; j++) {
      double t = dot(a, B + j * ldb, k);
      if (subtract) c[j] -= t; else c[j] = t;
    }
  }
}

/** D = squared distances of the n rows of X (n×k): the Gram matrix by 2×4 tiles on and above the
 * diagonal, then d_ij = g_ii + g_jj − 2 g_ij clamped at 0, mirrored, zero diagonal. */
void squared_distances(int n, int k, const double *X, double *D) {
  for (int i = 0; i < n; i += 2) {
    int rows = n - i < 2 ? n - i : 2;
    int j0 = i & ~3;
    rows_dot(rows, n - j0, k, X + i * k, k, X + j0 * k, k, D + i * n + j0, n, 0);
  }
  for (int i = 0; i < n; i++) {
    double gi = D[i * n + i];
    for (int j = i + 1; j < n; j++) {
      double d = gi + D[j * n + j] - 2 * D[i * n + j];
      D[i * n + j] = d > 0 ? d : 0;
    }
  }
  for (int i = 0; i < n; i++) {
    D[i * n + i] = 0;
    for (int j = i + 1; j < n; j++) D[j * n + i] = D[i * n + j];
  }
}

/* ---- Cholesky A = L·Lᵀ (row-major n×n, lower triangle; blocked right-looking, block nb). */

/** Factor in place; the upper triangle is zeroed. Returns −1 on success, else the row whose pivot is not positive. */
int cholesky(int n, double *A, int nb) {
  for (int kb = 0; kb < n; kb += nb) {
    int b = n - kb < nb ? n - kb : nb;
    /* diagonal block and the panel below it, row by row: L_ij = (A_ij − Σ_{kb≤p<j} L_ip L_jp) / L_jj */
    for (int i = kb; i < n; i++) {
      double *Li = A + i * n;
      int jEnd = i < kb + b ? i : kb + b - 1;
      for (int j = kb; j <= jEnd; j++) {
        double *Lj = A + j * n;
        double s = Li[j] - dot(Li + kb, Lj + kb, j - kb);
        if (j == i) {
          if (!(s > 0)) return i;
          Li[i] = __builtin_sqrt(s);
        } else {
          Li[j] = s / Lj[j];
        }
      }
    }
    /* trailing update A22 −= L21·L21ᵀ on and below the diagonal, in 32-row × 128-column tiles so
     * the 128 rows of L21 a tile reads (64 kB at b = 64) stay in cache across its 32 rows */
    int t0 = kb + b;
    for (int ib = t0; ib < n; ib += 32) {
      int m = n - ib < 32 ? n - ib : 32;
      for (int jb = t0; jb < ib + m; jb += 128) {
        int w = ib + m - jb < 128 ? ib + m - jb : 128;
        rows_dot(m, w, b, A + ib * n + kb, n, A + jb * n + kb, n, A + ib * n + jb, n, 1);
      }
    }
  }
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++) A[i * n + j] = 0;
  return -1;
}

static inline void axpy(double *y, double a, const double *x, int m) {
  v128_t va = wasm_f64x2_splat(a);
  int p = 0;
  for (; p + 1 < m; p += 2) wasm_v128_store(y + p, wasm_f64x2_add(wasm_v128_load(y + p), wasm_f64x2_mul(va, wasm_v128_load(x + p))));
  for (; p < m; p++) y[p] += a * x[p];
}

static inline void scale(double *y, double a, int m) {
  for (int p = 0; p < m; p++) y[p] *= a;
}

/** L·X = B in place (B: n×m row-major). `lowerRhs`: B is lower triangular (row i nonzero in columns ≤ i). */
void solve_lower(int n, const double *L, double *B, int m, int lowerRhs) {
  for (int i = 0; i < n; i++) {
    double *Xi = B + i * m;
    const double *Li = L + i * n;
    for (int p = 0; p < i; p++) {
      int len = lowerRhs ? p + 1 : m;
      if (Li[p] != 0) axpy(Xi, -Li[p], B + p * m, len);
    }
    scale(Xi, 1 / Li[i], lowerRhs ? i + 1 : m);
  }
}

/** Lᵀ·X = B in place (B: n×m row-major). */
void solve_upper_t(int n, const double *L, double *B, int m) {
  for (int i = n - 1; i >= 0; i--) {
    double *Xi = B + i * m;
    for (int p = i + 1; p < n; p++) {
      double l = L[p * n + i];
      if (l != 0) axpy(Xi, -l, B + p * m, m);
    }
    scale(Xi, 1 / L[i * n + i], m);
  }
}

/* ---- Triangular solves for many right-hand sides, blocked onto rows_dot. The right-hand sides are
 * the m rows of Xt (m×n, row r = one system), overwritten by the solutions. */

/** L·x = row for every row of Xt (L lower, n×n). Per block I: x[I] −= x[<I]·L[I, <I]ᵀ, then the block's own substitution. */
void solve_rows_lower(int n, const double *L, double *Xt, int m, int nb) {
  for (int i0 = 0; i0 < n; i0 += nb) {
    int b = n - i0 < nb ? n - i0 : nb;
    if (i0 > 0) rows_dot(m, b, i0, Xt, n, L + i0 * n, n, Xt + i0, n, 1);
    for (int r = 0; r < m; r++) {
      double *x = Xt + r * n;
      for (int i = i0; i < i0 + b; i++) x[i] = (x[i] - dot(L + i * n + i0, x + i0, i - i0)) / L[i * n + i];
    }
  }
}

/** U·x = row for every row of Xt (U upper, n×n, e.g. Lᵀ): blocks from the last, x[I] −= x[>I]·U[I, >I]ᵀ. */
void solve_rows_upper(int n, const double *U, double *Xt, int m, int nb) {
  int last = ((n - 1) / nb) * nb;
  for (int i0 = last; i0 >= 0; i0 -= nb) {
    int b = n - i0 < nb ? n - i0 : nb;
    int i1 = i0 + b;
    if (i1 < n) rows_dot(m, b, n - i1, Xt + i1, n, U + i0 * n + i1, n, Xt + i0, n, 1);
    for (int r = 0; r < m; r++) {
      double *x = Xt + r * n;
      for (int i = i1 - 1; i >= i0; i--) x[i] = (x[i] - dot(U + i * n + i + 1, x + i + 1, i1 - i - 1)) / U[i * n + i];
    }
  }
}

/** out = Aᵀ (n×n). */
void transpose(int n, const double *A, double *out) {
  for (int i0 = 0; i0 < n; i0 += 32)
    for (int j0 = 0; j0 < n; j0 += 32)
      for (int i = i0; i < i0 + 32 && i < n; i++)
        for (int j = j0; j < j0 + 32 && j < n; j++) out[j * n + i] = A[i * n + j];
}

/* ---- exp for x ≤ 0 in f64x2 lanes: x = k·ln 2 + r (Cody–Waite, |r| ≤ ln2/2), exp(r) by its Taylor
 * series to r¹³/13! (truncation < 2e-16 relative), times 2^k built in the exponent bits; x < −708
 * (exp < 3e-308) gives 0. Within 2 ulp of libm (test/linalg.test.ts): Math.exp costs ~18 ns a call
 * and was two thirds of an SVR prediction. */
static inline v128_t exp_neg(v128_t x) {
  const v128_t log2e = wasm_f64x2_splat(1.4426950408889634);
  const v128_t ln2hi = wasm_f64x2_splat(6.93147180369123816490e-01);
  const v128_t ln2lo = wasm_f64x2_splat(1.90821492927058770002e-10);
  v128_t tiny = wasm_f64x2_lt(x, wasm_f64x2_splat(-708.0));
  x = wasm_f64x2_pmax(x, wasm_f64x2_splat(-708.0));
  v128_t k = wasm_f64x2_nearest(wasm_f64x2_mul(x, log2e));
  v128_t r = wasm_f64x2_sub(wasm_f64x2_sub(x, wasm_f64x2_mul(k, ln2hi)), wasm_f64x2_mul(k, ln2lo));
  static const double c[14] = {1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320,
                               1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800.0};
  v128_t p = wasm_f64x2_splat(c[13]);
  for (int i = 12; i >= 0; i--) p = wasm_f64x2_add(wasm_f64x2_mul(p, r), wasm_f64x2_splat(c[i]));
  v128_t ki = wasm_i64x2_extend_low_i32x4(wasm_i32x4_trunc_sat_f64x2_zero(k));
  v128_t scale = wasm_i64x2_shl(wasm_i64x2_add(ki, wasm_i64x2_splat(1023)), 52);
  return wasm_v128_andnot(wasm_f64x2_mul(p, scale), tiny);
}

/** out[i] = exp(x[i]) for x ≤ 0 (the test of exp_neg). */
void exp_negative(int n, const double *x, double *out) {
  int i = 0;
  for (; i + 1 < n; i += 2) wasm_v128_store(out + i, exp_neg(wasm_v128_load(x + i)));
  if (i < n) out[i] = wasm_f64x2_extract_lane(exp_neg(wasm_f64x2_splat(x[i])), 0);
}

/** f(x) = Σ_k coef_k exp(−γ‖x − sv_k‖²) + b for the m rows of X (m×d), the nsv support vectors SV
 * (nsv×d) with their squared norms; `dots` is scratch of m·nsv. ‖x − sv‖² = ‖x‖² + ‖sv‖² − 2x·sv
 * clamped at 0, as the kernel matrix computes it. */
void rbf_expansion(int m, int nsv, int d, const double *X, const double *SV, const double *svNorm, const double *coef,
                   double negGamma, double b, double *dots, double *out) {
  rows_dot(m, nsv, d, X, d, SV, d, dots, nsv, 0);
  v128_t g = wasm_f64x2_splat(negGamma), two = wasm_f64x2_splat(2), zero = wasm_f64x2_splat(0);
  for (int i = 0; i < m; i++) {
    const double *x = X + i * d, *dt = dots + i * nsv;
    v128_t xn = wasm_f64x2_splat(dot(x, x, d));
    v128_t s = wasm_f64x2_splat(0);
    int k = 0;
    for (; k + 1 < nsv; k += 2) {
      v128_t d2 = wasm_f64x2_sub(wasm_f64x2_add(xn, wasm_v128_load(svNorm + k)), wasm_f64x2_mul(two, wasm_v128_load(dt + k)));
      d2 = wasm_f64x2_pmax(d2, zero);
      s = wasm_f64x2_add(s, wasm_f64x2_mul(wasm_v128_load(coef + k), exp_neg(wasm_f64x2_mul(g, d2))));
    }
    double t = hsum(s);
    if (k < nsv) {
      double d2 = wasm_f64x2_extract_lane(xn, 0) + svNorm[k] - 2 * dt[k];
      if (!(d2 > 0)) d2 = 0;
      t += coef[k] * wasm_f64x2_extract_lane(exp_neg(wasm_f64x2_splat(negGamma * d2)), 0);
    }
    out[i] = t + b;
  }
}
