import type { Command } from 'commander';
import { substitutionSystem } from '../substitution/system.ts';
import { expandSubstitutions, canonicalSubstitution, substitutionKind } from '../substitution/substitution.ts';
import { loadDataset } from '../substitution/dataset.ts';
import { CeFeaturizer } from '../features/ce.ts';
import { ALLOYING_ELEMENTS } from '../features/elements.ts';
import { featureDefinition, type CeOptions } from '../features/sets.ts';
import { SYSTEM_PARAMS } from '../substitution/params.ts';
import { writeStructure } from '../structure/io.ts';
import { Structure } from '../structure/structure.ts';
import { InputError } from '../util/errors.ts';
import { toCsv } from '../util/csv.ts';
import { emit, writeOutput } from './output.ts';
import { fixed, table } from '../figures/text.ts';
import { addFeatureOptions, addParams, elementList } from './options.ts';
import { number } from '../util/params.ts';
import { paramOption } from './options.ts';

interface SystemFlags {
  block?: string;
  supercell: string;
  maxDistance: number;
}

const systemOf = (cif: string, o: SystemFlags) => substitutionSystem(cif, { block: o.block, supercell: o.supercell, maxDistance: o.maxDistance });

const addSystemFlags = (c: Command) => addParams(c, SYSTEM_PARAMS);

