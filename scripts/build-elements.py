#!/usr/bin/python3
"""Build elements/elements.json: numeric properties of the elements Z = 1..103.

Development script, run by hand when the table changes (never at run time):

    apt-get install -y python3-pymatgen python3-periodictable python3-ase
    /usr/bin/python3 scripts/build-elements.py          # writes elements/elements.json

Sources (all offline): Debian's python3-pymatgen (periodic_table.json), python3-periodictable
(neutron data), python3-ase (Cordero covalent radii), and the cited literature tables
transcribed under scripts/data/. Unknown values are written as null, never 0.
"""
from __future__ import annotations

import csv
import importlib.util
import json
import math
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, 'data')
OUT = os.path.join(HERE, '..', 'elements', 'elements.json')
Z_MAX = 103  # pymatgen has full records (configuration, radii, ...) up to Lr

# ---------------------------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------------------------


def pymatgen_table() -> dict:
    spec = importlib.util.find_spec('pymatgen')
    roots = list(spec.submodule_search_locations) if spec and spec.submodule_search_locations else []
    roots.append('/usr/lib/python3/dist-packages/pymatgen')
    for root in roots:
        path = os.path.join(root, 'core', 'periodic_table.json')
        if os.path.exists(path):
            with open(path) as f:
                return json.load(f)
    sys.exit('pymatgen periodic_table.json not found: apt-get install -y python3-pymatgen')


PMG = pymatgen_table()
import periodictable  # noqa: E402  (Debian python3-periodictable)
from ase.data import covalent_radii as ASE_COVALENT, chemical_symbols as ASE_SYMBOLS  # noqa: E402

SYMBOLS = [s for s, e in sorted(PMG.items(), key=lambda kv: kv[1]['Atomic no']) if e['Atomic no'] <= Z_MAX]


def read_csv(name: str) -> list[dict]:
    with open(os.path.join(DATA, name)) as f:
        rows = [line for line in f if not line.startswith('#')]
    return list(csv.DictReader(rows))


def read_column(name: str) -> dict[int, float]:
    """One value per line after the # header, the i-th value is Z = i; 'Missing...' is unknown (Magpie format)."""
    with open(os.path.join(DATA, name)) as f:
        lines = [line.strip() for line in f if not line.startswith('#')]
    return {z: float(v) for z, v in enumerate(lines, start=1) if v and not v.startswith('Missing')}


KITTEL_EC = {r['symbol']: float(r['EC']) for r in read_csv('cohesive_energy_kittel.csv')}
MICHAELSON_WF = {r['symbol']: float(r['WF']) for r in read_csv('work_function_michaelson.csv')}
MIEDEMA = {r['symbol']: r for r in read_csv('miedema_deboer1988.csv')}
FUSION = read_column('magpie_fusion_enthalpy.txt')
VAPORIZATION = read_column('magpie_heat_vaporization.txt')
# Magpie's Ne (0.164) and Kr (1.164) fusion enthalpies disagree with the CRC Handbook
# (0.335 and 1.64 kJ/mol); rather than guess which transcription slipped, leave them unknown.
FUSION.pop(10, None)
FUSION.pop(36, None)

# Gaps in the primary source, filled from a second published table: (symbol, code) -> (value, citation).
FILLS = {
    ('Zr', 'BM'): (83.3, 'Kittel, Introduction to Solid State Physics, 8th ed., Ch. 3 Table 3 (0.833e11 N/m^2)'),
}
# Primary-source values that are clearly wrong, replaced: (symbol, code) -> (value, reason).
ERRATA = {
    # WebElements lists 320 GPa; Kittel's Table 3 (1.78e11 N/m^2) and high-pressure work on beta-boron agree near 180-210.
    ('B', 'BM'): (178.0, 'Kittel, Introduction to Solid State Physics, 8th ed., Ch. 3 Table 3 (1.78e11 N/m^2)'),
    # WebElements lists 20 GPa for Mo, a factor ~6 below every other compilation; the isotropic relation
    # G = E / (2(1 + nu)) on the same source's E = 329 GPa and nu = 0.31 gives 125.6 GPa.
    ('Mo', 'SM'): (round(329.0 / (2 * 1.31), 1), 'E/(2(1+nu)) from the WebElements E and nu'),
}


