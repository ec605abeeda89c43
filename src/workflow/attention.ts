/**
 * What a multi-head attention model (MHAR) reads together: the attention maps
 * of one substitution (each head and their mean) and the mean map per site pair
 * (NbI–SiII …) over every double substitution of that pair in the training cell,
 * from a model file. Tokens are the CE features of the pair vector; labels can be
 * given (another token layout), blocks (centre 1, shell 1, …) group them.
 */
import { loadModel, restoreCell, type SavedModel } from '../predict/modelFile.ts';
import { featureBlocks, featurizerFor } from '../features/ce.ts';
import { hasElement } from '../features/elements.ts';
import { elementSymbol } from '../structure/periodicTable.ts';
import { canonicalSubstitution, expandSubstitutions, substitutionKind, type Substitution } from '../substitution/substitution.ts';
import type { PairEnumeration } from '../substitution/pairs.ts';
import { familiesWith } from '../model/families/index.ts';
import type { MHARegressor } from '../model/learn/mhar.ts';
import { attentionSvg, groupAttention, type TokenGroup } from '../figures/attentionPlot.ts';
import { htmlTable, type ReportSection } from '../figures/report.ts';
import { esc, num } from '../figures/svg.ts';
import { InputError } from '../util/errors.ts';

export interface AttentionRequest {
  /** Model file written by `cescreen train`. */
  model: string;
  /** Model of the file (default: the first MHAR one, site before transfer). */
  family?: string;
  /** 'Ti@NbI,Zr@SiII': X on a site of one label, Y on a site of another (or the same) label. */
  substitution?: string;
  /** Configuration id of the pair (default: the nearest pair of the two sites). */
  pair?: number;
  pairMeans?: boolean;
  /** One label per token (default: the CE feature names). */
  labels?: string[];
}

export interface SubstitutionAttention {
  text: string;
  config: number;
  site_a: string;
  site_b: string;
  distance: number;
  /** The model's E_DS (eV), pristine-referenced as in predict. */
  eds_pred: number;
  /** heads[h][query][key]. */
  heads: number[][][];
  mean: number[][];
  /** The strongest query → key weights of the head mean. */
  strongest: { query: string; key: string; weight: number }[];
}

export interface PairMeanAttention {
  site_a: string;
  site_b: string;
  /** Double substitutions (both sites changed) averaged over, every configuration of the two labels. */
  substitutions: number;
  /** Head mean, token × token. */
  mean: number[][];
  /** The same over blocks, relative to uniform attention (1 = a uniform row's share; see groupAttention). */
  blocks: number[][];
}

export interface AttentionResult {
  model: string;
  family: string;
  heads: number;
  labels: string[];
  blocks: { name: string; tokens: number[] }[];
  substitution?: SubstitutionAttention;
  pairMeans?: PairMeanAttention[];
  /** Figures: the substitution's heads and mean (tokens), the same by block, the mean alone, the pair means (blocks). */
  svg?: string;
  blockSvg?: string;
  meanSvg?: string;
  pairSvg?: string;
}

/** The MHAR regressor of a model that reads the pair vector (its `regressorOn.pair`). */
async function mharOf(saved: SavedModel, family: string | undefined): Promise<{ name: string; mhar: MHARegressor }> {
  const { MHARegressor } = await import('../model/learn/mhar.ts');
  const reader = (name: string) => {
    const r = saved.families[name].regressorOn?.pair;
    return r instanceof MHARegressor ? r : null;
  };
  const names = Object.keys(saved.families);
  const describe = names.map((n) => `${n} (${saved.families[n].spec.regressor})`).join(', ');
  if (family !== undefined) {
    if (!saved.families[family]) throw new InputError(`--family ${family}: the model file holds ${describe}`);
    const mhar = reader(family);
    if (!mhar) throw new InputError(`--family ${family}: its regressor is ${saved.families[family].spec.regressor}, not an attention model (MHAR); the file holds ${describe}`);
    return { name: family, mhar };
  }
  // in the order the file lists its models
  for (const n of names) {
    const mhar = reader(n);
    if (mhar) return { name: n, mhar };
  }
  throw new InputError(`the model file holds no attention model (MHAR): ${describe}; train one with 'cescreen train --model mhar --family ${familiesWith('explain')[0].name}'`);
}

