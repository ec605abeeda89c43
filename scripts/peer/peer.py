#!/usr/bin/python3
"""Python reference of the peer benchmark (scripts/bench-peer.sh): pymatgen,
spglib (through pymatgen), scipy and scikit-learn from Debian.

    /usr/bin/python3 scripts/peer/peer.py <noop|symmetry|neighbors|features|svr|svr-cv|svr-grid|cholesky> DIR
    /usr/bin/python3 scripts/peer/peer.py report DIR      # markdown table of both sides

Each step reads what peer.ts dumped into DIR, times the same work in-process
(best of 3, imports excluded), checks that the numbers agree, and writes
DIR/py-<step>.json. Step 3 (CE features) takes the AET shells cescreen found
and re-derives the feature vectors from them and elements/elements.json with
its own arithmetic (weights, weighted means, hull volumes by scipy, canonical
site order); the shells' distances are checked against pymatgen neighbours.
"""
import json
import math
import os
import sys
import time

T0 = time.perf_counter()
import numpy as np  # noqa: E402
from pymatgen.core import Structure  # noqa: E402
from pymatgen.symmetry.analyzer import SpacegroupAnalyzer  # noqa: E402
from scipy.spatial import ConvexHull  # noqa: E402
from scipy.linalg import cho_solve  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVR  # noqa: E402



def since_process_start():
    """Seconds since this process started (/proc clock ticks, 10 ms resolution)."""
    with open('/proc/self/stat') as fh:
        start = int(fh.read().rsplit(')', 1)[1].split()[19]) / os.sysconf('SC_CLK_TCK')
    with open('/proc/uptime') as fh:
        return float(fh.read().split()[0]) - start


# interpreter start-up + the imports above
STARTUP = since_process_start()
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
STRUCTURES = {
    'alpha': os.path.join(ROOT, 'structures/alpha-Nb5Si3/structure.cif'),
    'beta': os.path.join(ROOT, 'structures/beta-Nb5Si3/structure.cif'),
}
CUTOFF = 8.0


def best(runs, f):
    """Smallest wall time of `runs` calls (s), the first call's time, and the last result."""
    times, value = [], None
    for _ in range(runs):
        t = time.perf_counter()
        value = f()
        times.append(time.perf_counter() - t)
    return min(times), times[0], value


def load(dir_, name):
    with open(os.path.join(dir_, name)) as fh:
        return json.load(fh)


# ---------------------------------------------------------------- step 1

def symmetry_step(dir_):
    ts = {r['name']: r for r in load(dir_, 'ts-symmetry.json')['result']}
    out = []
    for name, path in STRUCTURES.items():
        def run():
            s = Structure.from_file(path)
            sga = SpacegroupAnalyzer(s, symprec=0.01)
            sym = sga.get_symmetrized_structure()
            return s, sga.get_space_group_number(), sym
        sec, first, (s, number, sym) = best(3, run)
        wyck = sorted(f'{sites[0].specie.symbol} {w}' for sites, w in zip(sym.equivalent_sites, sym.wyckoff_symbols))
        agree = number == ts[name]['spacegroup'] and wyck == ts[name]['wyckoff']
        out.append({'name': name, 'natoms': len(s), 'seconds': sec, 'first_seconds': first,
                    'spacegroup': number, 'wyckoff': wyck, 'agree': agree})
    return out


# ---------------------------------------------------------------- step 2

def neighbor_step(dir_):
    ts = load(dir_, 'ts-neighbors.json')['result']
    alpha = Structure.from_file(STRUCTURES['alpha'])
    out = []
    for r in ts:
        cell = alpha * r['size']
        sec_list, _, nl = best(3, lambda: cell.get_neighbor_list(CUTOFF))
        sec_all, _, nbs = best(3, lambda: cell.get_all_neighbors(CUTOFF))
        d = np.sort(np.fromiter((n.nn_distance for row in nbs for n in row), dtype=np.float64))
        del nbs
        ours = np.fromfile(os.path.join(dir_, r['file']), dtype='<f8')
        same_count = len(d) == len(ours) == len(nl[3])
        maxdiff = float(np.max(np.abs(d - ours))) if same_count else float('inf')
        list_same = r['list_count'] == len(nl[3]) and r['list_max_diff'] <= 1e-12
        out.append({'size': r['size'], 'natoms': len(cell), 'seconds_all_neighbors': sec_all,
                    'seconds_neighbor_list': sec_list, 'count': int(len(d)), 'sum': float(d.sum()),
                    'max_abs_diff': maxdiff, 'agree': bool(same_count and maxdiff <= 1e-6 and list_same)})
    return out


