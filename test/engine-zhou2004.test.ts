import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { embeddingEnergy, setflGrid, tables, zhou2004Setfl, zjwParameters } from '../src/engine/zhou2004.ts';
import { repoPath } from './helpers.ts';

const reference = JSON.parse(readFileSync(repoPath('test/fixtures/engine/eam_database-NiAlTiZr.json'), 'utf8')) as {
  elements: string[];
  nrho: number;
  drho: number;
  nr: number;
  dr: number;
  cutoff: number;
  values: Record<string, Record<string, number>>;
};

/** Agreement to `rel` of the table's own scale: tools/eam_database works in single precision. */
function close(ours: number, theirs: number, scale: number, what: string, rel = 2e-6): void {
  assert.ok(Math.abs(ours - theirs) <= rel * Math.max(1, Math.abs(scale)), `${what}: ours ${ours}, tools/eam_database ${theirs}`);
}

test("ZJW 2004 generator agrees with LAMMPS' tools/eam_database output for Ni Al Ti Zr (grid and tables)", () => {
  const els = reference.elements;
  const grid = setflGrid(els);
  assert.equal(grid.nr, reference.nr);
  assert.equal(grid.nrho, reference.nrho);
  close(grid.cutoff, reference.cutoff, 1, 'cutoff', 1e-6);
  close(grid.dr, reference.dr, 1e-3, 'dr', 1e-7);
  close(grid.drho, reference.drho, 1e-2, 'drho', 1e-6);
  const t = tables(els, grid);
  const pairIndex = (a: number, b: number) => (a * (a + 1)) / 2 + b; // setfl order (0,0), (1,0), (1,1), …
  let checked = 0;
  for (const [key, points] of Object.entries(reference.values)) {
    const [what, kind] = key.split(':');
    const column =
      kind === 'embedding' ? t.embedding[els.indexOf(what)] : kind === 'density' ? t.density[els.indexOf(what)] : t.pairs[pairIndex(...(what.split('-').map((e) => els.indexOf(e)) as [number, number]))];
    const scale = Math.max(...column.map(Math.abs));
    for (const [i, v] of Object.entries(points)) {
      close(column[Number(i)], v, scale, `${key}[${i}]`);
      checked++;
    }
  }
  assert.equal(checked, 54); // 3 points of F and ρ of each element and of the 10 pair tables
});

/** The tables of a setfl file: F(ρ) and ρ(r) of each element, then r·φ of each pair. */
function setflTables(text: string): { elements: string[]; tables: number[][] } {
  const words = text.split('\n').slice(3).join(' ').trim().split(/\s+/);
  const n = Number(words[0]);
  const elements = words.slice(1, 1 + n);
  const [nrho, , nr] = words.slice(1 + n, 6 + n).map(Number);
  const out: number[][] = [];
  let k = 6 + n;
  const take = (m: number) => {
    out.push(words.slice(k, k + m).map(Number));
    k += m;
  };
  for (let e = 0; e < n; e++) {
    k += 4; // Z, mass, lattice constant, lattice
    take(nrho);
    take(nr);
  }
  for (let p = 0; p < (n * (n + 1)) / 2; p++) take(nr);
  assert.equal(k, words.length);
  return { elements, tables: out };
}

test("ZJW 2004 generator reproduces Debian's CuTa.eam.alloy (the same tool's output, shipped by lammps-data)", { skip: existsSync('/usr/share/lammps/potentials/CuTa.eam.alloy') ? false : 'lammps-data is not installed' }, () => {
  const theirs = setflTables(readFileSync('/usr/share/lammps/potentials/CuTa.eam.alloy', 'utf8'));
  const ours = setflTables(zhou2004Setfl(['Cu', 'Ta']));
  assert.deepEqual(ours.elements, theirs.elements);
  assert.equal(ours.tables.length, 7); // F, ρ of Cu and Ta; Cu–Cu, Ta–Cu, Ta–Ta
  ours.tables.forEach((table, t) => {
    const scale = Math.max(...theirs.tables[t].map(Math.abs));
    table.forEach((v, i) => close(v, theirs.tables[t][i], scale, `table ${t}[${i}]`));
  });
});

test('ZJW embedding function: the published value at the equilibrium density (F(ρ_e) = F_0) and continuity at ρ_n and ρ_0', () => {
  for (const el of ['Ni', 'Al', 'Pt', 'Zr']) {
    const p = zjwParameters(el);
    assert.equal(embeddingEnergy(p, p.rhoe), p.F[0]);
    for (const edge of [p.rhoLow * p.rhoe, p.rhoHigh * p.rhoe]) {
      const jump = Math.abs(embeddingEnergy(p, edge * (1 + 1e-9)) - embeddingEnergy(p, edge * (1 - 1e-9)));
      assert.ok(jump < 0.01, `${el}: F jumps by ${jump} eV at ρ = ${edge}`);
    }
  }
  assert.throws(() => zjwParameters('Nb'), /not one of the 16 elements/);
});