# ---------------------------------------------------------------------------------------------
# Parsing helpers
# ---------------------------------------------------------------------------------------------
NUMBER = re.compile(r'^\s*(?:about\s+)?(-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)')


def pmg_number(symbol: str, key: str, scale: float = 1.0) -> float | None:
    """WebElements-style strings in pymatgen: '2750 K', 'about 40 10<sup>-8</sup> ...', 'no data'.
    'about X' is taken as X; bounds ('&gt; 10^12') and words ('high') are not values -> None."""
    raw = PMG[symbol].get(key)
    if raw is None:
        return None
    if isinstance(raw, (int, float)):
        return float(raw) * scale
    if raw.startswith('&gt;') or raw.startswith('&lt;') or raw.startswith('(') or 'no data' in raw:
        return None
    m = NUMBER.match(raw)
    return float(m.group(1)) * scale if m else None


def configuration(symbol: str) -> dict[str, int]:
    """Electrons per subshell letter outside the noble-gas core, from the ground-state configuration,
    e.g. Nb '[Kr].4d<sup>4</sup>.5s<sup>1</sup>' -> {'s': 1, 'd': 4}."""
    raw = re.sub(r'</?sup>', '', PMG[symbol]['Electronic structure']).replace(' (tentative)', '')  # Lr
    counts = {'s': 0, 'p': 0, 'd': 0, 'f': 0}
    for part in raw.split('.'):
        m = re.fullmatch(r'(\d)([spdf])(\d+)', part)
        if m:
            counts[m.group(2)] += int(m.group(3))
        elif not re.fullmatch(r'\[[A-Z][a-z]?\]', part):
            raise ValueError(f'{symbol}: cannot parse configuration part {part!r}')
    return counts


def period_and_group(z: int) -> tuple[int, int]:
    """IUPAC period and group (1-18); lanthanides and actinides are put in group 3."""
    starts = [1, 3, 11, 19, 37, 55, 87, 119]
    period = max(i + 1 for i, s in enumerate(starts) if z >= s)
    if z == 1:
        return 1, 1
    if z == 2:
        return 1, 18
    offset = z - starts[period - 1]  # 0-based position in the period
    length = [2, 8, 8, 18, 18, 32, 32][period - 1]
    if length == 8:
        return period, offset + 1 if offset < 2 else offset + 11
    if length == 18:
        return period, offset + 1
    # 32-long periods: s2, then 15 f-block/group-3 entries (La..Lu / Ac..Lr), then groups 4..18
    if offset < 2:
        return period, offset + 1
    if offset < 17:
        return period, 3
    return period, offset - 13


def rounded(x: float | None, digits: int = 6) -> float | None:
    if x is None:
        return None
    if x == 0:
        return 0
    y = float(f'{x:.{digits}g}')
    return int(y) if y.is_integer() and abs(y) < 1e15 else y  # integral values print as 41, not 41.0


# ---------------------------------------------------------------------------------------------
# Property definitions: code, name, unit, source, function(symbol, Z) -> float | None
# ---------------------------------------------------------------------------------------------
PMG_SRC = 'pymatgen 2022.11.7 periodic_table.json'
WEBEL = f'{PMG_SRC} (WebElements data)'


def unfilled(count: int, capacity: int) -> int:
    # Magpie convention (Ward et al. 2016): an empty subshell has 0 unfilled states
    return capacity - count if count > 0 else 0


def neutron(attr: str):
    def get(symbol: str, z: int) -> float | None:
        value = getattr(periodictable.elements[z].neutron, attr, None)
        return None if value is None else float(value)
    return get


def miedema(key: str, power: float, digits: int):
    def get(symbol: str, z: int) -> float | None:
        row = MIEDEMA.get(symbol)
        return None if row is None else round(float(row[key]) ** power, digits)
    return get