/** 'Ti@NbI,Zr@SiII' → the substitution on the nearest pair of those sites (or on configuration `pair`). */
export function parseSubstitution(enumeration: PairEnumeration, text: string, pairId?: number): Substitution {
  const parts = text.split(',').map((s) => s.trim());
  const labels = enumeration.cell.labels();
  const ends = parts.map((p) => {
    const m = p.match(/^([A-Za-z]{1,3})@(\S+)$/);
    const el = m ? elementSymbol(m[1]) : undefined;
    if (!m || !el || !hasElement(el)) throw new InputError(`--substitution ${text}: '${p}' is not Element@Site (e.g. Ti@NbI)`);
    if (!labels.includes(m[2])) throw new InputError(`--substitution ${text}: site '${m[2]}' is not a site of the training cell (${labels.join(', ')})`);
    return { el, site: m[2] };
  });
  if (ends.length !== 2) throw new InputError(`--substitution ${text}: expected two sites, X@a,Y@b (a kept host is written as its own element, e.g. Nb@NbI)`);
  const [x, y] = ends;
  const fits = enumeration.pairs.filter((p) => (p.siteA === x.site && p.siteB === y.site) || (p.siteA === y.site && p.siteB === x.site));
  if (fits.length === 0) throw new InputError(`--substitution ${text}: no pair of ${x.site} and ${y.site} within the training cutoff`);
  const pair = pairId === undefined ? fits.reduce((a, b) => (b.distance < a.distance ? b : a)) : fits.find((p) => p.id === pairId);
  if (!pair) throw new InputError(`--pair ${pairId}: not a pair of ${x.site} and ${y.site}; expected one of ${fits.map((p) => `${p.id} (${p.distance.toFixed(3)} Å)`).join(', ')}`);
  const [a, b] = pair.siteA === x.site ? [x.el, y.el] : [y.el, x.el];
  return canonicalSubstitution(pair, a, b);
}

const headMean = (heads: number[][][]) => heads[0].map((row, q) => row.map((_, k) => heads.reduce((s, h) => s + h[q][k], 0) / heads.length));

export async function attentionMaps(r: AttentionRequest): Promise<AttentionResult> {
  if (!r.substitution && !r.pairMeans) throw new InputError('give --substitution X@a,Y@b and/or --pair-means');
  const saved = await loadModel(r.model);
  return attentionOf(saved, await mharOf(saved, r.family), r);
}

/** The maps of an MHAR of a loaded model file (loading refactors every model in it: done once). */
function attentionOf(saved: SavedModel, { name, mhar }: { name: string; mhar: MHARegressor }, r: AttentionRequest): AttentionResult {
  const model = saved.families[name];
  const enumeration = restoreCell(saved.training.phases[0].cell);
  const f = featurizerFor(enumeration, model.spec.features);
  // tokens as the model has them: one per CE feature today; another token layout may differ, then
  // labels come from the caller and CE blocks no longer apply
  const probe = expandSubstitutions(enumeration, saved.training.elements.slice(0, 1))[0];
  const F = mhar.attention([f.features(probe)])[0][0].length;
  const perFeature = F === f.names.length;
  if (r.labels && r.labels.length !== F) throw new InputError(`--labels: ${r.labels.length} labels for ${F} tokens`);
  const labels = r.labels ?? (perFeature ? f.names : Array.from({ length: F }, (_, k) => `token ${k + 1}`));
  const groups: TokenGroup[] = perFeature ? featureBlocks(model.spec.features).map((b) => ({ name: b.block, tokens: b.features })) : [{ name: 'all tokens', tokens: labels.map((_, k) => k) }];
  const heads = mhar.options.heads;
  const out: AttentionResult = { model: r.model, family: name, heads, labels, blocks: groups.map((g) => ({ name: g.name, tokens: [...g.tokens] })) };
  const hosts = enumeration.cell.hosts();

  if (r.substitution) {
    const s = parseSubstitution(enumeration, r.substitution, r.pair);
    const [att] = mhar.attention([f.features(s)]);
    const mean = headMean(att);
    const strongest = mean
      .flatMap((row, q) => row.map((w, k) => ({ query: labels[q], key: labels[k], weight: w })))
      .sort((a, b) => b.weight - a.weight)
      .slice(0, 8);
    const side = (el: string, site: string) => (el === hosts.get(site) ? `${el}@${site} (host)` : `${el}@${site}`);
    const text = `${side(s.elementA, s.pair.siteA)} + ${side(s.elementB, s.pair.siteB)}`;
    const [eds] = model.predict(enumeration, [s]);
    out.substitution = { text, config: s.pair.id, site_a: s.pair.siteA, site_b: s.pair.siteB, distance: s.pair.distance, eds_pred: eds, heads: att, mean, strongest };
    out.svg = attentionSvg(
      [...att.map((m, h) => ({ title: `head ${h + 1}`, matrix: m })), { title: `mean of ${heads} heads`, matrix: mean }],
      labels,
      { title: `Attention of ${name} (MHAR): ${text}, pair ${s.pair.id} at ${s.pair.distance.toFixed(3)} Å`, subtitle: `rows: query token, columns: key token; predicted E_DS ${num(eds, 3)} eV`, groups, columns: 2 },
    );
    // for a page of fixed width: the heads by block (readable at any size) and the token-level mean alone
    out.blockSvg = attentionSvg(
      [...att.map((m, h) => ({ title: `head ${h + 1}`, matrix: groupAttention(m, groups) })), { title: `mean of ${heads} heads`, matrix: groupAttention(mean, groups) }],
      groups.map((g) => g.name),
      { title: `${text}: attention by CE block`, subtitle: `row block's attention to column block ÷ uniform; predicted E_DS ${num(eds, 3)} eV`, columns: heads + 1, valueLabel: 'attention ÷ uniform (red: above)', centre: 1 },
    );
    out.meanSvg = attentionSvg([{ title: `mean of ${heads} heads`, matrix: mean }], labels, { title: `${text}: attention per token (head mean)`, subtitle: 'rows: query token, columns: key token', groups });
  }

  if (r.pairMeans) {
    const elements = saved.training.elements;
    const all = expandSubstitutions(enumeration, elements).filter((s) => substitutionKind(enumeration, s) === 'pair');
    const bySites = new Map<string, Substitution[]>();
    for (const s of all) {
      const k = `${s.pair.siteA}\u0000${s.pair.siteB}`;
      const list = bySites.get(k);
      if (list) list.push(s);
      else bySites.set(k, [s]);
    }
    const order = enumeration.cell.labels();
    out.pairMeans = [...bySites]
      .map(([k, subs]) => {
        const [a, b] = k.split('\u0000');
        const mean = mhar.attentionMap(subs.map((s) => f.features(s)));
        return { site_a: a, site_b: b, substitutions: subs.length, mean, blocks: groupAttention(mean, groups) };
      })
      .sort((p, q) => order.indexOf(p.site_a) - order.indexOf(q.site_a) || order.indexOf(p.site_b) - order.indexOf(q.site_b));
    out.pairSvg = attentionSvg(
      out.pairMeans.map((p) => ({ title: `${p.site_a}–${p.site_b} (${p.substitutions})`, matrix: p.blocks })),
      groups.map((g) => g.name),
      {
        title: `Mean attention of ${name} (MHAR) per site pair, by CE block`,
        subtitle: `over heads and every double substitution of the pair (count in brackets, ${elements.length} elements); row block's attention to column block ÷ uniform`,
        columns: 4,
        valueLabel: 'attention ÷ uniform (red: above)',
        centre: 1,
      },
    );
  }
  return out;
}

