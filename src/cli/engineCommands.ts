import type { Command } from 'commander';
import { ENGINES, capabilities, engineParams } from '../engine/registry.ts';
import { BOOKKEEPING } from '../engine/bookkeeping.ts';
import { SYSTEM_PARAMS } from '../substitution/params.ts';
import { COMPUTE_COLUMNS, COMPUTE_PARAMS, Interrupted, compute, type ComputeResult, type InputSetResult } from '../workflow/compute.ts';
import { REFERENCE_COLUMNS, collect, type CollectResult } from '../workflow/collect.ts';
import { choice, describeParam } from '../util/params.ts';
import { commandProgress } from '../util/progress.ts';
import { describeColumns } from '../util/table.ts';
import { fixed } from '../figures/text.ts';
import { addParams, paramOption, POSITIONS } from './options.ts';
import { emit } from './output.ts';

const ENGINE = choice('engine', 'lammps', Object.fromEntries(ENGINES.map((e) => [e.name, `${e.description} [${capabilities(e).join(', ')}]`])));

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/**
 * Run with SIGINT/SIGTERM/SIGHUP turned into an abort: the workflow stops its
 * engine processes and saves what is done, then the command exits 128 + signal.
 * A second signal exits at once.
 */
async function interruptible<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    if (ac.signal.aborted) process.exit(128 + (SIGNALS[sig] ?? 15)); // engine processes are killed on exit
    ac.abort(sig);
  };
  for (const s of Object.keys(SIGNALS)) process.on(s, handler);
  try {
    return await run(ac.signal);
  } catch (e) {
    if (e instanceof Interrupted) {
      process.stderr.write(`cescreen: ${e.message}\n`);
      process.exit(128 + (SIGNALS[e.signal] ?? 15));
    }
    throw e;
  } finally {
    for (const s of Object.keys(SIGNALS)) process.off(s, handler);
  }
}

/** Every engine's options, each once, its help saying which engines take it. */
function addEngineOptions(cmd: Command): Command {
  for (const { name, param, engines } of engineParams()) cmd.addOption(paramOption(name, param, { withDefault: false, description: `[${engines.join(', ')}] ${describeParam(param)}${param.kind === 'flag' || (param.kind === 'text' && !param.default) ? '' : ` (default ${JSON.stringify(param.default)})`}` }));
  return cmd;
}

const COMPUTE_HELP = `
Bookkeeping:
  ${BOOKKEEPING}.
  The pristine supercell is relaxed once (cell and positions); every substituted cell is relaxed in
  its positions at the fixed cell of the relaxed pristine supercell. μ is cached (--cache) and
  written, with the pristine energy, the engine version, the potential's sha256 and the settings,
  to <output>.compute.json beside the output.

Output (a data set for --data; a row that failed or did not converge has no eds_eV and says why in
reason: the data-set reader refuses empty energies, so drop such rows, or --retry-failed, before training):
${describeColumns(COMPUTE_COLUMNS)}

Rows run in parallel (--jobs, one engine process each). A run is resumable: rows already in the
output are skipped (--retry-failed computes failed ones again); Ctrl-C or SIGTERM stops the engine
processes and saves what is done. --shard i/N computes every N-th row for a job array; merge the
shards with \`cescreen collect <shard outputs…> -o all.csv\`.

Engines:
${ENGINES.map((e) => `  ${e.name.padEnd(7)} ${e.description} [${capabilities(e).join(', ')}]; options: ${Object.keys(e.params).map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(' ')}`).join('\n')}`;

interface ComputeFlags {
  data: string;
  positions: 'cell' | 'supercell';
  engine: string;
  supercell: string;
  maxDistance: number;
  block?: string;
  jobs: number;
  shard?: string;
  cache?: string;
  retryFailed?: boolean;
  output: string;
  json?: boolean;
  [option: string]: unknown;
}

function computeText(r: ComputeResult | InputSetResult): string {
  if (!('computed' in r)) return `wrote ${r.written.length} input set(s) for ${r.engine} to ${r.output} (runs with a finished output are kept as they are)\n${r.notes.map((n) => `  ${n}\n`).join('')}`;
  const refs = Object.values(r.references).map((x) => `${x.element} ${fixed(x.mu, 4)} (${x.prototype} → ${x.spacegroup})`).join(', ');
  const per = r.relaxations ? ` (${fixed(r.seconds / r.relaxations, 3)} s each)` : '';
  return (
    `${r.engine}: ${r.computed} of ${r.rows} calculations computed${r.skipped ? `, ${r.skipped} already done` : ''}; ${r.failed} failed, ${r.unconverged} not converged → ${r.output} (metadata ${r.metadata})\n` +
    `E(pristine) = ${fixed(r.pristineEnergy, 6)} eV; μ (eV/atom): ${refs || 'none needed'}\n` +
    `pristine cell pushed ${r.stability.rattle} Å off and relaxed: ${fixed(r.stability.energyChange, 3)} meV/atom, ${r.stability.spacegroupBefore} → ${r.stability.spacegroupAfter}${r.stability.stable ? ' (stable)' : ': NOT a minimum of the potential, the energies describe a saddle'}\n` +
    `${fixed(r.seconds, 1)} s, ${r.relaxations} relaxations${per}\n`
  );
}

