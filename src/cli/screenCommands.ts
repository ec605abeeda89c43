import type { Command } from 'commander';
import { SYSTEM_PARAMS } from '../substitution/params.ts';
import { table } from '../figures/text.ts';
import { number } from '../util/params.ts';
import { SILENT, commandProgress } from '../util/progress.ts';
import { screenStructures, submitScreen } from '../workflow/screen.ts';
import { DEFAULT_FAMILY_RULE } from '../predict/modelFile.ts';
import { parseShard } from '../util/shard.ts';
import { MAX_QUERY_ROWS, mergeResults, queryResults, topResults } from '../workflow/results.ts';
import { emit } from './output.ts';
import { CHOICES, addSlurmOptions, elementList, paramOption, slurmJob, type SlurmFlags } from './options.ts';

const LIMIT = number('rows to show', 50, { min: 1, max: MAX_QUERY_ROWS, integer: true });
const MAX_ROWS = number('most rows printed; a larger answer is cut and says so (write big answers with COPY … TO)', 1000, { min: 1, max: MAX_QUERY_ROWS, integer: true });

const SCREEN_HELP = `
Results folder (-o):
  manifest.json            the run: model, options, shard count, structures (id, file)
  structures/<id>.parquet  one Parquet file per structure: the columns of 'predict'
                           with structure_id, file, formula, spacegroup in front
                           and host_a, host_b (the sites' own elements) behind
  failed/<id>.json         a structure that could not be screened: file and message
A structure's id is its file name without extension (-2, -3 … where names repeat).
Paths in --list are relative to the list's folder; '#' starts a comment.

Resuming: run the same command again; complete structures (a readable Parquet
file of this structure and model) are skipped, failed ones tried again. Every
file is written to a temporary file and renamed. Another model, other options
or another list in the same folder is refused.

Sharding: --shard i/N screens structure k of the list (0-based) when
k mod N = i. Shards of one folder may run anywhere at once (several
processes, Slurm array tasks); 'cescreen merge <dir>' then checks that
every structure is done or failed and names the shards to run again.

--slurm submits all N shards as one Slurm job array (scripts/slurm/array.sh,
task i running this command with --shard i/N) and prints how to follow it.
Example:
  cescreen screen --model m.json --list structures.txt -o results/ --slurm --shards 16 --time 1:00:00
  squeue -j <job>; cescreen merge results/; cescreen top results/ --stabilising`;

const show = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
};

function printAnswer(a: { columns: string[]; rows: unknown[][]; truncated: boolean }): string {
  return table(a.columns, a.rows.map((r) => r.map(show))) + `(${a.rows.length} row${a.rows.length === 1 ? '' : 's'}${a.truncated ? ', cut: more rows follow' : ''})\n`;
}

const asObjects = (a: { columns: string[]; rows: unknown[][] }) => a.rows.map((r) => Object.fromEntries(a.columns.map((c, k) => [c, r[k]])));

