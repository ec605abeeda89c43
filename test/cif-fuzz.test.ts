import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCif } from '../src/structure/cif.ts';
import { parsePoscar, toPoscar } from '../src/structure/poscar.ts';
import { isElement } from '../src/structure/periodicTable.ts';
import { InputError } from '../src/util/errors.ts';
import type { Structure } from '../src/structure/structure.ts';
import { seededRandom } from './helpers.ts';


const GARBAGE = ['?', '.', 'NaN', '-1', '0', '1e308', '-1e308', '1e999', '1e-320', 'Xx', 'Qq2+', "'", '"', ';', 'loop_', 'data_', 'data_x', '_tag', '#', '', '0.5(', '(3)', 'x,y', "'x,y,z,'", "'-x,2y,z'", 'save_', 'Nb', 'inf', '0x10', '1/2', '--1', '+.', '.5e', '\t', "'a b'"];
const NUMBERS = ['0', '-1', 'NaN', '1e300', '-0', '1e-300', '180', '360', '0.0000001', '99999999'];

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** One random edit of a text file, line- or token-level. */
function mutate(text: string, r: Rand): string {
  const lines = text.split('\n');
  const i = Math.floor(r() * lines.length);
  switch (Math.floor(r() * 9)) {
    case 0: // delete a line
      lines.splice(i, 1);
      break;
    case 1: // duplicate a line
      lines.splice(i, 0, lines[i]);
      break;
    case 2: // truncate the file at a random character
      return text.slice(0, Math.floor(r() * text.length));
    case 3: // swap two lines
      {
        const j = Math.floor(r() * lines.length);
        [lines[i], lines[j]] = [lines[j], lines[i]];
      }
      break;
    case 4: // replace a token with garbage
    case 5: {
      const words = lines[i].split(/(\s+)/);
      const w = Math.floor(r() * words.length);
      words[w] = pick(r, GARBAGE);
      lines[i] = words.join('');
      break;
    }
    case 6: // change a number
    case 7: {
      const nums = [...text.matchAll(/-?\d+\.?\d*(\(\d+\))?/g)];
      if (nums.length === 0) return text;
      const m = pick(r, nums);
      return text.slice(0, m.index) + pick(r, NUMBERS) + text.slice(m.index! + m[0].length);
    }
    default: // drop the cell or a whole category
      return text
        .split('\n')
        .filter((l) => !l.trim().startsWith(pick(r, ['_cell_length', '_cell_angle', '_atom_site_fract', '_atom_site_label', '_space_group_symop', ';', 'loop_'])))
        .join('\n');
  }
  return lines.join('\n');
}

function assertValid(s: Structure, what: string): void {
  assert.ok(s.lattice.volume > 0 && Number.isFinite(s.lattice.volume), `${what}: volume ${s.lattice.volume}`);
  assert.ok(s.lattice.matrix.flat().every(Number.isFinite), `${what}: lattice`);
  assert.ok(s.length > 0, `${what}: no atoms`);
  for (const site of s.sites) {
    assert.ok(isElement(site.element), `${what}: element ${site.element}`);
    for (const x of site.frac) assert.ok(Number.isFinite(x) && x >= 0 && x < 1, `${what}: coordinate ${x}`);
    assert.ok(s.lattice.toCartesian(site.frac).every(Number.isFinite), `${what}: Cartesian`);
  }
}

function runFuzz(bases: string[], n: number, seed: number, parse: (t: string) => Structure): { valid: number; errors: number; lines: Set<number> } {
  const r = seededRandom(seed);
  let valid = 0;
  let errors = 0;
  const lines = new Set<number>();
  for (let k = 0; k < n; k++) {
    let text = pick(r, bases);
    const edits = 1 + Math.floor(r() * 3);
    for (let e = 0; e < edits; e++) text = mutate(text, r);
    let s: Structure;
    try {
      s = parse(text);
    } catch (err) {
      assert.ok(err instanceof InputError, `case ${k}: ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}\n--- input ---\n${text}`);
      assert.equal(err.file, 'fuzz', `case ${k}: error without the file: ${err.message}`);
      assert.ok(Number.isInteger(err.line) && err.line! >= 1 && err.line! <= text.split('\n').length + 1, `case ${k}: line ${err.line} for ${err.message}`);
      errors++;
      lines.add(err.line!);
      continue;
    }
    assertValid(s, `case ${k}`);
    valid++;
  }
  return { valid, errors, lines };
}

const CIF_BASES = [
  readFileSync('structures/alpha-Nb5Si3/structure.cif', 'utf8'),
  readFileSync('structures/alpha-Nb5Si3/3D-ELAN-P1.cif', 'utf8'),
  readFileSync('structures/reference/C14-MgZn2.cif', 'utf8'),
  `data_first
_publ_section_title
;
 text field with loop_ inside
;
_cell_length_a 4.0495(2)
_cell_length_b 4.0495(2)
_cell_length_c 4.0495(2)
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
loop_
_symmetry_equiv_pos_as_xyz
'x, y, z'
'x+1/2, y+1/2, z'
'x+1/2, y, z+1/2'
'x, y+1/2, z+1/2'
loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
_atom_site_occupancy
Al1 Al 0 0 0 1
data_second
_cell_length_a 3
_cell_length_b 3
_cell_length_c 3
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
loop_
_atom_site_label
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
"Nb 1" 0 0 0
`,
];

test('fuzzed CIFs: every outcome is a valid structure or an InputError with file and line', () => {
  const { valid, errors, lines } = runFuzz(CIF_BASES, 400, 20240531, (t) => parseCif(t, { file: 'fuzz' }));
  assert.equal(valid + errors, 400);
  // The mutations must exercise both outcomes and many different error lines.
  assert.ok(valid >= 40, `only ${valid} mutated files parsed`);
  assert.ok(errors >= 100, `only ${errors} mutated files were rejected`);
  assert.ok(lines.size >= 20, `errors on only ${lines.size} distinct lines`);
});

test('fuzzed POSCARs: every outcome is a valid structure or an InputError with file and line', () => {
  const alpha = parseCif(readFileSync('structures/alpha-Nb5Si3/structure.cif', 'utf8'));
  const bases = [
    toPoscar(alpha),
    `Ti hcp, Cartesian with selective dynamics
  -36.3284
   2.9506 0.0 0.0
  -1.4753 2.55529 0.0
   0.0 0.0 4.81833
 Ti
 2
Selective dynamics
Cartesian
 0.0 1.70353 1.20458 T T F
 1.4753 0.85176 3.61375 T T T
`,
  ];
  const { valid, errors } = runFuzz(bases, 200, 7, (t) => parsePoscar(t, { file: 'fuzz' }));
  assert.ok(valid >= 20, `only ${valid} parsed`);
  assert.ok(errors >= 50, `only ${errors} rejected`);
});
