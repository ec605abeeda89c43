import type { Command } from 'commander';
import { ALLOYING_ELEMENTS } from '../features/elements.ts';
import type { CeOptions } from '../features/sets.ts';
import { SYSTEM_PARAMS } from '../substitution/params.ts';
import { featureTable, pairTable, substituteBatch, substituteOne, suggestCalculations, templateRows, type SiteElements } from '../workflow/calculations.ts';
import { writeStructure } from '../structure/io.ts';
import { InputError } from '../util/errors.ts';
import { choice, number } from '../util/params.ts';
import { Z90 } from '../util/normal.ts';
import type { PositionFrame } from '../substitution/dataset.ts';
import type { SuggestGoal } from '../model/families/index.ts';
import { toCsv } from '../util/csv.ts';
import { fixed, table } from '../figures/text.ts';
import { substitutionText } from '../figures/pageScripts/shared.js';
import { emit, writeOutput } from './output.ts';
import { addFeatureOptions, addParams, DATASET_HELP, elementList, paramOption, POSITIONS } from './options.ts';

interface SystemFlags {
  block?: string;
  supercell: string;
  maxDistance: number;
}

const addSystemFlags = (c: Command) => addParams(c, SYSTEM_PARAMS);

/** What suggested calculations aim at. */
const SUGGEST_GOAL = choice('what the calculations should settle (default: stabilising while the target has no DFT energy in --data, else variance)', 'stabilising', {
  stabilising: 'which substitutions are stabilising (expected misjudged signs of E_DS)',
  variance: 'the energies of all candidates (summed predictive variance)',
});

/** `Ca1=Sr,Ba` → the site and its elements (an empty list keeps the host). */
function siteElements(value: string): SiteElements {
  const m = /^([^=]+)=(.*)$/.exec(value.trim());
  if (!m) throw new InputError(`--elements-on ${value}: expected SITE=X,Y (a site label or Wyckoff position, then elements), e.g. Ca1=Sr,Ba`);
  return { site: m[1].trim(), elements: m[2].trim() === '' ? [] : elementList(m[2], [], `--elements-on ${m[1].trim()}=`) };
}

