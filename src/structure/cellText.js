// The text of a cell as P1 CIF and as POSCAR, shared by the structure writers (src/structure/cif.ts
// toCif, poscar.ts toPoscar) and the viewer page, which inlines this file to export the displayed
// cell: one writer, so a download and a written file are the same text.
// Plain browser-safe JavaScript: no imports, no Node APIs (types in cellText.d.ts).

/**
 * A P1 CIF of a cell listing every atom, so that `readStructure` reads it back with its site labels:
 * `_atom_site_label` = `<site label>_<n>` (unique, as most programs expect), `_atom_site_type_symbol` =
 * element, and `_atom_site_cescreen_site` = the original site label, which the reader keeps.
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

/**
 * VASP 5 POSCAR of a cell: scale 1, the lattice rows (cell.matrix, Å) as stored, atoms grouped by
 * element in order of first appearance, Direct coordinates, the site label after each triple.
 */
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

/** A CIF value token: bare when it cannot be mistaken for syntax, else quoted . */
function cifToken(s) {
  const low = s.toLowerCase();
  const reserved = low.startsWith('data_') || low === 'loop_' || low.startsWith('save_') || low === 'global_' || low === 'stop_';
  const bare = s !== '' && !/\s/.test(s) && !/^[_#$'";[\]]/.test(s) && !reserved && s !== '?' && s !== '.';
  if (bare) return s;
  if (!/'(\s|$)/.test(s)) return `'${s}'`;
  if (!/"(\s|$)/.test(s)) return `"${s}"`;
  return `\n;${s}\n;\n`;
}
