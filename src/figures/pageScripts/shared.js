// Helpers shared by the figure builders (Node imports this module; types in shared.d.ts) and the
// pages (viewer.ts inlines this text into the viewer's module script), so that a number, a
// topological code or an exported cell reads the same in every figure, page and download.
// Plain browser-safe JavaScript: no imports, no Node APIs.

/**
 * A number for display: fixed decimals, never "-0.00", and a typographic minus (U+2212)
 * unless `ascii` (attribute values, CSV, file formats). Non-finite values read "—".
 */
export function formatNumber(v, digits = 2, ascii = false) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '\u2014';
  let s = v.toFixed(digits);
  if (/^-0\.?0*$/.test(s)) s = s.slice(1);
  return ascii ? s : s.replace('-', '\u2212');
}

/** Escape text for HTML/XML text nodes and attribute values. */
export function escapeXml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/**
 * A topological code such as "8^{5.0} 4^{6.0}" (or "4^6 6^8") as terms: each a base (the number
 * of vertices) and the superscript (faces meeting there: triangles.squares[.pentagons…]).
 * Text without a caret is kept as a plain term.
 */
export function parseCode(code) {
  const terms = [];
  for (const word of String(code).trim().split(/\s+/)) {
    if (!word) continue;
    const m = /^([^^]+)\^(?:\{([^}]*)\}|(.+))$/.exec(word);
    terms.push(m ? { base: m[1], sup: m[2] ?? m[3] } : { base: word, sup: '' });
  }
  return terms;
}

/** A topological code as HTML with <sup> superscripts. */
export function codeHtml(code) {
  return parseCode(code)
    .map((t) => `${escapeXml(t.base)}${t.sup ? `<sup>${escapeXml(t.sup)}</sup>` : ''}`)
    .join(' ');
}

/**
 * A P1 CIF of a cell listing every atom, in the format of src/structure/cif.ts `toCif` (tested to be
 * byte-identical on the unsubstituted cell) so that `readStructure` reads it back with its site labels.
 * cell: { title, lattice: { a, b, c, alpha, beta, gamma, volume }, sites: [{ element, label, frac }] }.
 */
export function cifText(cell) {
  const l = cell.lattice;
  const f = (x) => x.toFixed(10);
  const out = [
    '# written by cescreen: P1 cell with every atom; _atom_site_cescreen_site is the original site label',
    `data_${cifBlockName(cell.title)}`,
    `_symmetry_space_group_name_H-M   'P 1'`,
    `_space_group_IT_number   1`,
    `_cell_length_a   ${f(l.a)}`,
    `_cell_length_b   ${f(l.b)}`,
    `_cell_length_c   ${f(l.c)}`,
    `_cell_angle_alpha   ${f(l.alpha)}`,
    `_cell_angle_beta   ${f(l.beta)}`,
    `_cell_angle_gamma   ${f(l.gamma)}`,
    `_cell_volume   ${l.volume.toFixed(6)}`,
    `_chemical_formula_sum   '${[...composition(cell.sites)].map(([e, n]) => `${e}${n}`).join(' ')}'`,
    'loop_',
    '_space_group_symop_operation_xyz',
    "'x, y, z'",
    'loop_',
    '_atom_site_label',
    '_atom_site_type_symbol',
    '_atom_site_cescreen_site',
    '_atom_site_fract_x',
    '_atom_site_fract_y',
    '_atom_site_fract_z',
    '_atom_site_occupancy',
  ];
  const count = new Map();
  for (const s of cell.sites) {
    const n = (count.get(s.label) ?? 0) + 1;
    count.set(s.label, n);
    out.push([cifToken(`${s.label}_${n}`), s.element, cifToken(s.label), f(s.frac[0]), f(s.frac[1]), f(s.frac[2]), '1'].join('  '));
  }
  return out.join('\n') + '\n';
}

/** VASP 5 POSCAR of the same cell, in the format of src/structure/poscar.ts `toPoscar`. cell.matrix: rows a, b, c (Å). */
export function poscarText(cell) {
  const f = (x) => x.toFixed(12).padStart(18);
  const comp = composition(cell.sites);
  const order = [...comp.keys()];
  const out = [String(cell.title).replace(/\s+/g, ' ').trim() || 'cescreen', '1.0'];
  for (const r of cell.matrix) out.push(`${f(r[0])} ${f(r[1])} ${f(r[2])}`);
  out.push(order.map((e) => e.padStart(4)).join(' '));
  out.push(order.map((e) => String(comp.get(e)).padStart(4)).join(' '));
  out.push('Direct');
  for (const e of order) {
    for (const s of cell.sites) {
      if (s.element !== e) continue;
      out.push(`${f(s.frac[0])} ${f(s.frac[1])} ${f(s.frac[2])}  ${s.label.replace(/\s+/g, '_') || e}`);
    }
  }
  return out.join('\n') + '\n';
}

/** Element counts in order of first appearance (as Structure.composition). */
function composition(sites) {
  const m = new Map();
  for (const s of sites) m.set(s.element, (m.get(s.element) ?? 0) + 1);
  return m;
}

function cifBlockName(title) {
  const name = String(title).trim().replace(/[^\x21-\x7e]+/g, '_');
  return name === '' ? 'cescreen' : name;
}

/** A CIF value token: bare when it cannot be mistaken for syntax, else quoted (cif.ts cifValue for single-line text). */
function cifToken(s) {
  const low = s.toLowerCase();
  const reserved = low.startsWith('data_') || low === 'loop_' || low.startsWith('save_') || low === 'global_' || low === 'stop_';
  const bare = s !== '' && !/\s/.test(s) && !/^[_#$'";[\]]/.test(s) && !reserved && s !== '?' && s !== '.';
  if (bare) return s;
  if (!/'(\s|$)/.test(s)) return `'${s}'`;
  if (!/"(\s|$)/.test(s)) return `"${s}"`;
  return `\n;${s}\n;\n`;
}

/**
 * One end of a substitution as people write it: "Ti@NbI", or "—" when the site keeps its host
 * element (a single substitution's partner, or the pristine cell).
 */
export function siteText(element, site, host) {
  return element === host ? '\u2014' : `${element}@${site}`;
}

/** A substitution as text: "Ti@NbI + B@SiI", "Ti@NbI + —" (single), "pristine cell". */
export function substitutionText(x, siteA, y, siteB, hostA, hostB) {
  if (x === hostA && y === hostB) return 'pristine cell';
  return `${siteText(x, siteA, hostA)} + ${siteText(y, siteB, hostB)}`;
}
