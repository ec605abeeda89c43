import type { Command } from 'commander';
import { ENGINES, capabilities, engineParams } from '../engine/registry.ts';
import { BOOKKEEPING } from '../engine/bookkeeping.ts';
import { SYSTEM_PARAMS } from '../substitution/params.ts';
import { COMPUTE_COLUMNS, COMPUTE_PARAMS, Interrupted, compute, submitCompute, type ComputeResult, type InputSetResult } from '../workflow/compute.ts';
import { REFERENCE_COLUMNS, collect, type CollectResult } from '../workflow/collect.ts';
import { CAMPAIGN_PARAMS, runCampaign, type CampaignResult } from '../workflow/campaign.ts';
import type { ModelFlags } from './modelCommands.ts';
import { choice, describeParam, type ParamValues } from '../util/params.ts';
import { InputError } from '../util/errors.ts';
import { commandProgress } from '../util/progress.ts';
import { describeColumns } from '../util/table.ts';
import { fixed, table } from '../figures/text.ts';
import { CHOICES, SLURM_OPTIONS, addDataOptions, addFeatureOptions, addParams, addSlurmOptions, dataSources, elementList, modelParameters, paramOption, POSITIONS, slurmJob, type SlurmFlags } from './options.ts';
import { emit } from './output.ts';

type EngineEntry = (typeof ENGINES)[number];
const engineChoice = (engines: readonly EngineEntry[]) => choice('engine', 'lammps', Object.fromEntries(engines.map((e) => [e.name, `${e.description} [${capabilities(e).join(', ')}]`])));
const ENGINE = engineChoice(ENGINES);

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

