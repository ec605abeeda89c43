import type { Command } from 'commander';
import { readStructure, readStructureDetailed, writeStructure, type ReadStructureOptions } from '../structure/io.ts';
import { analyzeSymmetry } from '../structure/symmetry.ts';
import { describeStructure } from '../structure/describe.ts';
import { parseSupercellSpec, supercell } from '../structure/supercell.ts';
import { siteHistograms, trySiteEnvironments } from '../environment/sites.ts';
import { nnhSvg } from '../figures/nnhPlot.ts';
import { InputError } from '../util/errors.ts';
import { emit, fixed, numberOption, table, writeOutput } from './output.ts';

interface Common {
  json?: boolean;
  block?: string;
  symprec?: string;
}

/**
 * Read a structure file and print what the reader tolerated or guessed on
 * stderr, one line each (`cescreen: warning: <file>: …`), so a repaired file is
 * never read silently. Other commands can read through this too.
 */
export function loadStructure(path: string, opts: ReadStructureOptions = {}) {
  const { structure, warnings } = readStructureDetailed(path, opts);
  for (const w of warnings) process.stderr.write(`cescreen: warning: ${path}: ${w}\n`);
  return structure;
}

function load(cif: string, o: Common) {
  const structure = loadStructure(cif, { block: o.block });
  const symmetry = analyzeSymmetry(structure, { symprec: numberOption('--symprec', o.symprec, 0.01) });
  return { structure, symmetry };
}

function checkSite(labels: string[], site?: string): void {
  if (site !== undefined && !labels.includes(site)) throw new InputError(`--site ${site}: no such site (sites: ${labels.join(', ')})`);
}