def ionisation(n: int):
    def get(symbol: str, z: int) -> float | None:
        energies = PMG[symbol].get('Ionization energies') or []
        return float(energies[n]) if len(energies) > n and energies[n] is not None else None
    return get


PROPERTIES = [
    ('Z', 'atomic number', '', PMG_SRC, lambda s, z: float(z)),
    ('PN', 'period number', '', 'derived from Z (IUPAC table)', lambda s, z: float(period_and_group(z)[0])),
    ('GN', 'group number (1-18; lanthanides/actinides = 3)', '', 'derived from Z (IUPAC table)',
     lambda s, z: float(period_and_group(z)[1])),
    ('MN', 'Mendeleev number (Pettifor 1984)', '', f'{PMG_SRC} (Pettifor, Solid State Commun. 51, 31 (1984))',
     lambda s, z: pmg_number(s, 'Mendeleev no')),
    ('AM', 'atomic mass', 'u', PMG_SRC, lambda s, z: pmg_number(s, 'Atomic mass')),
    ('EN', 'Pauling electronegativity', '', PMG_SRC, lambda s, z: pmg_number(s, 'X')),
    ('AR', 'atomic radius (empirical, Slater 1964)', 'Å', f'{PMG_SRC} (Slater, J. Chem. Phys. 41, 3199 (1964))',
     lambda s, z: pmg_number(s, 'Atomic radius')),
    ('ARC', 'atomic radius (calculated, Clementi 1967)', 'Å', f'{PMG_SRC} (Clementi et al., J. Chem. Phys. 47, 1300 (1967))',
     lambda s, z: pmg_number(s, 'Atomic radius calculated')),
    ('MR', 'metallic radius (12-coordinate)', 'Å', PMG_SRC, lambda s, z: pmg_number(s, 'Metallic radius')),
    ('CR', 'covalent radius (Cordero 2008)', 'Å', 'python3-ase 3.22.1 ase.data.covalent_radii (Cordero et al., Dalton Trans. 2008, 2832)',
     lambda s, z: float(ASE_COVALENT[z]) if ASE_SYMBOLS[z] == s and z <= 96 else None),
    ('VR', 'van der Waals radius', 'Å', f'{PMG_SRC} (CRC Handbook 91st ed., Bondi and later)',
     lambda s, z: pmg_number(s, 'Van der waals radius')),
    ('SV', 's valence electrons', 'e', 'derived from ground-state configuration in ' + PMG_SRC,
     lambda s, z: float(configuration(s)['s'])),
    ('PV', 'p valence electrons', 'e', 'derived from ground-state configuration in ' + PMG_SRC,
     lambda s, z: float(configuration(s)['p'])),
    ('DV', 'd valence electrons', 'e', 'derived from ground-state configuration in ' + PMG_SRC,
     lambda s, z: float(configuration(s)['d'])),
    ('FV', 'f valence electrons', 'e', 'derived from ground-state configuration in ' + PMG_SRC,
     lambda s, z: float(configuration(s)['f'])),
    ('TV', 'total valence electrons SV+PV+DV (f excluded)', 'e', 'derived from ground-state configuration in ' + PMG_SRC,
     lambda s, z: float(sum(configuration(s)[k] for k in 'spd'))),
    ('SU', 'unfilled s states', 'e', 'derived (Magpie convention: 0 for an empty subshell)',
     lambda s, z: float(unfilled(configuration(s)['s'], 2))),
    ('PU', 'unfilled p states', 'e', 'derived (Magpie convention: 0 for an empty subshell)',
     lambda s, z: float(unfilled(configuration(s)['p'], 6))),
    ('DU', 'unfilled d states', 'e', 'derived (Magpie convention: 0 for an empty subshell)',
     lambda s, z: float(unfilled(configuration(s)['d'], 10))),
    ('FU', 'unfilled f states', 'e', 'derived (Magpie convention: 0 for an empty subshell)',
     lambda s, z: float(unfilled(configuration(s)['f'], 14))),
    ('NU', 'unfilled valence states SU+PU+DU+FU', 'e', 'derived (Magpie convention)',
     lambda s, z: float(sum(unfilled(configuration(s)[k], c) for k, c in (('s', 2), ('p', 6), ('d', 10), ('f', 14))))),
    ('IE', 'first ionisation energy', 'eV', f'{PMG_SRC} (NIST Atomic Spectra Database)', ionisation(0)),
    ('IE2', 'second ionisation energy', 'eV', f'{PMG_SRC} (NIST Atomic Spectra Database)', ionisation(1)),
    ('EA', 'electron affinity (negative = unbound anion)', 'eV', PMG_SRC, lambda s, z: pmg_number(s, 'Electron affinity')),
    ('DE', 'density of the solid', 'g/cm³', WEBEL, lambda s, z: rounded(pmg_number(s, 'Density of solid', 1e-3))),
    ('MV', 'molar volume', 'cm³/mol', WEBEL, lambda s, z: pmg_number(s, 'Molar volume')),
    ('MP', 'melting point', 'K', WEBEL, lambda s, z: pmg_number(s, 'Melting point')),
    ('BP', 'boiling point', 'K', WEBEL, lambda s, z: pmg_number(s, 'Boiling point')),
    ('HF', 'enthalpy of fusion (per mole of atoms)', 'kJ/mol',
     'Wolfram ElementData / CRC Handbook, as tabulated in Magpie (Ward et al., npj Comput. Mater. 2, 16028 (2016)); scripts/data/magpie_fusion_enthalpy.txt',
     lambda s, z: FUSION.get(z)),
    ('HV', 'enthalpy of vaporisation (per mole of atoms)', 'kJ/mol',
     'Wolfram ElementData / CRC Handbook, as tabulated in Magpie (Ward et al., npj Comput. Mater. 2, 16028 (2016)); scripts/data/magpie_heat_vaporization.txt',
     lambda s, z: VAPORIZATION.get(z)),
    ('BM', 'bulk modulus', 'GPa', WEBEL + '; Zr (missing) and B (erratum, WebElements 320) from Kittel ISSP 8th ed. Ch. 3 Table 3', lambda s, z: pmg_number(s, 'Bulk modulus')),
    ('SM', 'shear (rigidity) modulus', 'GPa', WEBEL + '; Mo recomputed as E/(2(1+nu)) from the same source (erratum)',
     lambda s, z: pmg_number(s, 'Rigidity modulus')),
    ('YM', "Young's modulus", 'GPa', WEBEL, lambda s, z: pmg_number(s, 'Youngs modulus')),
    ('PR', "Poisson's ratio", '', WEBEL, lambda s, z: pmg_number(s, 'Poissons ratio')),
    ('EC', 'cohesive energy', 'eV/atom', 'Kittel, Introduction to Solid State Physics, 8th ed. (2005), Ch. 3 Table 1; scripts/data/cohesive_energy_kittel.csv',
     lambda s, z: KITTEL_EC.get(s)),
    ('TC', 'thermal conductivity', 'W/(m·K)', WEBEL, lambda s, z: pmg_number(s, 'Thermal conductivity')),
    ('TE', 'coefficient of linear thermal expansion', '1e-6/K', WEBEL,
     lambda s, z: pmg_number(s, 'Coefficient of linear thermal expansion')),
    ('ER', 'electrical resistivity (lower bounds such as ">1e12" are null)', 'µΩ·cm', WEBEL + ' (1e-8 Ω·m = 1 µΩ·cm)',
     lambda s, z: pmg_number(s, 'Electrical resistivity')),
    ('TN', 'thermal neutron absorption cross-section (2200 m/s)', 'barn',
     'python3-periodictable 1.6.0 (Sears, Neutron News 3(3), 26 (1992)); natural isotopic mixture', neutron('absorption')),
    ('NB', 'bound coherent neutron scattering length', 'fm', 'python3-periodictable 1.6.0 (Sears 1992)', neutron('b_c')),
    ('NS', 'total bound neutron scattering cross-section', 'barn', 'python3-periodictable 1.6.0 (Sears 1992)', neutron('total')),
    ('WF', 'electron work function (polycrystalline)', 'eV',
     'Michaelson, J. Appl. Phys. 48, 4729 (1977), Table I; scripts/data/work_function_michaelson.csv', lambda s, z: MICHAELSON_WF.get(s)),
    ('VH', 'Vickers hardness', 'MPa', WEBEL, lambda s, z: pmg_number(s, 'Vickers hardness')),
    ('BH', 'Brinell hardness', 'MPa', WEBEL, lambda s, z: pmg_number(s, 'Brinell hardness')),
    ('MH', 'Mohs (mineral) hardness', '', WEBEL, lambda s, z: pmg_number(s, 'Mineral hardness')),
    ('VS', 'speed of sound', 'm/s', WEBEL, lambda s, z: pmg_number(s, 'Velocity of sound')),
    ('PHI', 'Miedema electronegativity parameter phi*', 'V',
     'de Boer et al., Cohesion in Metals (North-Holland 1988); scripts/data/miedema_deboer1988.csv', miedema('phi', 1.0, 3)),
    ('NWS', 'Miedema electron density n_ws^(1/3)', 'd.u.^(1/3)',
     'de Boer et al., Cohesion in Metals (North-Holland 1988); scripts/data/miedema_deboer1988.csv', miedema('nws', 1 / 3, 4)),
    ('V23', 'Miedema molar volume V^(2/3)', 'cm²',
     'de Boer et al., Cohesion in Metals (North-Holland 1988); scripts/data/miedema_deboer1988.csv', miedema('Vm', 2 / 3, 4)),
]