/** Every engine's options (of those `only` keeps), each once, its help saying which engines take it. */
function addEngineOptions(cmd: Command, only: (e: EngineEntry) => boolean = () => true): Command {
  const kept = new Set(ENGINES.filter(only).map((e) => e.name));
  for (const { name, param, engines: all } of engineParams()) {
    const engines = all.filter((e) => kept.has(e));
    if (engines.length) cmd.addOption(paramOption(name, param, { withDefault: false, description: `[${engines.join(', ')}] ${describeParam(param)}${param.kind === 'flag' || (param.kind === 'text' && !param.default) ? '' : ` (default ${JSON.stringify(param.default)})`}` }));
  }
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
shards with \`cescreen collect <shard outputs…> -o all.csv\`. --slurm submits the N shards as one
Slurm job array (scripts/slurm/array.sh), task i writing <output>.shard-i.csv:
  cescreen compute cell.cif --data manifest.csv --potential my.eam.alloy -o eds.csv --slurm --shards 8 --time 2:00:00
  cescreen collect eds.shard-*.csv -o eds.csv        (when the job has ended)

Engines:
${ENGINES.map((e) => `  ${e.name.padEnd(7)} ${e.description} [${capabilities(e).join(', ')}]; options: ${Object.keys(e.params).map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(' ')}`).join('\n')}`;

interface ComputeFlags extends SlurmFlags {
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
    .option('--retry-failed', 'compute again the rows an earlier run recorded as failed or not converged');
  addSlurmOptions(cmd)
    .requiredOption('-o, --output <path>', 'the filled data set (.csv; engines that run here) or a folder of input sets (vasp, qe)')
    .option('--json', 'JSON summary')
    .addHelpText('after', COMPUTE_HELP)
    .action(async (cif: string, o: ComputeFlags) => {
      const known = new Set(['data', 'positions', 'engine', 'supercell', 'maxDistance', 'block', 'jobs', 'shard', 'cache', 'retryFailed', 'output', 'json', ...SLURM_OPTIONS]);
      const options = Object.fromEntries(Object.entries(o).filter(([k, v]) => !known.has(k) && v !== undefined));
      const request = { cif, block: o.block || undefined, supercell: o.supercell, maxDistance: o.maxDistance, data: o.data, positions: o.positions, engine: o.engine, options, output: o.output, jobs: o.jobs, shard: o.shard, cache: o.cache, retryFailed: o.retryFailed };
      if (o.slurm) {
        emit(submitCompute({ ...request, shards: o.shards }, slurmJob(o)), o.json, (j) =>
          [
            `submitted Slurm job ${j.jobId}: ${j.tasks} array tasks, outputs ${j.outputs}`,
            `follow it:      ${j.follow.slice(0, 3).join('   ')}`,
            `task logs:      ${j.logs}`,
            `when it ends:   ${j.merge}`,
            '',
          ].join('\n'),
        );
        return;
      }
      const progress = commandProgress(o);
      try {
        const r = await interruptible((signal) => compute({ ...request, progress, signal }));
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


const CAMPAIGN_HELP = `
Each round: the model picks --budget calculations of the target among the candidates not computed yet
(--goal), the engine computes them (as \`cescreen compute\` would: same bookkeeping, resumable output),
and the model learns them (--update). Round 0 is the model before any calculation.

The model: trained here on other phases (--data … --structure … --supercell … --max-distance …, as
\`train\` takes them; --family, default ${CHOICES.family.default}; hierarchical is the family made for a new phase), or a model
file (--model). The candidates: every physical calculation of the target cell (--target-supercell,
--target-max-distance) with --elements on every site and/or --site-elements per site, else the rows
of the --truth or --replay data set.

Scores after each round (with --truth): MAE and 90 % coverage on the candidates not computed yet, and
F1 of the stabilising set (true: E_DS < 0; called: a computed row by its energy, the others at
P(E_DS < 0) ≥ 0.9). True energies serve this report only; they never reach the model.

Folder (-o): campaign.json (settings and the curve), round-NN/ with manifest.csv and the cells, eds.csv
(the energies), computed.csv (every energy so far), model.json, predictions.csv and round.json. Run the
same command again to continue an interrupted campaign, or with more --rounds to extend it; other
settings are refused. Ctrl-C or SIGTERM stops the engine and keeps what is done.

Example (the engine data of data/, one phase held out):
  scripts/make-engine-data --potential-only zjw.eam.alloy
  cescreen campaign data/L12-Ni3Al/structure.cif --target-supercell 3x3x3 --target-max-distance 5.2 \\
    --data data/B2-NiAl/eds.csv --supercell 4x4x4 --max-distance 5.2 --data data/fcc-Ni/eds.csv … \\
    --family hierarchical --engine lammps --potential zjw.eam.alloy --budget 5 --rounds 6 \\
    --truth data/L12-Ni3Al/eds.csv -o campaign/`;

interface CampaignFlags extends Omit<ModelFlags, 'family'>, ParamValues<typeof CAMPAIGN_PARAMS> {
  targetSupercell: string;
  targetMaxDistance: number;
  block?: string;
  elements?: string;
  siteElements?: string[];
  positions: 'cell' | 'supercell';
  family?: string;
  engine: string;
  replay?: string;
  jobs: number;
  cache?: string;
  output: string;
  [option: string]: unknown;
}

/** `LABEL=X,Y` (repeatable): the substituents of one site. */
function siteElements(list: string[] | undefined): Record<string, string[]> | undefined {
  if (!list?.length) return undefined;
  const out: Record<string, string[]> = {};
  for (const item of list) {
    const m = /^\s*([^=\s]+)\s*=\s*(.+)$/.exec(item);
    if (!m) throw new InputError(`--site-elements ${item}: expected LABEL=X,Y (a site label of the CIF and its substituents)`);
    out[m[1]] = elementList(m[2], [], `--site-elements ${m[1]}=`);
  }
  return out;
}

const pct = (x: number | null) => (x === null ? '—' : `${fixed(100 * x, 0)} %`);

function campaignText(r: CampaignResult): string {
  const scored = r.rounds.some((x) => x.scores);
  return (
    `campaign on ${r.target.formula} (${r.target.supercell}, ${r.target.candidates} candidates): ${r.family} model, goal ${r.goal}, ${r.budget} per round, update by ${r.update}, energies from ${r.source}${r.truth ? `, truth ${r.truth}` : ''} → ${r.output}${r.resumed ? ` (${r.resumed} round(s) read back)` : ''}\n` +
    table(
      ['round', 'calculations', 'with energy', 'called stabilising', 'mean sd (eV)', ...(scored ? ['not computed', 'MAE (meV)', '90 % coverage', 'width (eV)', 'stabilising F1', 'P / R'] : []), 's'],
      r.rounds.map((x) => {
        const s = x.scores;
        return [
          x.round,
          x.calculations,
          x.computed,
          x.stabilising,
          x.meanSd === null ? '—' : fixed(x.meanSd, 3),
          ...(scored && s ? [s.uncomputed, s.mae === null ? '—' : fixed(1000 * s.mae, 0), pct(s.coverage), s.width === null ? '—' : fixed(s.width, 2), fixed(s.stabilising.f1, 3), `${fixed(s.stabilising.precision, 2)} / ${fixed(s.stabilising.recall, 2)}`] : scored ? ['', '', '', '', '', ''] : []),
          fixed(x.seconds, 1),
        ];
      }),
    ) +
    r.notes.map((n) => `note: ${n}\n`).join('') +
    `${fixed(r.seconds, 0)} s\n`
  );
}

export function registerCampaignCommand(program: Command): void {
  const cmd = program
    .command('campaign <cif>')
    .description('the loop on one target phase: train → suggest → compute with an engine → learn, for --rounds rounds, scored after each round')
    .addOption(paramOption('supercell', SYSTEM_PARAMS.supercell, { flag: '--target-supercell', description: `the target's cell of the calculations: ${SYSTEM_PARAMS.supercell.description}` }))
    .addOption(paramOption('maxDistance', SYSTEM_PARAMS.maxDistance, { flag: '--target-max-distance', description: `the target's site pairs: ${describeParam(SYSTEM_PARAMS.maxDistance)}` }))
    .addOption(paramOption('block', SYSTEM_PARAMS.block))
    .option('--elements <list>', 'substituents on every site of the target')
    .option('--site-elements <LABEL=X,Y>', 'substituents of one site (repeat per site; overrides --elements there)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
  addDataOptions(cmd, { several: true })
    .option('--model <file>', 'start from this model file instead of training on --data')
    .addOption(paramOption('family', CHOICES.family, { withDefault: false, description: `model family (default ${CHOICES.family.default}; with --model, the file's first); it must give intervals, and suggest for --goal other than random` }))
    .option('--param <name=value,...>', 'parameters of the family (see `cescreen models`)')
    .addOption(paramOption('seed', CHOICES.seed));
  addFeatureOptions(cmd).addOption(paramOption('engine', engineChoice(ENGINES.filter((e) => e.runsHere))));
  addEngineOptions(cmd, (e) => !!e.runsHere);
  cmd.addOption(paramOption('jobs', COMPUTE_PARAMS.jobs)).addOption(paramOption('cache', { ...COMPUTE_PARAMS.cache, description: 'file of reference energies and relaxed pristine cells (default: engine-cache.json in the campaign folder)' }))
    .option('--replay <csv>', "take the picks' energies from this data set of the target instead of running an engine (benchmarks on existing data; it is also the truth unless --truth says otherwise)");
  addParams(cmd, CAMPAIGN_PARAMS)
    .requiredOption('-o, --output <dir>', 'the campaign folder (rerun to continue)')
    .option('--json', 'JSON result')
    .addHelpText('after', CAMPAIGN_HELP)
    .action(async (cif: string, o: CampaignFlags) => {
      const engineOptions = Object.fromEntries(engineParams().map(({ name }) => [name, o[name]]).filter(([, v]) => v !== undefined));
      const family = o.family;
      const progress = commandProgress(o);
      try {
        const r = await interruptible((signal) =>
          runCampaign({
            cif,
            block: o.block || undefined,
            supercell: o.targetSupercell,
            maxDistance: o.targetMaxDistance,
            elements: o.elements === undefined ? undefined : elementList(o.elements, []),
            siteElements: siteElements(o.siteElements),
            positions: o.positions,
            output: o.output,
            sources: o.data?.length || !o.model ? dataSources(o) : undefined,
            modelFile: o.model,
            family,
            params: modelParameters([family ?? CHOICES.family.default], undefined, o.param),
            features: o.features,
            ce: { env: o.env, nn: o.nn, weight: o.weight, aggregate: o.aggregate, values: o.values },
            seed: o.seed,
            engine: o.engine,
            options: engineOptions,
            replay: o.replay,
            jobs: o.jobs,
            cache: o.cache,
            budget: o.budget,
            rounds: o.rounds,
            goal: o.goal,
            update: o.update,
            truth: o.truth || undefined,
            progress,
            signal,
          }),
        );
        progress.stop();
        emit(r, o.json, campaignText);
      } finally {
        progress.stop();
      }
    });
}