# ---------------------------------------------------------------- step 3

def property_table(codes):
    """Property vector of every element, nulls imputed by the median over Z <= 94 (elements/README.md)."""
    with open(os.path.join(ROOT, 'elements/elements.json')) as fh:
        raw = json.load(fh)['elements']
    medians = {}
    for c in codes:
        have = [e[c] for e in raw.values() if e['Z'] <= 94 and e[c] is not None]
        medians[c] = float(np.median(have))
    return {sym: np.array([e[c] if e[c] is not None else medians[c] for c in codes], dtype=np.float64)
            for sym, e in raw.items()}


def ce_features(dump, props):
    """The default CE definition (absolute values, weighted mean, geometry) re-derived from the shells."""
    d = dump['definition']
    assert d['env'] == 'aet' and d['aggregate'] == 'mean' and d['values'] == 'absolute' and d['geometry'] \
        and not d['host'] and not d['labels'], 'the reference implements the default definition only'
    cell = dump['cell']
    sites = {}
    for atom, s in dump['shells'].items():
        dist = np.array([n['distance'] for n in s['shell']])
        idx = np.array([n['index'] for n in s['shell']])
        w = dist ** d['weight']
        vol = ConvexHull(np.array([n['vector'] for n in s['shell']])).volume
        host_props = np.array([props[cell[k]] for k in idx])
        sites[int(atom)] = {'atom': int(atom), 'host': cell[int(atom)], 'idx': idx, 'w': w, 'wsum': w.sum(),
                            'P0': host_props, 'cn': len(idx), 'mean': dist.mean(), 'sd': dist.std(), 'vol': vol}

    def block(site, element, a, x, b, y):
        P = site['P0'].copy()
        P[site['idx'] == a] = props[x]
        P[site['idx'] == b] = props[y]
        env = site['w'] @ P / site['wsum']
        return np.concatenate([props[element], env, [site['cn'], site['mean'], site['sd'], site['vol']]])

    def r4(v):
        return math.floor(v * 1e4 + 0.5)

    def key(site, element):  # canonical order of the two ends: chemistry and geometry, then element
        return (site['host'], site['cn'], r4(site['mean']), r4(site['vol']), element)

    X = []
    for s in dump['substitutions']:
        a, b, x, y = s['atomA'], s['atomB'], s['elementA'], s['elementB']
        ends = [(sites[a], x), (sites[b], y)]
        if key(*ends[1]) < key(*ends[0]):
            ends.reverse()
        (s1, e1), (s2, e2) = ends
        X.append(np.concatenate([block(s1, e1, a, x, b, y), block(s2, e2, a, x, b, y),
                                 [s['distance'], np.sum(s1['idx'] == s2['atom']), np.sum(s2['idx'] == s1['atom'])]]))
    return np.array(X), sites


def feature_step(dir_):
    dump = load(dir_, 'ts-features-data.json')
    props = property_table(dump['definition']['properties'])
    sec, _, (X, sites) = best(3, lambda: ce_features(dump, props))
    ours = np.array(dump['X'])  # cescreen's matrix
    rel = np.abs(X - ours) / np.maximum(np.maximum(np.abs(X), np.abs(ours)), 1e-9)
    # the shells themselves: their distances must be pymatgen's nearest neighbour distances
    alpha = Structure.from_file(STRUCTURES['alpha'])
    shell_diff = 0.0
    for atom, s in dump['shells'].items():
        nb = sorted(n.nn_distance for n in alpha.get_neighbors(alpha[int(atom)], 6.0))
        dist = [n['distance'] for n in s['shell']]
        shell_diff = max(shell_diff, max(abs(p - q) for p, q in zip(nb[:len(dist)], dist)))
    vol_diff = max(abs(sites[int(a)]['vol'] - s['volume']) for a, s in dump['shells'].items())
    return {'substitutions': len(X), 'features': X.shape[1], 'seconds_arithmetic': sec,
            'max_rel_diff': float(rel.max()), 'shell_distance_max_diff': shell_diff, 'hull_volume_max_diff': vol_diff,
            'agree': bool(X.shape == ours.shape and rel.max() <= 1e-6 and shell_diff <= 1e-6)}


