/**
 * The report page of a trained model file: the R²- and F1-selected models side by side (inner-CV
 * precision and recall of "stabilising", the calculations each flags) and, when the file holds an
 * attention model (MHAR), what it reads together.
 */
import { htmlTable, reportHtml, type ReportSection } from '../figures/report.ts';
import { substitutionText } from '../figures/pageScripts/shared.js';
import { esc, num } from '../figures/svg.ts';
import { attentionReportSection } from './attention.ts';
import { flagsAcrossModels, type SelectionReport, type TrainResult } from './train.ts';

export function selectionSection(sel: readonly SelectionReport[]): ReportSection {
  const t = sel[0].inner_cv.threshold;
  const parts = [
    `<p>Each selected model's hyper-parameters come from its regressor's declared grid, scored by grouped ${sel[0].inner_cv.folds}-fold CV inside the training data (one physical calculation per group); ` +
      `"stabilising" is E_DS &lt; ${esc(num(t, 2))} eV. Precision: of the calculations the model calls stabilising, the share DFT agrees with; recall: of those DFT finds stabilising, the share the model finds.</p>`,
    htmlTable(
      ['model', 'regressor', 'hyper-parameters', 'inner-CV MAE (meV)', 'R²', 'F1', 'precision', 'recall', `flagged in ${sel[0].flagged.formula}`],
      sel.map((s) => [s.model, s.regressor, Object.entries(s.params).map(([k, v]) => `${k}=${v}`).join(' '), num(s.inner_cv.mae * 1000, 1), num(s.inner_cv.r2, 3), num(s.inner_cv.f1, 3), num(s.inner_cv.precision, 3), num(s.inner_cv.recall, 3), `${s.flagged.count} of ${s.flagged.calculations}`]),
    ),
  ];
  const rows = flagsAcrossModels(sel);
  parts.push(
    htmlTable(
      ['pair', 'substitution', 'd (Å)', ...sel.map((s) => `${s.model} E_DS (eV)`), 'flagged by'],
      rows.slice(0, 60).map(({ pair: p, byModel }) => [p.config, substitutionText(p.element_a, p.site_a, p.element_b, p.site_b, p.host_a, p.host_b), num(p.distance, 3), ...sel.map((s) => { const e = byModel.get(s.model); return e === undefined ? `≥ ${num(t, 2)}` : num(e, 3); }), [...byModel.keys()].join(', ')]),
      `${sel[0].flagged.formula} (${sel[0].flagged.structure}): calculations flagged as stabilising, most negative first${rows.length > 60 ? ` (60 of ${rows.length})` : ''}; predictions, not DFT`,
    ),
  );
  return { id: 'selection', title: 'R²- vs F1-selected models', html: parts.join('\n') };
}

/** The report page of a trained model: the selection (when --select) and the attention section (when MHAR). */
export async function trainReport(file: string, saved: TrainResult): Promise<string> {
  const sections: ReportSection[] = [];
  if (saved.selection.length) sections.push(selectionSection(saved.selection));
  const attention = await attentionReportSection(file, saved);
  if (attention) sections.push(attention);
  const families = Object.entries(saved.families).map(([n, m]) => `${n} (${m.spec.regressor})`).join(', ');
  return reportHtml(`cescreen — model ${file}`, `<p>Models: ${esc(families)}; trained on ${saved.training.samples} calculations of ${esc(saved.training.phases.map((p) => p.phase.formula).join(' + '))}.${sections.length ? '' : ' Nothing more to show: no --select and no attention model.'}</p>`, sections);
}
