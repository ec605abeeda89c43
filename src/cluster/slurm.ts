/**
 * The one Slurm launcher: run a cescreen subcommand as an N-task job array,
 * task i running `cescreen <args> --shard i/N` (scripts/slurm/array.sh). Any
 * command that takes `--shard` can be submitted this way (`screen --slurm`,
 * later `compute --slurm`). Slurm is optional: without `sbatch` on PATH the
 * submission is refused with a message, nothing else changes.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../util/errors.ts';

export const ARRAY_SCRIPT = fileURLToPath(new URL('../../scripts/slurm/array.sh', import.meta.url));
const CESCREEN_BIN = fileURLToPath(new URL('../../bin/cescreen.js', import.meta.url));
/** Largest array (Slurm's default MaxArraySize is 1001; sites raise it). */
export const MAX_ARRAY_TASKS = 10_000;

/** What a user may choose about the allocation; the rest follows from the command. */
export interface ArrayJobOptions {
  name?: string;
  /** Folder of the task logs (`<name>-<job>_<task>.out`). */
  logDir?: string;
  partition?: string;
  account?: string;
  /** Wall time per task, in any form sbatch takes (`30`, `2:00:00`, `1-0`). */
  time?: string;
  /** Memory per task (`4G`). */
  memory?: string;
  cpusPerTask?: number;
  /** Further sbatch options, passed as they are (`--qos=short`). */
  sbatchArgs?: string[];
}

export interface ArrayJob extends ArrayJobOptions {
  /** cescreen arguments of every task, without `--shard` (each task adds `--shard <task>/<tasks>`). */
  args: string[];
  tasks: number;
  /** Folder the tasks run in (relative paths in `args` are read from there). Default: this process's. */
  cwd?: string;
}

export interface SubmittedJob {
  jobId: string;
  tasks: number;
  /** The sbatch command line that was run. */
  sbatch: string[];
  /** Task logs, `%a` standing for the task id. */
  logs: string;
  /** Commands to follow the job. */
  follow: string[];
}

/** The executable `name` on PATH, or undefined. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The sbatch arguments of an array job (exported for tests: no Slurm needed to check them). */
export function sbatchArguments(job: ArrayJob): { argv: string[]; logs: string } {
  if (!(Number.isInteger(job.tasks) && job.tasks >= 1 && job.tasks <= MAX_ARRAY_TASKS)) {
    throw new InputError(`--shards ${job.tasks}: expected an integer from 1 to ${MAX_ARRAY_TASKS} (one array task each)`);
  }
  const cpus = job.cpusPerTask ?? 1;
  if (!(Number.isInteger(cpus) && cpus >= 1 && cpus <= 256)) throw new InputError(`--cpus-per-task ${cpus}: expected an integer from 1 to 256`);
  const name = job.name ?? 'cescreen';
  const cwd = resolve(job.cwd ?? process.cwd());
  const logDir = resolve(cwd, job.logDir ?? 'slurm-logs');
  const logs = join(logDir, `${name}-%A_%a.out`);
  const argv = [
    '--parsable',
    `--array=0-${job.tasks - 1}`,
    `--job-name=${name}`,
    `--output=${logs}`,
    `--chdir=${cwd}`,
    `--cpus-per-task=${cpus}`,
    ...(job.partition ? [`--partition=${job.partition}`] : []),
    ...(job.account ? [`--account=${job.account}`] : []),
    ...(job.time ? [`--time=${job.time}`] : []),
    ...(job.memory ? [`--mem=${job.memory}`] : []),
    // the tasks run this checkout with this node binary, whatever the login shell of the compute node finds first
    `--export=ALL,CESCREEN_NODE=${process.execPath},CESCREEN_BIN=${CESCREEN_BIN},CESCREEN_TASKS=${job.tasks}`,
    ...(job.sbatchArgs ?? []),
    ARRAY_SCRIPT,
    ...job.args,
  ];
  return { argv, logs: logs.replace('%A', '<job>') };
}

/** sbatch on PATH, or a clear refusal (check it before any long preparation). */
export function requireSbatch(): string {
  const sbatch = onPath('sbatch');
  if (!sbatch) {
    throw new InputError('sbatch not found on PATH: --slurm submits to a Slurm cluster and needs its client commands (sbatch, squeue); run on a login node, or without --slurm');
  }
  return sbatch;
}

/** Submit the array with sbatch; its refusal is an input error carrying sbatch's own message. */
export function submitArray(job: ArrayJob): SubmittedJob {
  const sbatch = requireSbatch();
  const { argv, logs } = sbatchArguments(job);
  mkdirSync(resolve(job.cwd ?? process.cwd(), job.logDir ?? 'slurm-logs'), { recursive: true });
  let out: string;
  try {
    out = execFileSync(sbatch, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new InputError(`sbatch refused the job: ${(err.stderr || err.message).trim()}`);
  }
  // --parsable prints "<job id>" or "<job id>;<cluster>"
  const jobId = out.trim().split(/\s+/).pop()!.split(';')[0];
  if (!/^\d+$/.test(jobId)) throw new Error(`sbatch answered '${out.trim()}', not a job id`);
  return {
    jobId,
    tasks: job.tasks,
    sbatch: [sbatch, ...argv],
    logs: logs.replace('<job>', jobId),
    follow: [`squeue -j ${jobId}`, `sacct -j ${jobId} --format=JobID,State,ExitCode,Elapsed,MaxRSS`, `scontrol show job ${jobId}`, `scancel ${jobId}`],
  };
}
