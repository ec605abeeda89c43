import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSymmetry } from '../src/structure/symmetry.ts';
import { siteEnvironments, trySiteEnvironments } from '../src/environment/sites.ts';
import { Lattice } from '../src/structure/lattice.ts';
import { Structure } from '../src/structure/structure.ts';
import { atomicEnvironment, nearestNeighborShell } from '../src/environment/aet.ts';
import { ALPHA, BETA, bundled, ref } from './helpers.ts';

function aets(path: string) {
  const s = bundled(path);
  return Object.fromEntries(siteEnvironments(s, analyzeSymmetry(s)).map((e) => [e.site, e]));
}

test('bcc: CN 14 rhombic dodecahedron (8 + 6), hull volume 2a³', () => {
  const e = aets(ref('bcc-Nb')).Nb;
  assert.equal(e.cn, 14);
  assert.equal(e.code, '8^{0.3} 6^{0.4}');
  assert.equal(e.ideal?.name, 'rhombic dodecahedron');
  assert.ok(e.ideal!.deviation < 1e-6);
  assert.ok(Math.abs(e.volume - 2 * 3.3004 ** 3) < 1e-6);
  // the 8-atom cube is also a valid shell but closes a smaller gap (2/√3 − 1 vs √(8/3) − 2/√3)
  assert.ok(Math.abs(e.gap - (Math.sqrt(8 / 3) - 2 / Math.sqrt(3))) < 1e-9);
});

test('fcc: CN 12 cuboctahedron, volume 5√2/3 d³', () => {
  const e = aets(ref('fcc-Al')).Al;
  const d = 4.0495 / Math.SQRT2;
  assert.equal(e.cn, 12);
  assert.equal(e.code, '12^{2.2}');
  assert.equal(e.ideal?.name, 'cuboctahedron');
  assert.ok(Math.abs(e.volume - ((5 * Math.SQRT2) / 3) * d ** 3) < 1e-6);
});

test('ideal hcp: CN 12 anticuboctahedron (same code as the cuboctahedron, told apart by shape)', () => {
  const e = aets(ref('hcp-Ti')).Ti;
  assert.equal(e.cn, 12);
  assert.equal(e.code, '12^{2.2}');
  assert.equal(e.ideal?.name, 'anticuboctahedron');
  assert.ok(e.ideal!.deviation < 1e-6);
});

test('A15 Cr3Si: Cr in the Frank–Kasper CN14, Si in a CN12 icosahedron', () => {
  const e = aets(ref('A15-Cr3Si'));
  assert.equal(e.Cr.cn, 14);
  assert.equal(e.Cr.ideal?.name, 'Frank-Kasper CN14');
  assert.equal(e.Cr.code, '12^{5.0} 2^{6.0}');
  assert.equal(e.Si.cn, 12);
  assert.equal(e.Si.code, '12^{5.0}');
  assert.equal(e.Si.ideal?.name, 'icosahedron');
});

test('Laves MgCu2: Mg in the CN16 Friauf polyhedron, Cu in an icosahedron', () => {
  const e = aets(ref('C15-MgCu2'));
  assert.equal(e.Mg.cn, 16);
  assert.equal(e.Mg.code, '12^{5.0} 4^{6.0}');
  assert.equal(e.Mg.ideal?.name, 'Frank-Kasper CN16');
  assert.equal(e.Cu.cn, 12);
  assert.equal(e.Cu.ideal?.name, 'icosahedron');
});

test('α-Nb5Si3 AETs: CN 14, 16, 9, 10; SiI holds its Si dimer partner', () => {
  const e = aets(ALPHA);
  assert.deepEqual([e.NbI.cn, e.NbII.cn, e.SiI.cn, e.SiII.cn], [14, 16, 9, 10]);
  assert.equal(e.SiI.ideal?.name, 'tricapped trigonal prism');
  assert.equal(e.SiI.shell[0].element, 'Si');
  assert.ok(Math.abs(e.SiI.shell[0].distance - 2.4155) < 1e-3);
  assert.equal(e.SiII.ideal?.name, 'bicapped square antiprism');
  assert.ok(e.SiII.shell.every((a) => a.element === 'Nb'));
  // every shell atom is a hull corner and the centre is inside: the convex-volume rule
  for (const env of Object.values(e)) {
    assert.ok(env.volume > 20 && env.volume < 100, `${env.site} volume ${env.volume}`);
    assert.equal(env.candidates.at(-1)!.valid, true);
    assert.ok(env.candidates.slice(0, -1).every((c) => !c.valid && c.gap >= env.gap));
  }
});