/** The report section of an attention result: figures, the strongest weights, what a row means. */
export function attentionSection(a: AttentionResult): ReportSection {
  const parts = [
    `<p>Multi-head attention regression (${esc(a.family)}, ${a.heads} heads): every CE feature is a token; a row of a map is how one token (query) spreads its attention over all tokens (keys), so each row sums to 1 and a uniform row is ${num(1 / a.labels.length, 3)}. ` +
      `Attention shows what the model reads together, not what changes its prediction: the SHAP values of the importance section say that.</p>`,
  ];
  if (a.substitution && a.blockSvg && a.meanSvg) {
    parts.push(`<div class="fig">${a.blockSvg}</div>`, `<div class="fig">${a.meanSvg}</div>`);
    parts.push(htmlTable(['query', 'key', 'weight'], a.substitution.strongest.map((w) => [w.query, w.key, num(w.weight, 3)]), `Strongest weights (head mean) for ${a.substitution.text}`));
  }
  if (a.pairMeans && a.pairSvg) parts.push(`<div class="fig">${a.pairSvg}</div>`);
  return { id: 'attention', title: 'What the attention model reads together', html: parts.join('\n') };
}

/**
 * The report section of a model file (or of the models just trained into it: `loaded`) when it
 * holds an attention model, else null: the training
 * cell's double substitution the model finds most stabilising, and the means per site pair.
 */
export async function attentionReportSection(modelFile: string, loaded?: SavedModel): Promise<ReportSection | null> {
  const saved = loaded ?? (await loadModel(modelFile));
  let found: { name: string; mhar: MHARegressor };
  try {
    found = await mharOf(saved, undefined);
  } catch (e) {
    if (e instanceof InputError) return null;
    throw e;
  }
  const { name } = found;
  const model = saved.families[name];
  const enumeration = restoreCell(saved.training.phases[0].cell);
  const doubles = expandSubstitutions(enumeration, saved.training.elements).filter((s) => substitutionKind(enumeration, s) === 'pair');
  const p = model.predict(enumeration, doubles);
  const best = doubles[p.indexOf(Math.min(...p))];
  const a = attentionOf(saved, found, { model: modelFile, family: name, substitution: `${best.elementA}@${best.pair.siteA},${best.elementB}@${best.pair.siteB}`, pair: best.pair.id, pairMeans: true });
  return attentionSection(a);
}
