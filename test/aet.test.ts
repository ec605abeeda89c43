import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSymmetry } from '../src/structure/symmetry.ts';
import { siteEnvironments } from '../src/environment/sites.ts';
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
