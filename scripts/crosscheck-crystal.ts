/**
 * Cross-check of the crystal core against pymatgen (Debian's python3; a sanity
 * reference, not truth): every space-group setting of our table against
 * pymatgen's SpaceGroup, and the AET coordination number of every site of the
 * reference crystals against CrystalNN and VoronoiNN.
 *
 *   node --import tsx scripts/crosscheck-crystal.ts [-o report.md]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStructure } from '../src/structure/io.ts';
import { analyzeSymmetry } from '../src/structure/symmetry.ts';
import { settingsOfNumber } from '../src/structure/spaceGroups.ts';
import { formatSymop } from '../src/structure/symop.ts';
import { siteEnvironments } from '../src/environment/sites.ts';

const root = new URL('../', import.meta.url).pathname;
const files = [
  ...readdirSync(join(root, 'structures/reference'))
    .filter((f) => f.endsWith('.cif'))
    .sort()
    .map((f) => join(root, 'structures/reference', f)),
  join(root, 'structures/alpha-Nb5Si3/structure.cif'),
  join(root, 'structures/beta-Nb5Si3/structure.cif'),
];

const settings = [];
for (let n = 1; n <= 230; n++) {
  for (const s of settingsOfNumber(n)) settings.push({ hallNumber: s.hallNumber, symbol: s.symbol, operations: s.operations.map(formatSymop) });
}
const aets = files.flatMap((path) => {
  const s = readStructure(path);
  return siteEnvironments(s, analyzeSymmetry(s), { identifyIdeal: false }).map((e) => ({
    path,
    file: path.slice(root.length),
    site: e.site,
    frac: s.sites[e.atom].frac,
    cn: e.cn,
    rule: e.rule,
  }));
});

const dir = mkdtempSync(join(tmpdir(), 'cescreen-crosscheck-'));
try {
  writeFileSync(join(dir, 'ours.json'), JSON.stringify({ settings, aets }));
  const report = execFileSync('/usr/bin/python3', [join(root, 'scripts/peer/crystal.py'), dir], { encoding: 'utf8' });
  const k = process.argv.indexOf('-o');
  if (k >= 0) writeFileSync(process.argv[k + 1], report);
  process.stdout.write(report);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