export function registerSubstitutionCommands(program: Command): void {
  addSystemFlags(program.command('pairs <cif>').description('symmetry-distinct site pairs (double-substitution geometries) of a periodic cell'))
    .option('--elements <list>', 'also count the calculations of these elements per pair (on every site not named by --elements-on)')
    .option('--elements-on <site=X,Y>', "elements allowed on one site, by label or Wyckoff position (e.g. Ca1=Sr,Ba or 3c=F); repeat for more sites; a site named by no rule takes --elements, else keeps its host", (v: string, prev: SiteElements[] = []) => [...prev, siteElements(v)])
    .option('--template <csv>', 'write the data-set rows to fill for --elements / --elements-on: one per physical calculation, coordinates included, eds_eV empty')
    .option('--json', 'JSON output')
    .option('--csv', 'CSV output')
    .addHelpText('after', DATASET_HELP)
    .action((cif: string, o: SystemFlags & { elements?: string; elementsOn?: SiteElements[]; template?: string; json?: boolean; csv?: boolean }, cmd: Command) => {
      const els = o.elements ? elementList(o.elements, []) : undefined;
      const choice = { cif, ...o, elements: els, elementsOn: o.elementsOn };
      // a default tuned for Nb5Si3 must not silently cut another phase's first shell
      const cut = (d: number) => fixed(Math.ceil(d * 10 + 0.5) / 10, 1);
      const warnShort = (beyond: { site: string; distance: number; ownImage: boolean }[]) => {
        if (cmd.getOptionValueSource('maxDistance') !== 'default') return;
        for (const p of beyond)
          process.stderr.write(
            `cescreen: warning: ${cif}: the nearest ${p.site}–${p.site} distance, ${fixed(p.distance, 3)} Å, is beyond the default --max-distance ${o.maxDistance} Å: ` +
              `no pair of two ${p.site} sites is listed (${p.ownImage ? `in this cell the nearest ${p.site} is the site's own periodic image: a larger --supercell, e.g. 2x2x2, with --max-distance ${cut(p.distance)} lists them` : `--max-distance ${cut(p.distance)} lists them`})\n`,
          );
      };
      if (o.template) {
        if (!els && !o.elementsOn) throw new InputError('--template needs --elements or --elements-on: the elements to place');
        const t = templateRows(choice);
        warnShort(t.likePairsBeyond);
        writeOutput(o.template, t.csv);
        emit({ file: o.template, rows: t.rows }, o.json, (r) => `wrote ${r.file}: ${r.rows} calculations to fill (positions: fractions of the CIF cell)\n`);
        return;
      }
      const { system, rows, likePairsBeyond } = pairTable(choice);
      warnShort(likePairsBeyond);
      if (o.csv) {
        const cols = ['id', 'site_a', 'site_b', 'wyckoff_a', 'wyckoff_b', 'distance', 'image_distances', 'multiplicity', 'swappable', 'xa', 'ya', 'za', 'dx', 'dy', 'dz', ...(els || o.elementsOn ? ['substitutions'] : [])] as const;
        process.stdout.write(toCsv([...cols], rows.map((r) => cols.map((c) => (c === 'distance' ? r.distance.toFixed(4) : c === 'image_distances' ? r.image_distances.map((d) => d.toFixed(4)).join(' ') : r[c as keyof typeof r])))));
        return;
      }
      emit(rows, o.json, (rs) =>
        `${system.enumeration.cell.length}-atom cell (${system.supercell}), pairs within ${system.maxDistance} Å: ${rs.length}\n` +
        table(
          ['id', 'site a', 'site b', 'wyckoff', 'd (Å)', 'images ≤ cutoff (Å)', 'mult', 'swap', ...(els || o.elementsOn ? ['calculations'] : [])],
          rs.map((r) => [r.id, r.site_a, r.site_b, `${r.wyckoff_a} ${r.wyckoff_b}`, fixed(r.distance), r.image_distances.map((d) => fixed(d, 3)).join(' '), r.multiplicity, r.swappable ? 'yes' : 'no', ...(els || o.elementsOn ? [String(r.substitutions)] : [])]),
        ),
      );
    });

  addFeatureOptions(addSystemFlags(program.command('features <cif>').description('Center-Environment feature vectors of substitutions')))
    .option('--data <csv>', 'featurise the substitutions of this DFT table (rows matched to pairs)')
    .option('--elements <list>', 'featurise every substitution of these elements', ALLOYING_ELEMENTS.join(','))
    .requiredOption('-o, --output <file>', 'CSV file to write')
    .option('--json', 'print a JSON summary')
    .action((cif: string, o: SystemFlags & CeOptions & { features: string; data?: string; elements: string; output: string; json?: boolean }) => {
      const r = featureTable({ cif, ...o, ce: { env: o.env, nn: o.nn, weight: o.weight, aggregate: o.aggregate, values: o.values }, elements: elementList(o.elements, ALLOYING_ELEMENTS) });
      writeOutput(o.output, r.csv);
      emit({ file: o.output, rows: r.rows, features: r.features, definition: r.definition }, o.json, (x) => `wrote ${x.file}: ${x.rows} substitutions × ${x.features} features\n`);
    });

  addSystemFlags(program.command('substitute <cif>').description('write substituted periodic cells for DFT: one (--pair, --elements) or every row of a manifest (--batch)'))
    .addOption(paramOption('pair', number('configuration id (see cescreen pairs)', 1, { min: 1, integer: true }), { withDefault: false }))
    .option('--elements <X,Y>', 'element on site a, element on site b (the host element leaves a site as it is)')
    .option('--batch <csv>', 'a manifest in the data-set format (eds_eV may be empty): write every cell of it')
    .addOption(paramOption('positions', POSITIONS))
    .requiredOption('-o, --output <path>', 'output .cif or POSCAR (one cell), or a folder (--batch)')
    .option('--json', 'JSON summary')
    .action((cif: string, o: SystemFlags & { pair?: number; elements?: string; batch?: string; positions: 'cell' | 'supercell'; output: string; json?: boolean }) => {
      if (o.batch) {
        const r = substituteBatch({ cif, ...o, manifest: o.batch, out: o.output });
        emit({ dir: o.output, files: r.files, manifest: r.manifest }, o.json, (x) => `wrote ${(x.files.length - 1) / 2} cells (CIF + POSCAR) and manifest.csv to ${x.dir}\n${x.manifest}`);
        return;
      }
      if (o.pair === undefined || o.elements === undefined) throw new InputError('give --pair and --elements X,Y (one cell), or --batch manifest.csv');
      const els = elementList(o.elements, []);
      if (els.length !== 2) throw new InputError(`--elements ${o.elements}: expected two elements X,Y (X on site a, Y on site b)`);
      const r = substituteOne({ cif, ...o, pair: o.pair, elements: [els[0], els[1]] });
      writeStructure(o.output, r.cell);
      const p = r.substitution.pair;
      emit(
        { file: o.output, pair: p.id, site_a: p.siteA, element_a: els[0], site_b: p.siteB, element_b: els[1], kind: r.kind, distance: p.distance, natoms: r.cell.length, formula: r.cell.formula() },
        o.json,
        (x) => `wrote ${x.file}: ${x.element_a}@${x.site_a} + ${x.element_b}@${x.site_b} (pair ${x.pair}, ${fixed(x.distance, 3)} Å), ${x.natoms} atoms, ${x.formula}\n`,
      );
    });

  addParams(program.command('suggest <cif>').description('the k calculations of a structure whose DFT energies would teach the model most (active learning): cells + manifest to fill'), SYSTEM_PARAMS, { withDefault: false })
    .requiredOption('--model <file>', 'model file written by cescreen train (a family that can suggest: see `cescreen models`)')
    .addOption(paramOption('budget', number('number of calculations to suggest', 10, { min: 1, max: 1000, integer: true })))
    .addOption(paramOption('goal', SUGGEST_GOAL, { withDefault: false }))
    .option('--data <csv>', "the target's calculations so far (data-set format, eds_eV empty or filled): never proposed again, their energies condition the model, and each site's elements are those placed there")
    .addOption(paramOption('positions', POSITIONS))
    .option('--elements <list>', "elements to place (default: each site's elements in --data, else the training's substituents)")
    .option('--family <name>', 'model of the file to use (default: as predict chooses)')
    .requiredOption('-o, --output <dir>', 'folder for the cells (CIF + POSCAR) and manifest.csv')
    .option('--json', 'JSON output')
    .addHelpText(
      'after',
      `\nThe cell (--supercell, --max-distance) defaults to the model's training phase when <cif> is one, else ${SYSTEM_PARAMS.supercell.default} within ${SYSTEM_PARAMS.maxDistance.default} Å.\nFill the eds_eV column of manifest.csv with the DFT energies, then train with both data sets:\n  cescreen train --data <old.csv> --structure <old.cif> --data manifest.csv --structure <cif> -o model.json`,
    )
    .action(async (cif: string, o: Partial<SystemFlags> & { model: string; budget: number; goal?: SuggestGoal; data?: string; positions: PositionFrame; elements?: string; family?: string; output: string; json?: boolean }) => {
      const r = await suggestCalculations({ cif, ...o, elements: o.elements === undefined ? undefined : elementList(o.elements, []), out: o.output });
      const hosts = r.system.structure.hosts();
      emit({ family: r.family, goal: r.goal, candidates: r.candidates, computed: r.computed, picks: r.picks, files: r.files }, o.json, (x) =>
        `${x.picks.length} of ${x.candidates} calculations of ${r.system.structure.formula()} (${r.system.supercell}) suggested by the ${x.family} model for ${SUGGEST_GOAL.choices[x.goal]}${x.computed ? `, given ${x.computed} computed` : ''}; cells and manifest.csv in ${o.output}\n` +
          table(
            ['#', 'calculation', 'pair', 'predicted E_DS (eV)', '90 % interval (eV)', 'P(E_DS < 0)'],
            x.picks.map((p, k) => [k + 1, substitutionText(p.element_a, p.site_a, p.element_b, p.site_b, hosts.get(p.site_a), hosts.get(p.site_b)), p.config, fixed(p.eds_pred, 3), `${fixed(p.eds_pred - Z90 * p.eds_sd, 2)} … ${fixed(p.eds_pred + Z90 * p.eds_sd, 2)}`, fixed(p.p_stabilising, 2)]),
          ),
      );
    });
}