test('β-Nb5Si3: the 8h Si site is CN 10 and all-Nb, the 4a Si site has 2 Si neighbours', () => {
  const e = aets(BETA);
  assert.equal(e.SiII.cn, 10);
  assert.ok(e.SiII.shell.every((a) => a.element === 'Nb'));
  assert.equal(e.SiI.cn, 10);
  assert.equal(e.SiI.shell.filter((a) => a.element === 'Si').length, 2);
  assert.equal(e.NbI.cn, 14);
});

test('CENN differs from CEAET where the AET CN is not n', () => {
  const s = bundled(ALPHA);
  const sym = analyzeSymmetry(s);
  const siI = sym.orbits.find((o) => o.label === 'SiI')!.atoms[0];
  const aet = atomicEnvironment(s, siI, { identifyIdeal: false });
  const nn12 = nearestNeighborShell(s, siI, 12);
  assert.equal(aet.cn, 9);
  assert.equal(nn12.length, 12);
  assert.deepEqual(nn12.slice(0, 9).map((a) => a.index), aet.shell.map((a) => a.index));
});

// ------------------------------------------------------------- reference crystals of every bonding type

const count = (shell: { element: string }[]) => {
  const out: Record<string, number> = {};
  for (const a of shell) out[a.element] = (out[a.element] ?? 0) + 1;
  return out;
};

test('cubic perovskites SrTiO3, CaTiO3: Ti octahedron, Sr/Ca cuboctahedron; O CN 14 with its two Ti centring square faces', () => {
  for (const [name, A, a] of [['perovskite-SrTiO3', 'Sr', 3.9053], ['perovskite-CaTiO3', 'Ca', 3.795]] as const) {
    const e = aets(ref(name));
    assert.equal(e.Ti.cn, 6, name);
    assert.equal(e.Ti.ideal?.name, 'octahedron');
    assert.ok(e.Ti.shell.every((s) => s.element === 'O' && Math.abs(s.distance - a / 2) < 1e-9));
    assert.equal(e[A].cn, 12, name);
    assert.equal(e[A].code, '12^{2.2}');
    assert.equal(e[A].ideal?.name, 'cuboctahedron');
    assert.ok(e[A].ideal!.deviation < 1e-6);
    // Counting face-centring atoms from the start would give A the 26-atom shell 12 O + 8 Ti + 6 A,
    // closed by the wider gap (√1.5 − 1)/√½ = 0.318 > (√3/2 − √½)/√½ = 0.225: corners-only shells go first.
    assert.deepEqual([e[A].candidates[0].cn, e[A].candidates[0].valid], [26, true]);
    assert.ok(Math.abs(e[A].candidates[0].gap - (Math.sqrt(1.5) - 1) / Math.SQRT1_2) < 1e-9);
    assert.ok(Math.abs(e[A].gap - (Math.sqrt(3) / 2 - Math.SQRT1_2) / Math.SQRT1_2) < 1e-9);
    // O: 2 Ti at a/2, then 4 A and 8 O at a/√2, closed by the gap to the 6 O at a: (1 − 1/√2)/(1/2) = 2 − √2.
    // No shell of O has every atom at a corner (within 2 d_min the widest gap closes this one), so the
    // rule counts the two Ti, which sit in the centres of the square faces of the A4O8 cuboctahedron.
    const o = e.O;
    assert.equal(o.rule, 'max-gap');
    assert.equal(o.cn, 14);
    assert.deepEqual(count(o.shell), { Ti: 2, [A]: 4, O: 8 });
    assert.equal(o.onSurface, 2);
    assert.equal(o.inside, 0);
    assert.equal(o.code, '12^{2.2}'); // the hull: a cuboctahedron of 4 A + 8 O
    assert.ok(Math.abs(o.gap - (2 - Math.SQRT2)) < 1e-9);
    assert.ok(o.candidates.slice(0, -1).every((c) => !c.valid));
  }
});