# ---------------------------------------------------------------- step 4

def svr_step(dir_):
    dump = load(dir_, 'ts-svr-data.json')
    X, y = np.array(dump['X']), np.array(dump['y'])
    tr, te = np.array(dump['train']), np.array(dump['test'])
    p = dump['params']
    model = None

    def fit():
        nonlocal model
        model = make_pipeline(StandardScaler(), SVR(kernel='rbf', C=p['C'], gamma=p['gamma'], epsilon=p['epsilon'],
                                                    tol=1e-3, cache_size=200, shrinking=True))
        model.fit(X[tr], y[tr])
    sec_fit, _, _ = best(3, fit)
    sec_pred, _, pred = best(3, lambda: model.predict(X[te]))
    mae = float(np.mean(np.abs(pred - y[te])))
    theirs = np.array(dump['pred'])
    return {'n': len(y), 'd': X.shape[1], 'nSV': int(model[-1].support_.size), 'seconds_fit': sec_fit,
            'seconds_predict': sec_pred, 'mae': mae, 'max_pred_diff': float(np.max(np.abs(pred - theirs)))}


# ---------------------------------------------------------------- step 5: repeated CV, grid search

def svr_pipeline(**kw):
    return make_pipeline(StandardScaler(), SVR(kernel='rbf', tol=1e-3, cache_size=200, shrinking=True, **kw))


def svr_cv_step(dir_):
    """cross_val_score on cescreen's 20 x 5 folds (features scaled inside each fold by the Pipeline); one run."""
    d = load(dir_, 'ts-svr-cv-data.json')
    X, y, p = np.array(d['X']), np.array(d['y']), d['params']
    folds = [(np.array(tr), np.array(te)) for tr, te in d['splits']]
    t = time.perf_counter()
    scores = cross_val_score(svr_pipeline(C=p['C'], gamma=p['gamma'], epsilon=p['epsilon']), X, y, cv=folds,
                             scoring='neg_mean_absolute_error')
    sec = time.perf_counter() - t
    maes = -scores
    diff = np.abs(maes - np.array(d['maes']))
    return {'folds': len(folds), 'seconds': sec, 'mae': float(maes.mean()), 'max_fold_mae_diff': float(diff.max()),
            'agree': bool(abs(maes.mean() - np.mean(d['maes'])) <= 0.002 * maes.mean())}


def svr_grid_step(dir_):
    """GridSearchCV over the same 36 points and 5 folds (no refit); one run."""
    d = load(dir_, 'ts-svr-grid-data.json')
    data = load(dir_, 'ts-svr-data.json')
    X, y = np.array(data['X']), np.array(data['y'])
    folds = [(np.array(tr), np.array(te)) for tr, te in d['splits']]
    g = d['grid']
    grid = {'svr__C': g['C'], 'svr__epsilon': g['epsilon'], 'svr__gamma': g['gamma']}
    t = time.perf_counter()
    gs = GridSearchCV(svr_pipeline(), grid, cv=folds, scoring='neg_mean_absolute_error', refit=False)
    gs.fit(X, y)
    sec = time.perf_counter() - t
    theirs = {(q['svr__C'], q['svr__epsilon'], q['svr__gamma']): -m
              for q, m in zip(gs.cv_results_['params'], gs.cv_results_['mean_test_score'])}
    diffs = [abs(theirs[(q['C'], q['epsilon'], q['gamma'])] - q['mae']) for q in d['points']]
    best = min(theirs, key=theirs.get)
    ours = min(d['points'], key=lambda q: q['mae'])
    return {'points': len(theirs), 'folds': len(folds), 'seconds': sec,
            'best': {'C': best[0], 'epsilon': best[1], 'gamma': best[2], 'mae': theirs[best]},
            'max_point_mae_diff': float(max(diffs)),
            'agree': bool(max(diffs) <= 0.002 * min(theirs.values()) and
                          theirs[(ours['C'], ours['epsilon'], ours['gamma'])] <= theirs[best] * 1.002)}


# ---------------------------------------------------------------- step 6: Cholesky