def build() -> dict:
    codes = [p[0] for p in PROPERTIES]
    assert len(set(codes)) == len(codes), 'duplicate property code'
    elements = {}
    for symbol in SYMBOLS:
        z = PMG[symbol]['Atomic no']
        record: dict = {'name': PMG[symbol]['Name']}
        for code, _name, _unit, _src, get in PROPERTIES:
            value = get(symbol, z)
            if value is None and (symbol, code) in FILLS:
                value = FILLS[(symbol, code)][0]
            if (symbol, code) in ERRATA:
                value = ERRATA[(symbol, code)][0]
            if value is not None and not math.isfinite(value):
                raise ValueError(f'{symbol} {code}: non-finite {value}')
            record[code] = rounded(value, 8)
        elements[symbol] = record
    properties = [{'code': c, 'name': n, 'unit': u, 'source': s} for c, n, u, s, _ in PROPERTIES]
    return {'properties': properties, 'elements': elements}


def write(table: dict, path: str) -> None:
    """Diff-friendly JSON: one property and one element per line."""
    lines = ['{', '  "description": "Elementary properties, one element per line; null = unknown. Built by scripts/build-elements.py; see elements/README.md.",',
             '  "properties": [']
    props = table['properties']
    for i, p in enumerate(props):
        lines.append('    ' + json.dumps(p, ensure_ascii=False) + (',' if i < len(props) - 1 else ''))
    lines.append('  ],')
    lines.append('  "elements": {')
    items = list(table['elements'].items())
    for i, (symbol, record) in enumerate(items):
        lines.append(f'    {json.dumps(symbol)}: ' + json.dumps(record, ensure_ascii=False) + (',' if i < len(items) - 1 else ''))
    lines.append('  }')
    lines.append('}')
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines) + '\n')
    os.replace(tmp, path)


def report(table: dict) -> None:
    focus = ['B', 'Al', 'Si', 'Ti', 'V', 'Cr', 'Fe', 'Co', 'Ni', 'Y', 'Zr', 'Nb', 'Mo', 'Hf']
    els = table['elements']
    print(f'{len(table["properties"])} properties, {len(els)} elements')
    for p in table['properties']:
        code = p['code']
        n = sum(1 for e in els.values() if e[code] is not None)
        n94 = sum(1 for e in els.values() if e['Z'] <= 94 and e[code] is not None)
        missing = [s for s in focus if els[s][code] is None]
        print(f'  {code:4s} {n:4d} ({n94:3d} of Z<=94)  missing among alloying elements: {" ".join(missing) or "-"}')


if __name__ == '__main__':
    table = build()
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    write(table, OUT)
    report(table)
