#!/usr/bin/env bash
# cescreen against the Python stack (pymatgen + spglib + scikit-learn, Debian packages).
# Same work on both sides, timed in-process (best of 3), numbers cross-checked:
#   1. CIF parse + symmetry of α and β Nb5Si3   (space group, Wyckoff sets)
#   2. all neighbour distances ≤ 8 Å, α supercells 32 … 10 976 atoms (count, sorted distances to 1e-6 Å)
#   3. CE feature vectors of all 1612 α calculations of 14 elements over 12 pairs (1e-6 relative)
#   4. SVR fit + predict on cescreen's feature matrix and a fixed 80/20 split (test MAE, predictions)
#   5. SVR 20 × 5-fold CV at fixed hyper-parameters vs cross_val_score, same folds (CV MAE per fold)
#   6. SVR (C, ε, γ) grid of 36 points × 5-fold CV vs GridSearchCV, same folds (MAE per point, best point)
#   7. Cholesky factorisation and solve of RBF + noise kernels, n = 500 … 4000, vs numpy/scipy (L, x, log det)
# Steps 5 and 6 run once per side (minutes); everything else is the best of 3 (5 for the array neighbour list).
# Usage: bash scripts/bench-peer.sh [-o report.md]    (exit 1 when the two sides disagree)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=""
if [[ "${1:-}" == "-o" ]]; then OUT="$2"; fi
PY=/usr/bin/python3 # Debian's python: the pyenv python3 on PATH does not see Debian packages

if ! $PY -c 'import pymatgen.core, sklearn, spglib, scipy' 2>/dev/null; then
  echo "installing python3-pymatgen python3-sklearn python3-spglib (apt-get)…" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pymatgen python3-sklearn python3-spglib >&2
fi

DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
TS=(node --import tsx scripts/peer/peer.ts)

# wall time (s) of a whole process, best of 3: interpreter start-up + imports + exit
wall() {
  local best=999 t0 t1 s
  for _ in 1 2 3; do
    t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N)
    s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    best=$(awk -v a="$best" -v b="$s" 'BEGIN { print (b < a ? b : a) }')
  done
  echo "$best"
}

for step in symmetry neighbors features svr svr-cv svr-grid cholesky; do
  echo "step $step…" >&2
  "${TS[@]}" "$step" "$DIR"
  $PY scripts/peer/peer.py "$step" "$DIR"
done
NODE_NOOP=$(wall "${TS[@]}" noop "$DIR")
PY_NOOP=$(wall $PY scripts/peer/peer.py noop "$DIR")

status=0
{
  echo "Peer benchmark, $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/ {print $2}') GiB;"
  echo "node $(node --version), $($PY --version 2>&1), pymatgen $($PY -c 'import importlib.metadata as m; print(m.version("pymatgen"))'), spglib $($PY -c 'import spglib; print(spglib.__version__)'), scikit-learn $($PY -c 'import sklearn; print(sklearn.__version__)')."
  echo "Times are wall-clock inside each process (best of 3; steps 5–6 one run); ratio > 1 means cescreen is faster."
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: re-run on a quiet one for final numbers)."
  echo
  $PY scripts/peer/peer.py report "$DIR" || status=$?
  echo
  echo "Whole no-op process (start-up + imports + exit, best of 3): cescreen \`node --import tsx\` ${NODE_NOOP} s, Python ${PY_NOOP} s."
} > "$DIR/report.md"
cat "$DIR/report.md"
if [[ -n "$OUT" ]]; then cp "$DIR/report.md" "$OUT"; fi
exit "$status"
