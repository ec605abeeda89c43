/**
 * The engines: one table. Each entry declares its parameters once and what it
 * can do (run here, write inputs, read outputs); `cescreen compute` and
 * `collect` dispatch on those capabilities, and the CLI's engine options are
 * generated from the declarations.
 */
import { InputError } from '../util/errors.ts';
import type { Param, ParamDefs } from '../util/params.ts';
import type { EngineEntry } from './engine.ts';
import { LAMMPS_ENGINE } from './lammps.ts';
import { ASE_ENGINE } from './ase.ts';
import { VASP_ENGINE } from './vasp.ts';
import { QE_ENGINE } from './qe.ts';

export const ENGINES: readonly EngineEntry<ParamDefs>[] = [LAMMPS_ENGINE, ASE_ENGINE, VASP_ENGINE, QE_ENGINE] as unknown as EngineEntry<ParamDefs>[];

export function engineEntry(name: string): EngineEntry<ParamDefs> {
  const e = ENGINES.find((x) => x.name === name);
  if (!e) throw new InputError(`--engine ${name}: expected one of ${ENGINES.map((x) => x.name).join(', ')}`);
  return e;
}

/** What an engine can do, in words (help text, `cescreen models`). */
export function capabilities(e: EngineEntry<ParamDefs>): string[] {
  return [e.runsHere && 'runs here', e.writesInputs && 'writes inputs', e.readsOutputs && 'reads outputs'].filter((x): x is string => !!x);
}

/** Every engine parameter once, with the engines that take it (one declaration may be shared, e.g. fmax). */
export function engineParams(): { name: string; param: Param; engines: string[] }[] {
  const out = new Map<string, { name: string; param: Param; engines: string[] }>();
  for (const e of ENGINES)
    for (const [name, param] of Object.entries(e.params)) {
      const known = out.get(name);
      if (known && known.param !== param) throw new Error(`engine parameter ${name} is declared twice differently (${known.engines.join(', ')} and ${e.name}): share one declaration`);
      if (known) known.engines.push(e.name);
      else out.set(name, { name, param, engines: [e.name] });
    }
  return [...out.values()];
}