def cholesky_step(dir_):
    """numpy.linalg.cholesky (LAPACK potrf, OpenBLAS) and scipy cho_solve on cescreen's matrices."""
    out = []
    for r in load(dir_, 'ts-cholesky.json')['result']:
        n = r['n']
        K = np.fromfile(os.path.join(dir_, f'ts-chol-K-{n}.f64'), dtype='<f8').reshape(n, n)
        b = np.sin(np.arange(n))
        sec_f, _, L = best(3, lambda: np.linalg.cholesky(K))
        sec_s, _, x = best(3, lambda: cho_solve((L, True), b))
        Lts = np.fromfile(os.path.join(dir_, f'ts-chol-L-{n}.f64'), dtype='<f8').reshape(n, n)
        xts = np.fromfile(os.path.join(dir_, f'ts-chol-x-{n}.f64'), dtype='<f8')
        logdet = 2 * np.log(np.diag(L)).sum()
        dl = float(np.max(np.abs(L - Lts)))
        dx = float(np.max(np.abs(x - xts)) / np.max(np.abs(x)))
        out.append({'n': n, 'seconds_factor': sec_f, 'seconds_solve': sec_s, 'max_L_diff': dl, 'max_rel_x_diff': dx,
                    'logdet_diff': float(abs(logdet - r['logdet'])),
                    'agree': bool(dl <= 1e-10 and dx <= 1e-8 and abs(logdet - r['logdet']) <= 1e-8 * abs(logdet))})
    return out


# ---------------------------------------------------------------- report

