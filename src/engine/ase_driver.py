#!/usr/bin/env python3
"""cescreen's ASE driver.

Started by cescreen (src/engine/ase.ts) in the user's Python; reads one JSON
request per line on stdin and answers with one JSON line on stdout:

  {"op": "check", "elements": [...]}                     which elements the calculator can place
  {"op": "energy", "cell", "symbols", "frac"}            energy of the cell as given
  {"op": "relax", "cell", "symbols", "frac", "mode",     relax positions ("positions") or cell and
   "fmax", "steps", "stress_tol", "optimizer"}           positions ("cell"), energies in eV

The first line it prints says which ASE, Python and calculator it runs, or why
it cannot. cescreen does all bookkeeping; this file only relaxes.
"""
import importlib
import json
import sys

EV_PER_A3_IN_KBAR = 1602.1766208


def say(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def cell_filter():
    """The best filter this ASE has for relaxing a cell with its atoms."""
    try:
        from ase.filters import FrechetCellFilter
        return "FrechetCellFilter", FrechetCellFilter
    except ImportError:
        from ase.constraints import ExpCellFilter
        return "ExpCellFilter", ExpCellFilter


def main():
    spec = sys.argv[1] if len(sys.argv) > 1 else "ase.calculators.emt:EMT"
    try:
        import numpy as np
        import ase
        from ase import Atoms
        from ase.optimize import BFGS, FIRE
        module_name, _, factory = spec.partition(":")
        module = importlib.import_module(module_name)
        make = getattr(module, factory or "calculator")
        calc = make()
        filter_name, Filter = cell_filter()
    except Exception as e:  # the message goes to cescreen, which names the option to fix
        say({"error": "%s: %s" % (type(e).__name__, e)})
        return 2
    top = sys.modules.get(module_name.split(".")[0])
    say({
        "ready": True,
        "ase": ase.__version__,
        "python": sys.version.split()[0],
        "calculator": spec,
        "calculator_version": getattr(top, "__version__", None),
        "filter": filter_name,
    })
    optimizers = {"bfgs": BFGS, "fire": FIRE}

    def atoms_of(req):
        a = Atoms(symbols=req["symbols"], cell=req["cell"], scaled_positions=req["frac"], pbc=True)
        a.calc = calc
        return a

    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            if req["op"] == "check":
                problems = {}
                for el in req["elements"]:
                    try:
                        a = Atoms(el, cell=[3.0, 3.0, 3.0], pbc=True)
                        a.calc = calc
                        e = a.get_potential_energy()
                        if not np.isfinite(e):
                            problems[el] = "energy is not finite"
                    except Exception as e:
                        problems[el] = "%s: %s" % (type(e).__name__, e)
                say({"problems": problems})
            elif req["op"] == "energy":
                say({"energy": float(atoms_of(req).get_potential_energy())})
            else:
                a = atoms_of(req)
                target = Filter(a) if req["mode"] == "cell" else a
                opt = optimizers[req.get("optimizer", "bfgs")](target, logfile=None)
                opt.run(fmax=req["fmax"], steps=req["steps"])
                fmax = float(np.sqrt((a.get_forces() ** 2).sum(axis=1)).max()) if len(a) else 0.0
                stress = float(np.abs(a.get_stress()).max() * EV_PER_A3_IN_KBAR) if req["mode"] == "cell" else 0.0
                converged = fmax <= req["fmax"] and (req["mode"] != "cell" or stress <= req["stress_tol"])
                say({
                    "energy": float(a.get_potential_energy()),
                    "converged": bool(converged),
                    "criterion": "force tolerance" if converged else "%d steps: max force %.3g eV/A%s" % (
                        opt.nsteps, fmax, ", max stress %.3g kbar" % stress if req["mode"] == "cell" else ""),
                    "steps": int(opt.nsteps),
                    "fmax": fmax,
                    "cell": a.get_cell().tolist(),
                    "frac": a.get_scaled_positions(wrap=False).tolist(),
                })
        except Exception as e:
            say({"error": "%s: %s" % (type(e).__name__, e)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