export function registerStructureCommands(program: Command): void {
  const common = (c: Command) =>
    c
      .option('--json', 'machine-readable JSON output')
      .option('--block <name>', 'CIF data block to read (default: the first with atoms)')
      .option('--symprec <angstrom>', 'symmetry tolerance in Å', '0.01');

  common(program.command('structure <cif>').description('formula, space group, lattice and Wyckoff sites')).action((cif: string, o: Common) => {
    const { structure, symmetry } = load(cif, o);
    emit(describeStructure(structure, symmetry), o.json, (r) => {
      const l = r.lattice;
      return (
        `${r.formula}  ${r.spacegroup.symbol} (No. ${r.spacegroup.number})  ${r.natoms} atoms\n` +
        `a=${fixed(l.a)} b=${fixed(l.b)} c=${fixed(l.c)} Å  α=${fixed(l.alpha, 2)} β=${fixed(l.beta, 2)} γ=${fixed(l.gamma, 2)}°  V=${fixed(l.volume, 3)} Å³\n` +
        table(
          ['site', 'element', 'wyckoff', 'x', 'y', 'z'],
          r.sites.map((s) => [s.site, s.element, `${s.multiplicity}${s.wyckoff}`, ...s.frac.map((x) => fixed(x, 5))]),
        )
      );
    });
  });

  program
    .command('supercell <cif>')
    .description('build a supercell and write it as CIF or POSCAR')
    .requiredOption('--size <spec>', "diagonal '2x2x1' or 9 integers (rows = new cell vectors)")
    .requiredOption('-o, --output <file>', 'output file (.cif, POSCAR or .vasp)')
    .option('--block <name>', 'CIF data block')
    .option('--json', 'JSON summary')
    .action((cif: string, o: { size: string; output: string; block?: string; json?: boolean }) => {
      const structure = readStructure(cif, { block: o.block });
      const cell = supercell(structure, parseSupercellSpec(o.size));
      writeStructure(o.output, cell);
      emit({ file: o.output, natoms: cell.length, formula: cell.formula(), volume: cell.lattice.volume }, o.json, (r) => `wrote ${r.file}: ${r.natoms} atoms, ${r.formula}, V=${fixed(r.volume, 3)} Å³\n`);
    });

  common(program.command('nnh <cif>').description('nearest-neighbour histogram (count vs d/d_min) of each non-equivalent site'))
    .option('--site <label>', 'only this site')
    .option('--cutoff <angstrom>', 'distance cutoff in Å', '8')
    .option('--svg <file>', 'write the histograms as an SVG figure')
    .action((cif: string, o: Common & { site?: string; cutoff: string; svg?: string }) => {
      const { structure, symmetry } = load(cif, o);
      checkSite(symmetry.orbits.map((x) => x.label), o.site);
      const cutoff = numberOption('--cutoff', o.cutoff, 8);
      if (!(cutoff > 0 && cutoff <= 50)) throw new InputError(`--cutoff ${cutoff}: expected a distance in (0, 50] Å`);
      const result = siteHistograms(structure, symmetry, { cutoff, site: o.site });
      if (o.svg) writeOutput(o.svg, nnhSvg(result.map((h) => ({ site: h.site, dmin: h.dmin, histogram: h.histogram }))));
      emit(
        result.map((h) => ({ site: h.site, wyckoff: h.wyckoff, dmin: h.dmin, distances: h.distances, histogram: h.histogram })),
        o.json,
        (rs) =>
          rs
            .map(
              (h) =>
                `${h.site} (${h.wyckoff})  d_min = ${fixed(h.dmin)} Å\n` +
                table(['d/d_min', 'd (Å)', 'count'], h.histogram.slice(0, 12).map((b) => [fixed(b.d_over_dmin, 3), fixed(b.d_over_dmin * h.dmin, 3), b.count])),
            )
            .join('\n'),
      );
    });

  common(program.command('aet <cif>').description('atomic environment type (coordination polyhedron) of each non-equivalent site'))
    .option('--site <label>', 'only this site')
    .option('--max-ratio <r>', 'candidate shells up to r·d_min', '2')
    .option('--angle-tolerance <deg>', 'coplanarity tolerance of hull faces for the topological code')
    .action((cif: string, o: Common & { site?: string; maxRatio: string; angleTolerance?: string }) => {
      const { structure, symmetry } = load(cif, o);
      checkSite(symmetry.orbits.map((x) => x.label), o.site);
      const { environments, failures } = trySiteEnvironments(structure, symmetry, {
        site: o.site,
        maxRatio: numberOption('--max-ratio', o.maxRatio, 2),
        angleTolerance: o.angleTolerance === undefined ? undefined : numberOption('--angle-tolerance', o.angleTolerance, 0),
      });
      const result = environments.map((e) => ({
        site: e.site,
        wyckoff: e.wyckoff,
        cn: e.cn,
        rule: e.rule,
        gap: e.gap,
        dmin: e.dmin,
        volume: e.volume,
        code: e.code,
        onSurface: e.onSurface,
        inside: e.inside,
        ideal: e.ideal,
        shell: e.shell.map((s) => ({ element: s.element, site: s.site, distance: s.distance, image: s.image })),
      }));
      emit(result, o.json, (rs) =>
        rs
          .map(
            (e) =>
              `${e.site} (${e.wyckoff})  CN ${e.cn}  ${e.rule}${e.onSurface ? ` (${e.onSurface} on faces)` : ''}${e.inside ? ` (${e.inside} inside)` : ''}  gap ${fixed(e.gap, 3)}  V ${fixed(e.volume, 2)} Å³  code ${e.code}` +
              (e.ideal ? `  ≈ ${e.ideal.name} (S = ${fixed(e.ideal.deviation, 2)})` : '') +
              '\n' +
              table(['element', 'site', 'd (Å)', 'image'], e.shell.map((s) => [s.element, s.site, fixed(s.distance), s.image.join(' ')])),
          )
          .join('\n'),
      );
      // every site that could be reported was; name the file and site of any that could not
      for (const f of failures) process.stderr.write(`cescreen: ${f.input ? '' : 'internal error: '}${cif}: site ${f.site} (${f.wyckoff}): ${f.message}\n`);
      if (failures.length > 0) process.exitCode = failures.every((f) => f.input) ? 2 : 1;
    });
}