def report(dir_):
    def both(step):
        return load(dir_, f'ts-{step}.json'), load(dir_, f'py-{step}.json')

    def ratio(py, ts):
        return f'{py / ts:.1f}×' if ts > 0 else '–'

    def ms(s):
        return f'{s * 1000:.1f}' if s < 10 else f'{s * 1000:.0f}'

    rows = ['| step | size | cescreen ms | Python ms | Python/cescreen | agreement |', '|---|---|---:|---:|---:|---|']
    ts, py = both('symmetry')
    for a, b in zip(ts['result'], py['result']):
        rows.append(f"| 1. CIF parse + symmetry ({a['name']}) | {a['natoms']} atoms | {ms(a['seconds'])} | {ms(b['seconds'])} | "
                    f"{ratio(b['seconds'], a['seconds'])} | {'✓' if b['agree'] else '✗'} SG {b['spacegroup']}, {', '.join(b['wyckoff'])} |")
    ts, py = both('neighbors')
    for a, b in zip(ts['result'], py['result']):
        rows.append(f"| 2. all neighbours ≤ 8 Å (get_all_neighbors) | {a['natoms']} atoms, {a['count']:,} pairs | {ms(a['seconds'])} | "
                    f"{ms(b['seconds_all_neighbors'])} | {ratio(b['seconds_all_neighbors'], a['seconds'])} | "
                    f"{'✓' if b['agree'] else '✗'} count, max Δd {b['max_abs_diff']:.1e} Å |")
    for a, b in zip(ts['result'], py['result']):
        if a['natoms'] in (256, 1536, 10976):
            rows.append(f"| 2′. arrays: neighborList vs get_neighbor_list | {a['natoms']} atoms | {ms(a['seconds_list'])} | "
                        f"{ms(b['seconds_neighbor_list'])} | {ratio(b['seconds_neighbor_list'], a['seconds_list'])} | "
                        f"{'✓' if b['agree'] else '✗'} same count, max Δd {a['list_max_diff']:.0e} Å |")
    ts, py = both('features')
    a, b = ts['result'], py['result']
    rows.append(f"| 3. CE features, arithmetic on given AET shells | {a['substitutions']} subs × {a['features']} ({a['pairs']} pairs, {a['elements']} el.) | "
                f"{ms(a['seconds_arithmetic'])} | {ms(b['seconds_arithmetic'])} | {ratio(b['seconds_arithmetic'], a['seconds_arithmetic'])} | "
                f"{'✓' if b['agree'] else '✗'} max rel Δ {b['max_rel_diff']:.1e}; shells = pymatgen NN to {b['shell_distance_max_diff']:.0e} Å |")
    rows.append(f"| 3′. CE features incl. AET shells (cescreen only) | same | {ms(a['seconds_full'])} | – | – | – |")
    ts, py = both('svr')
    a, b = ts['result'], py['result']
    ts_svr_d = a['d']
    rows.append(f"| 4. SVR fit (C={a['params']['C']}, ε={a['params']['epsilon']}, γ={a['params']['gamma']:.4g}) | {a['train']}×{a['d']} | {ms(a['seconds_fit'])} | "
                f"{ms(b['seconds_fit'])} | {ratio(b['seconds_fit'], a['seconds_fit'])} | nSV {a['nSV']} vs {b['nSV']} |")
    rows.append(f"| 4. SVR predict | {a['test']} rows | {ms(a['seconds_predict'])} | {ms(b['seconds_predict'])} | "
                f"{ratio(b['seconds_predict'], a['seconds_predict'])} | test MAE {a['mae'] * 1000:.2f} vs {b['mae'] * 1000:.2f} meV, max Δpred {b['max_pred_diff']:.1e} eV |")
    ts, py = both('svr-cv')
    a, b = ts['result'], py['result']
    rows.append(f"| 5. SVR repeated CV ({a['folds'] // 5} × 5 folds, same folds, fold-wise scaling) | {a['n']}×{ts_svr_d} | {ms(a['seconds'])} | "
                f"{ms(b['seconds'])} | {ratio(b['seconds'], a['seconds'])} | {'✓' if b['agree'] else '✗'} CV MAE {a['mae'] * 1000:.2f} vs {b['mae'] * 1000:.2f} meV, "
                f"max fold Δ {b['max_fold_mae_diff'] * 1000:.2f} meV |")
    ts, py = both('svr-grid')
    a, b = ts['result'], py['result']
    rows.append(f"| 6. SVR grid (C, ε, γ) {a['points']} points × {a['folds']}-fold CV vs GridSearchCV | {a['n']}×{ts_svr_d} | {ms(a['seconds'])} | "
                f"{ms(b['seconds'])} | {ratio(b['seconds'], a['seconds'])} | {'✓' if b['agree'] else '✗'} best C={a['best']['C']}, ε={a['best']['epsilon']}, "
                f"γ={a['best']['gamma']:.4g} ({a['best']['mae'] * 1000:.2f} vs {b['best']['mae'] * 1000:.2f} meV), max point Δ {b['max_point_mae_diff'] * 1000:.2f} meV |")
    ts, py = both('cholesky')
    for a, b in zip(ts['result'], py['result']):
        rows.append(f"| 7. Cholesky of an RBF + noise kernel (vs numpy/LAPACK) | n = {a['n']} | {ms(a['seconds_factor'])} | {ms(b['seconds_factor'])} | "
                    f"{ratio(b['seconds_factor'], a['seconds_factor'])} | {'✓' if b['agree'] else '✗'} max ΔL {b['max_L_diff']:.0e}, Δlog det {b['logdet_diff']:.0e} |")
        rows.append(f"| 7. solve L·Lᵀx = b (vs scipy cho_solve) | n = {a['n']} | {ms(a['seconds_solve'])} | {ms(b['seconds_solve'])} | "
                    f"{ratio(b['seconds_solve'], a['seconds_solve'])} | max rel Δx {b['max_rel_x_diff']:.0e} |")
    ts, py = both('noop')
    rows.append(f"| start-up + imports (in-process, not in the times above) | – | {ms(ts['startup_seconds'])} | {ms(py['startup_seconds'])} | "
                f"{ratio(py['startup_seconds'], ts['startup_seconds'])} | – |")
    print('\n'.join(rows))
    fails = [s for s in ('symmetry', 'neighbors', 'features', 'svr-cv', 'svr-grid', 'cholesky') for r in
             (lambda v: v if isinstance(v, list) else [v])(load(dir_, f'py-{s}.json')['result']) if not r['agree']]
    svr = both('svr')
    if abs(svr[0]['result']['mae'] - svr[1]['result']['mae']) > 0.02 * svr[1]['result']['mae']:
        fails.append('svr')
    if fails:
        print(f"\nDISAGREEMENT in: {', '.join(sorted(set(fails)))}")
        sys.exit(1)


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: peer.py <noop|symmetry|neighbors|features|svr|svr-cv|svr-grid|cholesky|report> DIR')
    step, dir_ = sys.argv[1:]
    if step == 'report':
        return report(dir_)
    steps = {'noop': lambda d: {}, 'symmetry': symmetry_step, 'neighbors': neighbor_step,
             'features': feature_step, 'svr': svr_step, 'svr-cv': svr_cv_step, 'svr-grid': svr_grid_step,
             'cholesky': cholesky_step}
    result = steps[step](dir_)
    with open(os.path.join(dir_, f'py-{step}.json'), 'w') as fh:
        json.dump({'step': step, 'startup_seconds': STARTUP, 'result': result}, fh, indent=1)


if __name__ == '__main__':
    main()