test('anti-perovskite Mn3AlN: Al cuboctahedron of 12 Mn, N octahedron of 6 Mn, Mn like perovskite O (2 N on faces)', () => {
  const e = aets(ref('antiperovskite-Mn3AlN'));
  assert.deepEqual([e.Al.cn, e.Al.ideal?.name, count(e.Al.shell)], [12, 'cuboctahedron', { Mn: 12 }]);
  assert.deepEqual([e.N.cn, e.N.ideal?.name, count(e.N.shell)], [6, 'octahedron', { Mn: 6 }]);
  assert.deepEqual([e.Mn.cn, e.Mn.onSurface, count(e.Mn.shell)], [14, 2, { N: 2, Al: 4, Mn: 8 }]);
});

test('ionic and covalent crystals: NaCl octahedra, CsCl 8 + 6 (as bcc), diamond and wurtzite tetrahedra, rutile, spinel', () => {
  const nacl = aets(ref('rocksalt-NaCl'));
  for (const s of ['Na', 'Cl']) assert.deepEqual([nacl[s].cn, nacl[s].ideal?.name, Object.keys(count(nacl[s].shell))], [6, 'octahedron', [s === 'Na' ? 'Cl' : 'Na']]);
  const cscl = aets(ref('B2-CsCl'));
  assert.deepEqual([cscl.Cs.cn, cscl.Cs.code, count(cscl.Cs.shell)], [14, '8^{0.3} 6^{0.4}', { Cl: 8, Cs: 6 }]);
  const diamond = aets(ref('diamond-C')).C;
  assert.deepEqual([diamond.cn, diamond.ideal?.name], [4, 'tetrahedron']);
  assert.ok(Math.abs(diamond.dmin - (Math.sqrt(3) / 4) * 3.56679) < 1e-9);
  const zno = aets(ref('wurtzite-ZnO'));
  assert.deepEqual([zno.Zn.cn, zno.O.cn, count(zno.Zn.shell), count(zno.O.shell)], [4, 4, { O: 4 }, { Zn: 4 }]);
  assert.ok(zno.Zn.ideal!.deviation < 0.1, `Zn tetrahedron S ${zno.Zn.ideal!.deviation}`);
  const rutile = aets(ref('rutile-TiO2'));
  assert.deepEqual([rutile.Ti.cn, rutile.Ti.ideal?.name, count(rutile.Ti.shell)], [6, 'octahedron', { O: 6 }]);
  // O: 3 Ti in a plane with it (no polyhedron), then O; the 3 Ti end up on faces of the 14-atom shell
  assert.deepEqual([rutile.O.cn, rutile.O.rule, rutile.O.onSurface, count(rutile.O.shell).Ti], [14, 'max-gap', 3, 3]);
  const spinel = aets(ref('spinel-Mg2SiO4'));
  assert.deepEqual([spinel.Si.cn, spinel.Si.ideal?.name, count(spinel.Si.shell)], [4, 'tetrahedron', { O: 4 }]);
  assert.deepEqual([spinel.Mg.cn, spinel.Mg.ideal?.name, count(spinel.Mg.shell)], [6, 'octahedron', { O: 6 }]);
  assert.deepEqual([spinel.O.cn, count(spinel.O.shell)], [4, { Si: 1, Mg: 3 }]);
});

test('graphite: no shell within 2 d_min encloses an atom of a layer; the fallback shell reaches the next layers', () => {
  const e = aets(ref('graphite-C'));
  for (const site of ['C1', 'C2']) {
    const env = e[site];
    assert.equal(env.rule, 'fallback', site);
    assert.ok(Math.abs(env.dmin - 2.461 / Math.sqrt(3)) < 1e-5); // 1/3, 2/3 written to 6 decimals
    // every candidate within 2 d_min is flat (one layer) or leaves the centre outside
    assert.ok(env.candidates.slice(0, -1).every((c) => c.reason === 'flat' || c.reason === 'centre-outside'), site);
    const out = env.shell.filter((a) => Math.abs(a.vector[2]) > 1);
    assert.ok(out.some((a) => a.vector[2] > 0) && out.some((a) => a.vector[2] < 0), `${site}: shell above and below the layer`);
    assert.ok(env.volume > 0);
  }
});