export function registerSubstitutionCommands(program: Command): void {
  addSystemFlags(program.command('pairs <cif>').description('symmetry-distinct site pairs (double-substitution geometries) of a periodic cell'))
    .option('--elements <list>', 'also count the substitutions of these elements per pair')
    .option('--json', 'JSON output')
    .option('--csv', 'CSV output')
    .action((cif: string, o: SystemFlags & { elements?: string; json?: boolean; csv?: boolean }) => {
      const sys = systemOf(cif, o);
      const els = o.elements ? elementList(o.elements, []) : undefined;
      const rows = sys.enumeration.pairs.map((p) => ({
        id: p.id,
        site_a: p.siteA,
        site_b: p.siteB,
        wyckoff_a: p.wyckoffA,
        wyckoff_b: p.wyckoffB,
        distance: p.distance,
        image_distances: p.imageDistances,
        multiplicity: p.multiplicity,
        swappable: p.swappable,
        frac_a: p.fracA,
        frac_b: p.fracB,
        ...(els ? { substitutions: expandSubstitutions(sys.enumeration, els, [p]).length } : {}),
      }));
      if (o.csv) {
        process.stdout.write(
          toCsv(
            ['id', 'site_a', 'site_b', 'wyckoff_a', 'wyckoff_b', 'distance', 'image_distances', 'multiplicity', 'swappable', ...(els ? ['substitutions'] : [])],
            rows.map((r) => [r.id, r.site_a, r.site_b, r.wyckoff_a, r.wyckoff_b, r.distance.toFixed(4), r.image_distances.map((d) => d.toFixed(4)).join(' '), r.multiplicity, r.swappable, ...(els ? [r.substitutions] : [])]),
          ),
        );
        return;
      }
      emit(rows, o.json, (rs) =>
        `${sys.enumeration.cell.length}-atom cell (${sys.supercell}), pairs within ${sys.maxDistance} Å: ${rs.length}\n` +
        table(
          ['id', 'site a', 'site b', 'wyckoff', 'd (Å)', 'images ≤ cutoff (Å)', 'mult', 'swap', ...(els ? ['subs'] : [])],
          rs.map((r) => [r.id, r.site_a, r.site_b, `${r.wyckoff_a} ${r.wyckoff_b}`, fixed(r.distance), r.image_distances.map((d) => fixed(d, 3)).join(' '), r.multiplicity, r.swappable ? 'yes' : 'no', ...(els ? [String(r.substitutions)] : [])]),
        ),
      );
    });

  addFeatureOptions(addSystemFlags(program.command('features <cif>').description('Center-Environment feature vectors of substitutions')))
    .option('--data <csv>', 'featurise the substitutions of this DFT table (rows matched to pairs)')
    .option('--elements <list>', 'featurise every substitution of these elements', ALLOYING_ELEMENTS.join(','))
    .requiredOption('-o, --output <file>', 'CSV file to write')
    .option('--json', 'print a JSON summary')
    .action((cif: string, o: SystemFlags & CeOptions & { features: string; data?: string; elements: string; output: string; json?: boolean }) => {
      const sys = systemOf(cif, o);
      const f = new CeFeaturizer(sys.enumeration, featureDefinition(o.features, { env: o.env, nn: o.nn, weight: o.weight, aggregate: o.aggregate, values: o.values }));
      const subs = o.data
        ? loadDataset(o.data, sys.enumeration).rows.map((r) => ({ s: r.substitution, eds: r.eds as number | '' }))
        : expandSubstitutions(sys.enumeration, elementList(o.elements, ALLOYING_ELEMENTS)).map((s) => ({ s, eds: '' as number | '' }));
      const header = ['config', 'site_a', 'element_a', 'site_b', 'element_b', 'kind', ...f.names, ...(o.data ? ['eds'] : [])];
      const rows = subs.map(({ s, eds }) => [s.pair.id, s.pair.siteA, s.elementA, s.pair.siteB, s.elementB, substitutionKind(sys.enumeration, s), ...f.features(s).map((x) => +x.toPrecision(8)), ...(o.data ? [eds] : [])]);
      writeOutput(o.output, toCsv(header, rows));
      emit({ file: o.output, rows: rows.length, features: f.names.length, definition: f.definition }, o.json, (r) => `wrote ${r.file}: ${r.rows} substitutions × ${r.features} features\n`);
    });

  addSystemFlags(program.command('substitute <cif>').description('write the substituted periodic cell of one substitution (for DFT)'))
    .addOption(paramOption('pair', number('configuration id (see cescreen pairs)', 1, { min: 1, integer: true }), { withDefault: false }).makeOptionMandatory())
    .requiredOption('--elements <X,Y>', 'element on site a, element on site b (the host element leaves a site as it is)')
    .requiredOption('-o, --output <file>', 'output .cif or POSCAR')
    .option('--json', 'JSON summary')
    .action((cif: string, o: SystemFlags & { pair: number; elements: string; output: string; json?: boolean }) => {
      const sys = systemOf(cif, o);
      const pair = sys.enumeration.pairs[o.pair - 1];
      if (!pair) throw new InputError(`--pair ${o.pair}: expected a configuration id from 1 to ${sys.enumeration.pairs.length}`);
      const els = elementList(o.elements, []);
      if (els.length !== 2) throw new InputError(`--elements ${o.elements}: expected two elements X,Y (X on site a, Y on site b)`);
      const s = canonicalSubstitution(pair, els[0], els[1]);
      const cell = sys.enumeration.cell;
      const sites = cell.sites.map((x, i) => ({ ...x, element: i === pair.atomA ? els[0] : i === pair.atomB ? els[1] : x.element }));
      const out = new Structure(cell.lattice, sites, `${cell.formula()} ${els[0]}@${pair.siteA} ${els[1]}@${pair.siteB} pair ${pair.id}`);
      writeStructure(o.output, out);
      emit(
        { file: o.output, pair: pair.id, site_a: pair.siteA, element_a: els[0], site_b: pair.siteB, element_b: els[1], kind: substitutionKind(sys.enumeration, s), distance: pair.distance, natoms: out.length, formula: out.formula() },
        o.json,
        (r) => `wrote ${r.file}: ${r.element_a}@${r.site_a} + ${r.element_b}@${r.site_b} (pair ${r.pair}, ${fixed(r.distance, 3)} Å), ${r.natoms} atoms, ${r.formula}\n`,
      );
    });
}