export function registerScreenCommands(program: Command): void {
  const screen = program
    .command('screen [structures...]')
    .description('predict every substitution of many structures with one model: one Parquet file per structure, resumable, shardable, Slurm job arrays')
    .requiredOption('--model <file>', 'model file written by cescreen train (loaded once)')
    .option('--list <file>', 'file with one structure path a line (relative to its folder)')
    .requiredOption('-o, --output <dir>', 'results folder (created; resumed when it holds this run)')
    .option('--elements <list>', 'elements to place (default: those the model was trained on)')
    .addOption(paramOption('supercell', SYSTEM_PARAMS.supercell))
    .addOption(paramOption('maxDistance', SYSTEM_PARAMS.maxDistance))
    .option('--family <name>', `model of the file to use (default: ${DEFAULT_FAMILY_RULE})`)
    .option('--shard <i/N>', 'screen only shard i of N (structure k goes to shard k mod N)')
    .addOption(paramOption('seed', CHOICES.seed, { description: 'random seed, recorded in the manifest (prediction draws nothing at random)' }));
  addSlurmOptions(screen)
    .option('--json', 'JSON summary on stdout')
    .addHelpText('after', SCREEN_HELP)
    .action(
      async (
        files: string[],
        o: SlurmFlags & { model: string; list?: string; output: string; elements?: string; supercell: string; maxDistance: number; family?: string; shard?: string; seed: number; json?: boolean },
      ) => {
        const request = {
          model: o.model,
          files,
          list: o.list,
          output: o.output,
          elements: o.elements === undefined ? undefined : elementList(o.elements, []),
          supercell: o.supercell,
          maxDistance: o.maxDistance,
          family: o.family,
          shard: o.shard === undefined ? undefined : parseShard(o.shard),
          seed: o.seed,
        };
        if (o.slurm) {
          const job = await submitScreen(
            { ...request, shards: o.shards },
            slurmJob(o),
          );
          emit(job, o.json, (j) =>
            [
              `submitted Slurm job ${j.jobId}: ${j.tasks} array tasks over ${j.structures} structures into ${j.output}`,
              `follow it:      ${j.follow.slice(0, 3).join('   ')}`,
              `task logs:      ${j.logs}`,
              `when it ends:   cescreen merge ${j.output}   (lists what is missing or failed; rerun a task with sbatch --array=<i>)`,
              `then:           cescreen top ${j.output} --stabilising`,
              '',
            ].join('\n'),
          );
          return;
        }
        const progress = commandProgress(o);
        try {
          // the line goes above the bar, or straight to stderr when no bar is drawn
          const say = (line: string) => (progress === SILENT ? process.stderr.write(line + '\n') : progress.log(line));
          const r = await screenStructures({ ...request, progress, onFailure: (f) => say(`cescreen: warning: ${f.structure_id} not screened: ${f.error}`) });
          progress.stop();
          emit(r, o.json, (x) =>
            `screened ${x.screened} of ${x.structures} structures${x.shard.count > 1 ? ` (shard ${x.shard.index}/${x.shard.count})` : ''} into ${x.output}: ${x.rows} predictions, ` +
            `${x.skipped} already complete, ${x.failed.length} failed (recorded in ${x.output}/failed/), ${x.seconds.toFixed(1)} s` +
            (Object.keys(x.family).length ? `; families ${Object.entries(x.family).map(([f, n]) => `${f} ${n}`).join(', ')}` : '') +
            '\n',
          );
        } finally {
          progress.stop();
        }
      },
    );

  program
    .command('merge <results>')
    .description("check a screening's folder against its manifest (missing, failed, shards to rerun) and write <results>/screen.duckdb")
    .option('--json', 'JSON on stdout')
    .action(async (dir: string, o: { json?: boolean }) => {
      const r = await mergeResults(dir);
      emit(r, o.json, (x) => {
        const lines = [
          `${x.done} of ${x.structures} structures done (${x.rows} predictions), ${x.failed.length} failed, ${x.missing.length} missing: ${x.complete ? 'complete' : 'INCOMPLETE'}`,
          ...x.failed.map((f) => `failed   ${f.structure_id}  ${f.error}`),
          ...x.missing.slice(0, 50).map((m) => `missing  ${m.structure_id}  (${m.file}, shard ${m.shard}/${x.shards})`),
          ...(x.missing.length > 50 ? [`… ${x.missing.length - 50} more missing`] : []),
          ...(x.shardsToRerun.length
            ? [x.shards === 1 ? 'run the same screen command again: it resumes' : `run again: --shard i/${x.shards} for i in ${x.shardsToRerun.join(',')} (Slurm: the tasks --array=${x.shardsToRerun.join(',')})`]
            : []),
          ...(x.stray.length ? [`not listed in the manifest (ignored): ${x.stray.slice(0, 10).join(', ')}${x.stray.length > 10 ? ' …' : ''}`] : []),
          `wrote ${x.database}: views predictions, structures, failures`,
          '',
        ];
        return lines.join('\n');
      });
    });

  program
    .command('query <results> <sql>')
    .description('run SQL on a screening in an embedded DuckDB: views predictions, structures, failures')
    .addOption(paramOption('maxRows', MAX_ROWS))
    .option('--json', 'rows as JSON objects')
    .addHelpText(
      'after',
      `
Views: predictions (one row per substitution of every complete structure; the
columns of 'screen --help'), structures (structure_id, file, shard, status
done|failed|missing, rows, formula, spacegroup, family, error), failures.
Example:
  cescreen query results/ "SELECT formula, count(*) AS n, min(eds_pred) FROM predictions GROUP BY formula ORDER BY 3 LIMIT 10"`,
    )
    .action(async (dir: string, sql: string, o: { maxRows: number; json?: boolean }) => {
      const a = await queryResults(dir, sql, o.maxRows);
      emit(o.json ? { columns: a.columns, rows: asObjects(a), truncated: a.truncated } : a, o.json, () => printAnswer(a));
    });

  program
    .command('top <results>')
    .description('the most stabilising substitutions of a screening (lowest E_DS first)')
    .option('--stabilising', 'only rows with P(E_DS < 0) ≥ 0.9 (a model without intervals: E_DS < 0)')
    .addOption(paramOption('limit', LIMIT))
    .option('--elements <list>', 'only substitutions by these elements (every substituted site)')
    .option('--json', 'rows as JSON objects')
    .action(async (dir: string, o: { stabilising?: boolean; limit: number; elements?: string; json?: boolean }) => {
      const a = await topResults(dir, { stabilising: o.stabilising, limit: o.limit, elements: o.elements === undefined ? undefined : elementList(o.elements, []) });
      emit(o.json ? { sql: a.sql, rows: asObjects(a) } : a, o.json, () => printAnswer(a));
    });
}