test('the Nb5Si3 prototypes: W5Si3 has the AETs of β-Nb5Si3 (14/15/10/10), Cr5B3 those of α (14/16/9/10)', () => {
  const cn = (path: string, sites: string[]) => sites.map((s) => aets(path)[s].cn);
  assert.deepEqual(cn(ref('D8m-W5Si3'), ['W1', 'W2', 'Si1', 'Si2']), cn(BETA, ['NbI', 'NbII', 'SiI', 'SiII']));
  assert.deepEqual(cn(ref('D8m-W5Si3'), ['W1', 'W2', 'Si1', 'Si2']), [14, 15, 10, 10]);
  assert.deepEqual(cn(ref('D8l-Cr5B3'), ['Cr1', 'Cr2', 'B2', 'B1']), cn(ALPHA, ['NbI', 'NbII', 'SiI', 'SiII']));
  const cr5b3 = aets(ref('D8l-Cr5B3'));
  assert.equal(cr5b3.B2.ideal?.name, 'tricapped trigonal prism'); // with its B2 partner, as SiI of α
  assert.deepEqual(count(cr5b3.B1.shell), { Cr: 10 });
});

test('Mn5Si3 type (Mn5Si3, Ti5Si3): M1 CN 14 and M2 CN 15 Frank–Kasper-like, Si 9 metal + 2 Si', () => {
  for (const [name, M] of [['D88-Mn5Si3', 'Mn'], ['D88-Ti5Si3', 'Ti']] as const) {
    const e = aets(ref(name));
    assert.deepEqual([e[`${M}1`].cn, e[`${M}2`].cn, e.Si.cn], [14, 15, 11], name);
    assert.deepEqual(count(e[`${M}1`].shell), { [M]: 8, Si: 6 });
    assert.deepEqual(count(e.Si.shell), { [M]: 9, Si: 2 });
  }
});

test('σ phase (CrFe): the Frank–Kasper coordination of its five sites, 12, 15, 14, 12, 14', () => {
  const e = aets(ref('sigma-CrFe'));
  assert.deepEqual(['FeA', 'CrB', 'CrC', 'FeD', 'CrE'].map((s) => e[s].cn), [12, 15, 14, 12, 14]);
  assert.deepEqual(['FeA', 'CrB', 'CrC', 'FeD', 'CrE'].map((s) => e[s].ideal?.name), ['icosahedron', 'Frank-Kasper CN15', 'Frank-Kasper CN14', 'icosahedron', 'Frank-Kasper CN14']);
  for (const env of Object.values(e)) assert.ok(env.ideal!.deviation < 1, `${env.site} S ${env.ideal!.deviation}`);
});

test('trySiteEnvironments reports every site it can and names the ones it cannot (an atom alone in a 20 000 Å cell)', () => {
  // two Nb 2 Å apart and a Si 17 000 Å from anything: Nb still gets a (fallback) AET, Si none
  const L = 20000;
  const cell = new Structure(Lattice.fromParameters(L, L, L, 90, 90, 90), [
    { element: 'Nb', label: 'Nb1', frac: [0, 0, 0] },
    { element: 'Nb', label: 'Nb2', frac: [2 / L, 0, 0] },
    { element: 'Si', label: 'Si1', frac: [0.5, 0.5, 0.5] },
  ]);
  const { environments, failures } = trySiteEnvironments(cell, analyzeSymmetry(cell), { identifyIdeal: false });
  assert.deepEqual(environments.map((e) => [e.site, e.rule, e.shell[0].element, +e.dmin.toFixed(9)]), [['Nb1', 'fallback', 'Nb', 2], ['Nb2', 'fallback', 'Nb', 2]]);
  assert.equal(failures.length, 1);
  assert.deepEqual([failures[0].site, failures[0].input], ['Si1', true]);
  assert.match(failures[0].message, /no neighbour within 10 000 Å/);
});
