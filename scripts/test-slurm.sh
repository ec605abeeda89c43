#!/usr/bin/env bash
# `cescreen screen --slurm` and `cescreen compute --slurm` on a real Slurm, on this machine: munged, slurmctld
# and slurmd started directly (no systemd; one node, 2 CPUs, everything under a
# temporary folder, free ports), a 4-task job array over the ordered files of
# the CIF corpus and the Nb5Si3 phases, merged, and compared row for row with
# one local run of the same command. Every daemon started here is stopped by
# its pid on exit. Needs root for apt-get when Slurm or munge is missing.
#
#   bash scripts/test-slurm.sh
#   CESCREEN_CIF_CORPUS=/path/to/cif-corpus CESCREEN_SLURM_ELEMENTS=Ti,Zr bash scripts/test-slurm.sh
#
# The elements default to Ti and B (a metal and a metalloid of the model's 14)
# so that the whole check stays well within CI's 5 minutes on 2 cores (~17 000
# predictions; the GP's predictions are most of the time); the rows compared
# are every substitution of those elements in every structure.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
CORPUS="${CESCREEN_CIF_CORPUS:-$REPO/../shared/data/cif-corpus}"
ELEMENTS="${CESCREEN_SLURM_ELEMENTS:-Ti,B}"
SHARDS=4
TIMEOUT="${CESCREEN_SLURM_TIMEOUT:-240}"
started=$SECONDS
say() { echo "test-slurm: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  say "installing slurm-wlm and munge (apt-get)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null) || fail "could not install slurm-wlm and munge"
fi
[ -f "$CORPUS/reference.tsv" ] || fail "no CIF corpus at $CORPUS (set CESCREEN_CIF_CORPUS)"

