import { formatSupercell, parseSupercellSpec } from '../structure/supercell.ts';
import { number, text } from '../util/params.ts';

/** Which periodic cell the substitutions live in and how far apart a pair may be: declared once for every command. */
export const SYSTEM_PARAMS = {
  supercell: text("periodic cell of the substitutions (the DFT cell): '1x1x1', '2x2x1' or 9 integers", '1x1x1', (s) => formatSupercell(parseSupercellSpec(s))),
  // 3.6 Å: the 12 configurations of the α-Nb5Si3 data set (2.415–3.565 Å)
  maxDistance: number('largest minimum-image distance of a site pair', 3.6, { min: 0, minExclusive: true, max: 12, unit: 'Å' }),
  block: text('CIF data block to read (default: the first with atoms)', ''),
} as const;
