import type { Command } from 'commander';
import { writeStructure } from '../structure/io.ts';
import { ENVIRONMENT_PARAMS } from '../environment/params.ts';
import { nnhSvg } from '../figures/nnhPlot.ts';
import { fixed, table } from '../figures/text.ts';
import { buildSupercell, describe, environments, histograms } from '../workflow/structure.ts';
import { emit, warn, writeOutput } from './output.ts';
import { paramOption } from './options.ts';

const SUPERSCRIPT: Record<string, string> = { '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', '.': '·' };

/** A topological code for reading: `4^{3.2}` → `4³·²` (JSON keeps the raw code). */
function superscriptCode(code: string): string {
  return code.replace(/\^\{([0-9.]+)\}/g, (_, t: string) => [...t].map((c) => SUPERSCRIPT[c]).join(''));
}

interface Common {
  json?: boolean;
  block?: string;
  symprec: number;
}

export function registerStructureCommands(program: Command): void {
  const common = (c: Command) =>
    c
      .option('--json', 'machine-readable JSON output')
      .option('--block <name>', 'CIF data block to read (default: the first with atoms)')
      .addOption(paramOption('symprec', ENVIRONMENT_PARAMS.symprec));

  common(program.command('structure <cif>').description('formula, space group, lattice and Wyckoff sites')).action((cif: string, o: Common) => {
    const { report, warnings } = describe({ file: cif, ...o });
    warn(cif, warnings);
    emit(report, o.json, (r) => {
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
      const { cell, warnings } = buildSupercell({ file: cif, ...o });
      warn(cif, warnings);
      writeStructure(o.output, cell);
      emit({ file: o.output, natoms: cell.length, formula: cell.formula(), volume: cell.lattice.volume }, o.json, (r) => `wrote ${r.file}: ${r.natoms} atoms, ${r.formula}, V=${fixed(r.volume, 3)} Å³\n`);
    });

  common(program.command('nnh <cif>').description('nearest-neighbour histogram (count vs d/d_min) of each non-equivalent site'))
    .option('--site <label>', 'only this site')
    .addOption(paramOption('cutoff', ENVIRONMENT_PARAMS.cutoff))
    .option('--svg <file>', 'write the histograms as an SVG figure')
    .action((cif: string, o: Common & { site?: string; cutoff: number; svg?: string }) => {
      const { histograms: result, warnings } = histograms({ file: cif, ...o });
      warn(cif, warnings);
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
    .addOption(paramOption('maxRatio', ENVIRONMENT_PARAMS.maxRatio))
    .addOption(paramOption('angleTolerance', ENVIRONMENT_PARAMS.angleTolerance, { withDefault: false }))
    .action((cif: string, o: Common & { site?: string; maxRatio: number; angleTolerance?: number }) => {
      const { environments: envs, failures, warnings } = environments({ file: cif, ...o });
      warn(cif, warnings);
      const result = envs.map((e) => ({
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
              `${e.site} (${e.wyckoff})  CN ${e.cn}  ${e.rule}${e.onSurface ? ` (${e.onSurface} on faces)` : ''}${e.inside ? ` (${e.inside} inside)` : ''}  gap ${fixed(e.gap, 3)}  V ${fixed(e.volume, 2)} Å³  code ${superscriptCode(e.code)}` +
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
