import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALLOYING_ELEMENTS,
  DEFAULT_FEATURE_PROPERTIES,
  IMPUTATION_Z_MAX,
  element,
  elementSymbols,
  hasElement,
  loadElements,
  median,
  property,
  propertyCodes,
  propertyInfo,
  propertyMatrix,
  propertyMedian,
} from '../src/features/elements.ts';
import { InputError } from '../src/util/errors.ts';

const KJ_PER_MOL_PER_EV = 96.485;

function value(symbol: string, code: string): number {
  const v = property(symbol, code);
  assert.notEqual(v, null, `${symbol}.${code} should be tabulated`);
  return v as number;
}

function near(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} not within ${tol} of ${expected}`);
}

test('table has >= 40 documented properties and every element carries each one (null, not missing)', () => {
  const t = loadElements();
  const codes = propertyCodes();
  assert.ok(codes.length >= 40, `${codes.length} properties`);
  assert.equal(new Set(codes).size, codes.length, 'codes are unique');
  for (const p of t.properties) {
    assert.ok(p.name.length > 0 && p.source.length > 0, `${p.code} has a name and a source`);
  }
  for (const rec of t.elements.values()) {
    assert.deepEqual(Object.keys(rec.values).sort(), [...codes].sort(), `${rec.symbol} has every code`);
  }
  // Unknown is null, never 0: helium has no metallic radius or bulk modulus.
  assert.equal(property('He', 'MR'), null);
  assert.equal(property('He', 'BM'), null);
});

test('elements Z = 1..94 are all present, in order of Z', () => {
  const symbols = elementSymbols();
  assert.ok(symbols.length >= 94);
  for (let z = 1; z <= 94; z++) assert.equal(element(symbols[z - 1]).Z, z);
  assert.equal(symbols[0], 'H');
  assert.equal(symbols[40], 'Nb');
  assert.equal(symbols[93], 'Pu');
});

test('spot values against the literature', () => {
  near(value('Nb', 'AM'), 92.906, 0.001, 'Nb atomic mass');
  near(value('Nb', 'EN'), 1.6, 1e-9, 'Nb Pauling EN');
  near(value('Si', 'EN'), 1.9, 1e-9, 'Si Pauling EN');
  near(value('Nb', 'MP'), 2750, 10, 'Nb melting point');
  assert.equal(value('Fe', 'PN'), 4);
  assert.equal(value('Fe', 'GN'), 8);
  assert.equal(value('Hf', 'PN'), 6);
  assert.equal(value('Hf', 'GN'), 4);
  assert.equal(value('Gd', 'GN'), 3, 'lanthanides sit in group 3');
  near(value('Nb', 'EC'), 7.57, 0.005, 'Nb cohesive energy (Kittel)');
  near(value('Si', 'EC'), 4.63, 0.005, 'Si cohesive energy (Kittel)');
  near(value('B', 'TN'), 767, 5, 'natural B thermal neutron absorption');
  near(value('Hf', 'TN'), 104, 2, 'Hf thermal neutron absorption');
  near(value('Zr', 'TN'), 0.185, 0.01, 'Zr thermal neutron absorption (why Zr clads fuel)');
  near(value('Nb', 'WF'), 4.3, 1e-9, 'Nb work function (Michaelson)');
  near(value('Nb', 'HF'), 30, 0.5, 'Nb enthalpy of fusion');
  near(value('Nb', 'HV'), 690, 10, 'Nb enthalpy of vaporisation');
  near(value('Fe', 'HF'), 13.81, 0.05, 'Fe enthalpy of fusion');
  near(value('Nb', 'PHI'), 4.05, 1e-9, 'Nb Miedema phi*');
  near(value('Nb', 'NWS'), 1.64, 0.005, 'Nb Miedema n_ws^1/3');
  near(value('Nb', 'V23'), 4.9, 0.05, 'Nb Miedema V^2/3');
  near(value('Nb', 'CR'), 1.64, 1e-9, 'Nb covalent radius (Cordero)');
  near(value('Nb', 'ER'), 15.2, 0.05, 'Nb resistivity in µΩ·cm');
  near(value('Nb', 'DE'), 8.57, 0.01, 'Nb density');
});

test('valence electrons come from the ground-state configuration', () => {
  // Nb [Kr] 4d4 5s1
  assert.deepEqual(['SV', 'PV', 'DV', 'FV', 'TV'].map((c) => value('Nb', c)), [1, 0, 4, 0, 5]);
  // Si [Ne] 3s2 3p2, Cr [Ar] 3d5 4s1 (half-filled shell anomaly), Hf [Xe] 4f14 5d2 6s2
  assert.deepEqual(['SV', 'PV', 'DV'].map((c) => value('Si', c)), [2, 2, 0]);
  assert.deepEqual(['SV', 'DV', 'DU'].map((c) => value('Cr', c)), [1, 5, 5]);
  assert.deepEqual(['SV', 'DV', 'FV', 'TV'].map((c) => value('Hf', c)), [2, 2, 14, 4]);
  // In periods 4 and 5 every electron outside the noble-gas core is s, p or d, so TV is the group number.
  for (const s of elementSymbols().filter((x) => element(x).Z >= 19 && element(x).Z <= 54)) {
    assert.equal(value(s, 'TV'), value(s, 'GN'), `${s}: TV = group`);
  }
});

test('metallic radii follow the lanthanide contraction: Y > Zr > Hf, Hf within 2 % of Zr', () => {
  const [y, zr, hf] = ['Y', 'Zr', 'Hf'].map((s) => value(s, 'MR'));
  near(y, 1.8, 0.01, 'Y metallic radius');
  near(zr, 1.602, 0.01, 'Zr metallic radius');
  near(hf, 1.58, 0.01, 'Hf metallic radius');
  assert.ok(y > zr && zr > hf);
  assert.ok(Math.abs(zr - hf) / zr < 0.02);
});

test('independent sources agree with each other for the alloying elements', () => {
  for (const s of ALLOYING_ELEMENTS) {
    // molar volume = mass / density (WebElements volume and density, pymatgen mass)
    const mv = value(s, 'AM') / value(s, 'DE');
    assert.ok(Math.abs(mv - value(s, 'MV')) / mv < 0.05, `${s}: AM/DE = ${mv.toFixed(2)} vs MV ${value(s, 'MV')}`);
    // Miedema's V^(2/3) is the metal's molar volume; for B and Si it is an effective metallic volume instead
    const v = value(s, 'V23') ** 1.5;
    if (s !== 'B' && s !== 'Si') {
      assert.ok(Math.abs(v - value(s, 'MV')) / v < 0.01, `${s}: V23^1.5 = ${v.toFixed(2)} vs MV ${value(s, 'MV')}`);
    }
    // Kittel's cohesive energy (0 K) vs the CRC enthalpy of vaporisation (at the boiling point): same
    // bond-breaking, the latter smaller by the heat content of the hot liquid, so 0 to 30 % below
    const ec = value(s, 'EC') * KJ_PER_MOL_PER_EV;
    assert.ok((ec - value(s, 'HV')) / ec > -0.05 && (ec - value(s, 'HV')) / ec < 0.3, `${s}: EC ${ec.toFixed(0)} kJ/mol vs HV ${value(s, 'HV')}`);
    // Michaelson's work function vs Miedema's adjusted work function phi*
    assert.ok(Math.abs(value(s, 'WF') - value(s, 'PHI')) < 0.9, `${s}: WF vs phi*`);
  }
  // Miedema's metallic Si is far denser than diamond-structure Si
  assert.ok(value('Si', 'V23') ** 1.5 < 0.8 * value('Si', 'MV'));
  // isotropic elasticity E = 2G(1 + nu) for cubic/hexagonal metals (incl. the corrected Mo shear modulus)
  // (WebElements' Zr is inconsistent: E = 68 GPa vs 2G(1+nu) = 88; see elements/README.md)
  for (const s of ['Al', 'Ti', 'V', 'Cr', 'Fe', 'Co', 'Ni', 'Nb', 'Mo', 'Hf']) {
    const e = 2 * value(s, 'SM') * (1 + value(s, 'PR'));
    assert.ok(Math.abs(e - value(s, 'YM')) / value(s, 'YM') < 0.3, `${s}: 2G(1+nu) = ${e.toFixed(0)} vs E ${value(s, 'YM')}`);
  }
});

test('default properties are diverse and complete for the alloying and host elements', () => {
  assert.ok(DEFAULT_FEATURE_PROPERTIES.length >= 25 && DEFAULT_FEATURE_PROPERTIES.length <= 35);
  assert.equal(new Set(DEFAULT_FEATURE_PROPERTIES).size, DEFAULT_FEATURE_PROPERTIES.length);
  for (const c of ['PN', 'GN', 'MN', 'EN', 'DV', 'BM', 'EC', 'TN', 'WF']) assert.ok(DEFAULT_FEATURE_PROPERTIES.includes(c), c);
  const nulls: string[] = [];
  for (const s of [...ALLOYING_ELEMENTS, 'Nb', 'Si']) {
    for (const c of DEFAULT_FEATURE_PROPERTIES) if (property(s, c) === null) nulls.push(`${s}.${c}`);
  }
  assert.deepEqual(nulls, []);
  let imputed = 0;
  const m = propertyMatrix(ALLOYING_ELEMENTS, DEFAULT_FEATURE_PROPERTIES, { impute: 'error', onImpute: () => imputed++ });
  assert.equal(m.length, ALLOYING_ELEMENTS.length);
  assert.equal(m[ALLOYING_ELEMENTS.indexOf('Nb')][DEFAULT_FEATURE_PROPERTIES.indexOf('EC')], 7.57);
  assert.equal(imputed, 0);
});

test('a null is imputed with the median over elements Z <= 94 that have the property', () => {
  assert.equal(property('B', 'MR'), null, 'boron has no metallic radius');
  const have = elementSymbols()
    .filter((s) => element(s).Z <= IMPUTATION_Z_MAX)
    .map((s) => property(s, 'MR'))
    .filter((v): v is number => v !== null)
    .sort((a, b) => a - b);
  assert.ok(have.length > 50);
  const mid = have.length % 2 ? have[(have.length - 1) / 2] : (have[have.length / 2 - 1] + have[have.length / 2]) / 2;
  assert.equal(propertyMedian('MR'), mid);
  assert.ok(mid > 1.2 && mid < 2.0, `median metallic radius ${mid} Å is a metal-like size`);

  const seen: string[] = [];
  const [[nbMR, bMR], [nbEC, bEC]] = [['MR'], ['EC']].map((codes) =>
    propertyMatrix(['Nb', 'B'], codes, { impute: 'median', onImpute: (s, c, v) => seen.push(`${s}.${c}=${v}`) }).map((r) => r[0]),
  );
  assert.equal(nbMR, 1.473);
  assert.equal(bMR, mid);
  assert.equal(nbEC, 7.57);
  assert.equal(bEC, 5.81);
  assert.deepEqual(seen, [`B.MR=${mid}`]);
  assert.throws(() => propertyMatrix(['B'], ['MR'], { impute: 'error' }), InputError);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

test('unknown elements and property codes are input errors that name them', () => {
  assert.throws(() => property('Xx', 'EN'), (e: unknown) => e instanceof InputError && /Xx/.test(e.message));
  assert.throws(() => propertyMatrix(['Nb', 'Qq'], ['EN']), (e: unknown) => e instanceof InputError && /Qq/.test(e.message));
  assert.throws(() => property('Nb', 'NOPE'), (e: unknown) => e instanceof InputError && /NOPE/.test(e.message));
  assert.equal(hasElement('Nb'), true);
  assert.equal(hasElement('nb'), true);
  assert.equal(hasElement('Xx'), false);
  assert.equal(property('NB', 'Z'), 41);
  assert.equal(propertyInfo('EC').unit, 'eV/atom');
});
