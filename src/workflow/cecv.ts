/**
 * `cescreen cecv`: the chemical environment classification vectors of a trained
 * L-G-DCNN, over every substitution of a structure (default: the training cell).
 */
import { loadModel, restoreCell } from '../predict/modelFile.ts';
import { substitutionSystem } from '../substitution/system.ts';
import { distinctSubstitutions } from '../substitution/substitution.ts';
import { featurizerFor } from '../features/ce.ts';
import { elementOfIndex } from '../features/tokens.ts';
import { regressorFromJSON } from '../model/learn/regressors.ts';
import { LGDCNNRegressor } from '../model/learn/lgdcnn.ts';
import { cecvAnalysis, elementVectors, type Cecv, type SimilarityKind } from '../model/learn/cecv.ts';
import { InputError } from '../util/errors.ts';

export interface CecvRequest {
  /** Model file written by `cescreen train --model lgdcnn --features tokens`. */
  model: string;
  /** Structure whose substitutions are read (default: the model's first training cell). */
  cif?: string;
  block?: string;
  supercell?: string;
  maxDistance?: number;
  /** Family of the file (default: the first with an L-G-DCNN). */
  family?: string;
  /** Elements to place and compare (default: those the model was trained on). */
  elements?: string[];
  similarity?: SimilarityKind;
}

export interface CecvResult extends Cecv {
  family: string;
  structure: string;
  substitutions: number;
}

export async function chemicalEnvironmentVectors(r: CecvRequest): Promise<CecvResult> {
  const saved = await loadModel(r.model);
  const names = r.family ? [r.family] : Object.keys(saved.families);
  let found: { name: string; net: LGDCNNRegressor } | null = null;
  for (const name of names) {
    const fam = saved.families[name];
    if (!fam) throw new InputError(`--family ${name}: ${r.model} holds ${Object.keys(saved.families).join(', ')}`);
    const main = fam.toJSON().main;
    if (main.kind !== 'LGDCNN') continue;
    found = { name, net: (await regressorFromJSON(main)) as LGDCNNRegressor };
    break;
  }
  if (!found) throw new InputError(`${r.model}: no L-G-DCNN model${r.family ? ` in family ${r.family}` : ''} (train one with --model lgdcnn --features tokens)`);
  const { name, net } = found;
  try {
    const spec = saved.families[name].spec;
    const system = r.cif ? substitutionSystem(r.cif, { block: r.block, supercell: r.supercell, maxDistance: r.maxDistance }) : null;
    const enumeration = system ? system.enumeration : restoreCell(saved.training.phases[0].cell);
    const elements = r.elements ?? saved.training.elements;
    const subs = distinctSubstitutions(enumeration, elements);
    if (subs.length === 0) throw new InputError('no substitutions to read: the structure has no site pairs within --max-distance');
    const f = featurizerFor(enumeration, spec.features);
    const states = net.tokenStates(subs.map((s) => f.features(s)));
    const wanted = new Set(elements);
    const byElement = elementVectors(states.map((t) => ({ key: elementOfIndex(t.Z), state: t.state })).filter((t) => wanted.has(t.key)));
    const shown = elements.filter((e) => byElement.has(e));
    if (shown.length < 2) throw new InputError(`--elements: need two elements that occur in the substitutions, found ${shown.join(', ') || 'none'}`);
    const cecv = cecvAnalysis(
      shown,
      shown.map((e) => byElement.get(e)!.vector),
      shown.map((e) => byElement.get(e)!.tokens),
      r.similarity ?? 'cosine',
    );
    return { ...cecv, family: name, structure: system ? system.structure.formula() : enumeration.cell.title, substitutions: subs.length };
  } finally {
    net.dispose();
  }
}