export function registerEngineCommands(program: Command): void {
  const cmd = program
    .command('compute <cif>')
    .description('compute the substitution energies of a manifest or data set with an engine (LAMMPS, ASE here; VASP, QE input sets)')
    .requiredOption('--data <csv>', 'manifest or data set to compute (pairs --template, suggest, substitute --batch): eds_eV may be empty')
    .addOption(paramOption('positions', POSITIONS))
    .addOption(paramOption('engine', ENGINE));
  addParams(cmd, SYSTEM_PARAMS);
  addEngineOptions(cmd);
  addParams(cmd, COMPUTE_PARAMS)
    .option('--retry-failed', 'compute again the rows an earlier run recorded as failed or not converged')
    .requiredOption('-o, --output <path>', 'the filled data set (.csv; engines that run here) or a folder of input sets (vasp, qe)')
    .option('--json', 'JSON summary')
    .addHelpText('after', COMPUTE_HELP)
    .action(async (cif: string, o: ComputeFlags) => {
      const known = new Set(['data', 'positions', 'engine', 'supercell', 'maxDistance', 'block', 'jobs', 'shard', 'cache', 'retryFailed', 'output', 'json']);
      const options = Object.fromEntries(Object.entries(o).filter(([k, v]) => !known.has(k) && v !== undefined));
      const progress = commandProgress(o);
      try {
        const r = await interruptible((signal) =>
          compute({ cif, block: o.block || undefined, supercell: o.supercell, maxDistance: o.maxDistance, data: o.data, positions: o.positions, engine: o.engine, options, output: o.output, jobs: o.jobs, shard: o.shard, cache: o.cache, retryFailed: o.retryFailed, progress, signal }),
        );
        progress.stop();
        emit(r, o.json, computeText);
      } finally {
        progress.stop();
      }
    });

  const readers = ENGINES.filter((e) => e.readsOutputs).map((e) => e.name);
  program
    .command('collect <inputs...>')
    .description(`the data set of calculations made elsewhere: a folder of runs written by compute --engine ${readers.join('|')} (with --engine), or the outputs of compute --shard runs to merge (without)`)
    .addOption(paramOption('engine', choice('engine whose outputs to read', readers[0], Object.fromEntries(readers.map((n) => [n, ENGINES.find((e) => e.name === n)!.description]))), { withDefault: false }))
    .option('--references <csv>', 'chemical potentials to use instead of the reference runs (columns element, mu_eV)')
    .requiredOption('-o, --output <csv>', 'the data set to write (metadata in <output>.compute.json)')
    .option('--json', 'JSON summary')
    .addHelpText(
      'after',
      `
With --engine: reads <folder>/compute.json, the pristine run, the reference runs (μ = the lowest energy per
atom of each element's crystals) or --references, and every substituted cell's run (vasprun.xml, else OUTCAR
and CONTCAR; pw.out; plain or .gz). A run that did not converge (ionic or electronic) is refused, naming its
file; a cell not run yet is written without eds_eV. ${BOOKKEEPING}.

Without --engine: merges the outputs of compute --shard i/N runs of one job (same engine, settings and cell).

--references:
${describeColumns(REFERENCE_COLUMNS)}`,
    )
    .action(async (inputs: string[], o: { engine?: string; references?: string; output: string; json?: boolean }) => {
      const r = await collect({ inputs, engine: o.engine, references: o.references, output: o.output });
      emit(r, o.json, collectText);
    });
}

function collectText(r: CollectResult): string {
  const refs = Object.entries(r.references).map(([e, x]) => `${e} ${fixed(x.mu, 4)}${x.from ? ` (${x.from})` : ''}`).join(', ');
  return (
    `${r.engine}: ${r.done} of ${r.rows} calculations with an energy${r.pending ? `, ${r.pending} not run yet` : ''}${r.failed ? `, ${r.failed} failed` : ''} → ${r.output} (metadata ${r.metadata})\n` +
    (r.pristineEnergy !== undefined ? `E(pristine) = ${fixed(r.pristineEnergy, 6)} eV; ` : '') +
    `μ (eV/atom): ${refs}\n${r.notes.map((n) => `${n}\n`).join('')}`
  );
}