WORK=$(mktemp -d /tmp/cescreen-slurm.XXXXXX)
chmod 755 "$WORK"
mkdir -p "$WORK"/{munge,state,spool,log}
chmod 700 "$WORK/munge"
pids=()
JOB=
cleanup() {
  local code=$?
  if [ -n "$JOB" ]; then scancel "$JOB" 2>/dev/null || true; fi
  # stop in reverse order of start: slurmd, slurmctld, munged
  for ((k = ${#pids[@]} - 1; k >= 0; k--)); do kill "${pids[k]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$code" -ne 0 ]; then
    say "logs:"; tail -n 20 "$WORK"/log/*.log "$WORK"/slurm/logs/*.out 2>/dev/null >&2 || true
  fi
  rm -rf "$WORK"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
HOST=$(hostname -s)
CTLD_PORT=$(free_port)
SLURMD_PORT=$(free_port)
while [ "$SLURMD_PORT" = "$CTLD_PORT" ]; do SLURMD_PORT=$(free_port); done

# munge: a fresh key, our own socket
dd if=/dev/urandom of="$WORK/munge/munge.key" bs=1024 count=1 status=none
chmod 600 "$WORK/munge/munge.key"
SOCKET="$WORK/munge/munge.socket"
munged --foreground --force --socket="$SOCKET" --key-file="$WORK/munge/munge.key" \
  --pid-file="$WORK/munge/munged.pid" --seed-file="$WORK/munge/munged.seed" --log-file="$WORK/log/munged.log" \
  >"$WORK/log/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$SOCKET" ] && break; sleep 0.1; done
munge -n --socket="$SOCKET" | unmunge --socket="$SOCKET" >/dev/null || fail "munged does not answer"

export SLURM_CONF="$WORK/slurm.conf"
cat > "$SLURM_CONF" <<EOF
ClusterName=cescreen-test
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
AuthInfo=socket=$SOCKET
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MinJobAge=600
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=test Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -D -i -f "$SLURM_CONF" >"$WORK/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$WORK/log/slurmd.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  state=$(sinfo -h -o %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 0.2
done
[ "$state" = idle ] || fail "the node did not come up (state '${state:-none}')"
say "Slurm up: node $HOST, 2 CPUs, controller port $CTLD_PORT ($((SECONDS - started)) s)"

# the structures: every ordered file of the corpus (pymatgen's verdict in reference.tsv), then the Nb5Si3 phases
LIST="$WORK/structures.txt"
awk -F'\t' 'NR == 1 { for (k = 1; k <= NF; k++) col[$k] = k; next } $col["pymatgen_ordered"] == "True" { print $col["file"] }' "$CORPUS/reference.tsv" |
  sed "s|^|$CORPUS/|" > "$LIST"
printf '%s\n' "$REPO/structures/alpha-Nb5Si3/structure.cif" "$REPO/structures/beta-Nb5Si3/structure.cif" >> "$LIST"
N=$(wc -l < "$LIST")

cescreen() { node "$REPO/bin/cescreen.js" "$@"; }
export CESCREEN_QUIET=1
cescreen train --families gp -o "$WORK/model.json" >/dev/null
say "model trained ($((SECONDS - started)) s); $N structures × {$ELEMENTS}"

t0=$SECONDS
cescreen screen --model "$WORK/model.json" --list "$LIST" --elements "$ELEMENTS" -o "$WORK/local" > "$WORK/local.txt"
say "local run: $(cat "$WORK/local.txt" | tr -d '\n') [$((SECONDS - t0)) s]"

t0=$SECONDS
cescreen screen --model "$WORK/model.json" --list "$LIST" --elements "$ELEMENTS" -o "$WORK/slurm" --slurm --shards "$SHARDS" --json > "$WORK/submit.json"
JOB=$(node -e "console.log(JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')).jobId)" "$WORK/submit.json")
say "submitted job array $JOB ($SHARDS tasks)"
while [ -n "$(squeue -h -j "$JOB" 2>/dev/null)" ]; do
  [ $((SECONDS - t0)) -lt "$TIMEOUT" ] || fail "job $JOB still running after $TIMEOUT s"
  sleep 1
done
# every task completed with exit code 0 (no accounting database here: the controller's records)
states=$(scontrol -o show job "$JOB" | grep -o 'JobState=[A-Z_]* .*ExitCode=[0-9:]*' | sed 's/ .*ExitCode=/ /' | sort | uniq -c)
say "tasks: $(echo "$states" | tr -s ' \n' ' ') [$((SECONDS - t0)) s]"
[ "$(scontrol -o show job "$JOB" | grep -c 'JobState=COMPLETED .*ExitCode=0:0')" -eq "$SHARDS" ] || fail "not every array task completed: $states"
JOB=

cescreen merge "$WORK/slurm" --json > "$WORK/merge.json"
node -e "
const m = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
console.error('test-slurm: merge: ' + m.done + ' done, ' + m.failed.length + ' failed, ' + m.missing.length + ' missing, ' + m.rows + ' rows');
if (!m.complete || m.done + m.failed.length !== m.structures || m.structures !== Number(process.argv[2]) || m.done === 0) process.exit(1);
" "$WORK/merge.json" "$N" || fail "merge says the Slurm results are incomplete"

# row for row: no row of one run is missing from the other (multisets), and the structures' outcomes agree
cescreen query "$WORK/slurm" "
  SELECT (SELECT count(*) FROM predictions) AS rows,
         (SELECT count(*) FROM read_parquet('$WORK/local/structures/*.parquet')) AS local_rows,
         (SELECT count(*) FROM (SELECT * FROM predictions EXCEPT ALL SELECT * FROM read_parquet('$WORK/local/structures/*.parquet'))) AS only_slurm,
         (SELECT count(*) FROM (SELECT * FROM read_parquet('$WORK/local/structures/*.parquet') EXCEPT ALL SELECT * FROM predictions)) AS only_local,
         (SELECT count(*) FROM structures WHERE status = 'failed') AS failed,
         (SELECT count(DISTINCT shard) FROM structures) AS shards" --json > "$WORK/compare.json"
cescreen query "$WORK/local" "SELECT structure_id, status, rows, error FROM structures ORDER BY structure_id" --json > "$WORK/local-structures.json"
cescreen query "$WORK/slurm" "SELECT structure_id, status, rows, error FROM structures ORDER BY structure_id" --json > "$WORK/slurm-structures.json"
cmp -s "$WORK/local-structures.json" "$WORK/slurm-structures.json" || fail "the structures' outcomes differ between the local run and the Slurm run"
node -e "
const c = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')).rows[0];
console.error('test-slurm: compare: ' + JSON.stringify(c));
if (!(c.rows > 0 && c.rows === c.local_rows && c.only_slurm === 0 && c.only_local === 0 && c.shards === $SHARDS)) process.exit(1);
" "$WORK/compare.json" || fail "the Slurm results differ from the local run"
say "screen: $SHARDS-task Slurm array equals the local run row for row ($((SECONDS - started)) s so far)"

# compute --slurm: the rows of Ta in a 2x2x2 fcc-Cu cell through LAMMPS, one shard per array task,
# collected and compared with one local run (energies, row for row)
command -v lmp >/dev/null || fail "compute --slurm needs LAMMPS: apt-get install lammps lammps-data"
CU="$REPO/test/fixtures/engine/fcc-Cu.cif"
CELL=(--supercell 2x2x2 --max-distance 3.6)
cescreen pairs "$CU" "${CELL[@]}" --elements Ta --template "$WORK/rows.csv" >/dev/null
cescreen compute "$CU" --data "$WORK/rows.csv" "${CELL[@]}" --potential CuTa.eam.alloy -o "$WORK/eds-local.csv" >/dev/null
t0=$SECONDS
cescreen compute "$CU" --data "$WORK/rows.csv" "${CELL[@]}" --potential CuTa.eam.alloy -o "$WORK/eds.csv" --slurm --shards 2 --json > "$WORK/compute-submit.json"
JOB=$(node -e "console.log(JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')).jobId)" "$WORK/compute-submit.json")
while [ -n "$(squeue -h -j "$JOB" 2>/dev/null)" ]; do
  [ $((SECONDS - t0)) -lt "$TIMEOUT" ] || fail "compute job $JOB still running after $TIMEOUT s"
  sleep 1
done
[ "$(scontrol -o show job "$JOB" | grep -c 'JobState=COMPLETED .*ExitCode=0:0')" -eq 2 ] || fail "not every compute array task completed"
JOB=
cescreen collect "$WORK"/eds.shard-*.csv -o "$WORK/eds.csv" >/dev/null
energies() { tail -n +2 "$1" | cut -d, -f1-11 | sort; }
[ "$(energies "$WORK/eds.csv" | wc -l)" -ge 2 ] || fail "compute --slurm: fewer than 2 rows collected"
cmp -s <(energies "$WORK/eds.csv") <(energies "$WORK/eds-local.csv") || fail "compute --slurm: the collected energies differ from the local run"
say "compute: 2-task Slurm array through LAMMPS, collected, equals the local run ($((SECONDS - t0)) s)"
say "OK ($((SECONDS - started)) s in all)"
