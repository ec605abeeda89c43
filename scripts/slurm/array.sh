#!/usr/bin/env bash
# One task of a cescreen job array: task i of N runs `cescreen <args> --shard i/N`.
# Submitted by `cescreen screen --slurm` and `compute --slurm` (src/cluster/slurm.ts), which set the
# variables below; by hand, from the repository:
#   sbatch --array=0-3 --export=ALL,CESCREEN_BIN=$PWD/bin/cescreen.js \
#     scripts/slurm/array.sh screen --model m.json --list structures.txt -o results/
# then `cescreen merge results/`. Each shard writes its own files atomically,
# so a task that failed or timed out is simply submitted again (--array=<i>).
#SBATCH --job-name=cescreen
#SBATCH --cpus-per-task=1
#SBATCH --output=cescreen-%A_%a.out
set -euo pipefail
: "${SLURM_ARRAY_TASK_ID:?run this as a Slurm job array task: sbatch --array=0-<N-1> scripts/slurm/array.sh <cescreen arguments>}"
: "${CESCREEN_BIN:?set CESCREEN_BIN to <repository>/bin/cescreen.js (sbatch --export=ALL,CESCREEN_BIN=…)}"
# N: as submitted (a resubmitted single task keeps the whole array's N), else the array's size
tasks="${CESCREEN_TASKS:-${SLURM_ARRAY_TASK_COUNT:?Slurm did not say the array size; set CESCREEN_TASKS}}"
if [ "$#" -eq 0 ]; then
  echo "array.sh: no cescreen command given (e.g. screen --model m.json --list s.txt -o results/)" >&2
  exit 2
fi
echo "cescreen task ${SLURM_ARRAY_TASK_ID}/${tasks} of job ${SLURM_ARRAY_JOB_ID:-?} on $(hostname): $*" >&2
# %a in an argument is the task id, as in sbatch's file names (compute --slurm: one output per task)
exec "${CESCREEN_NODE:-node}" "$CESCREEN_BIN" "${@//%a/$SLURM_ARRAY_TASK_ID}" --shard "${SLURM_ARRAY_TASK_ID}/${tasks}"
