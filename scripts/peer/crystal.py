#!/usr/bin/python3
"""Python side of scripts/crosscheck-crystal.ts: pymatgen (Debian) as an independent
sanity reference for the crystal core, not as truth.

    /usr/bin/python3 scripts/peer/crystal.py DIR

Reads DIR/ours.json written by the TypeScript side:
  - "settings": every space-group setting of cescreen's table (symbol, operations);
    each is compared with pymatgen's SpaceGroup(symbol) where pymatgen knows the symbol;
  - "aets": every site of the reference crystals with cescreen's AET (CN, shell elements);
    compared with the CN of pymatgen's CrystalNN and VoronoiNN (solid-angle weights ≥ 0.5 of the largest).
Prints markdown tables.
"""
import json
import sys
import warnings

warnings.simplefilter('ignore')
import numpy as np  # noqa: E402
from pymatgen.core import Structure  # noqa: E402
from pymatgen.core.operations import SymmOp  # noqa: E402
from pymatgen.symmetry.groups import SpaceGroup  # noqa: E402
from pymatgen.analysis.local_env import CrystalNN, VoronoiNN  # noqa: E402


def op_key(op):
    r = np.round(op.rotation_matrix).astype(int)
    t = np.mod(np.round(op.translation_vector * 48), 48).astype(int)
    return (tuple(r.flatten()), tuple(t))


def settings(data):
    agree, differ, unknown = 0, [], 0
    for s in data:
        try:
            group = SpaceGroup(s['symbol'].replace(' ', ''))
        except Exception:
            unknown += 1
            continue
        ours = {op_key(SymmOp.from_xyz_string(x)) for x in s['operations']}
        theirs = {op_key(o) for o in group.symmetry_ops}
        if ours == theirs:
            agree += 1
        else:
            differ.append(f"{s['hallNumber']} {s['symbol']}")
    print(f'\n## Space-group settings ({len(data)}): pymatgen agrees on {agree}, differs on {len(differ)}, does not know {unknown}\n')
    for d in differ:
        print(f'- differs: Hall {d} (pymatgen reads this symbol as another setting of the group)')


def aets(data):
    cnn = CrystalNN()
    vnn = VoronoiNN(weight='solid_angle', tol=0.5)
    print('\n## AET coordination numbers against pymatgen\n')
    print('| file | site | cescreen CN (rule) | CrystalNN | VoronoiNN (solid angle ≥ 0.5 max) |')
    print('|---|---|---|---|---|')
    for a in data:
        s = Structure.from_file(a['path'])
        # pymatgen orders the atoms its own way: find ours by position
        d = np.array(s.frac_coords) - np.array(a['frac'])
        d -= np.round(d)
        i = int(np.argmin(np.linalg.norm(d @ s.lattice.matrix, axis=1)))
        try:
            c = len(cnn.get_nn_info(s, i))
        except Exception as e:  # pymatgen can fail on some cells; report, do not stop
            c = f'error {type(e).__name__}'
        try:
            v = len(vnn.get_nn_info(s, i))
        except Exception as e:
            v = f'error {type(e).__name__}'
        print(f"| {a['file']} | {a['site']} | {a['cn']} ({a['rule']}) | {c} | {v} |")


def main():
    with open(f'{sys.argv[1]}/ours.json') as fh:
        ours = json.load(fh)
    settings(ours['settings'])
    aets(ours['aets'])


if __name__ == '__main__':
    main()
