/**
 * Scaling of the crystal core: neighbour search (all distances within 8 Å of
 * every atom), NNH and AET of every atom, for supercells of α-Nb5Si3 from 32
 * to 4608 atoms. Run: npx tsx scripts/bench-core.ts
 */
import { readStructure } from '../src/structure/io.ts';
import { supercell } from '../src/structure/supercell.ts';
import { NeighborFinder } from '../src/environment/neighbors.ts';
import { nearestNeighborHistogram } from '../src/environment/nnh.ts';
import { atomicEnvironment } from '../src/environment/aet.ts';

const alpha = readStructure(new URL('../structures/alpha-Nb5Si3/structure.cif', import.meta.url).pathname, {});
const sizes: [number, number, number][] = [[1, 1, 1], [2, 2, 1], [2, 2, 2], [3, 3, 2], [4, 4, 2], [5, 5, 3], [6, 6, 4]];
const time = (f: () => void) => {
  const t = performance.now();
  f();
  return (performance.now() - t) / 1000;
};
console.log('atoms   neighbours(8Å)   search s   µs/atom   NNH all s   AET all s   ms/AET');
for (const [a, b, c] of sizes) {
  const cell = supercell(alpha, [[a, 0, 0], [0, b, 0], [0, 0, c]]);
  let pairs = 0;
  const finder = new NeighborFinder(cell, 8);
  const tSearch = time(() => {
    for (let i = 0; i < cell.length; i++) pairs += finder.distances(i).length;
  });
  const tNnh = time(() => {
    for (let i = 0; i < cell.length; i++) nearestNeighborHistogram(cell, i, { cutoff: 8, finder });
  });
  const aetFinder = new NeighborFinder(cell, 8);
  const tAet = time(() => {
    for (let i = 0; i < cell.length; i++) atomicEnvironment(cell, i, { identifyIdeal: false, finder: aetFinder });
  });
  console.log(
    [cell.length, pairs, tSearch.toFixed(3), ((tSearch / cell.length) * 1e6).toFixed(1), tNnh.toFixed(3), tAet.toFixed(3), ((tAet / cell.length) * 1e3).toFixed(3)]
      .map((x) => String(x).padStart(9))
      .join(' '),
  );
}
