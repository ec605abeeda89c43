import { type Mat3, type Vec3, det3, matVec, wrapFrac } from './lattice.ts';
import { InputError } from '../util/errors.ts';

/**
 * A space-group operation in fractional coordinates: f' = R·f + t, with R an
 * integer matrix (rows give x', y', z' in terms of x, y, z).
 */
export interface Symop {
  rotation: Mat3;
  translation: Vec3;
}

export const IDENTITY: Symop = {
  rotation: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
  translation: [0, 0, 0],
};

const AXIS: Record<string, number> = { x: 0, y: 1, z: 2 };

/**
 * Parse a CIF operation such as `-x+1/2, y, z+0.25`, `x-y,x,z+1/2` or
 * `1/2+X, -Y, Z`. Coefficients of x, y, z must be integers (e.g. `2x` is allowed,
 * `0.5x` is not), the determinant of R must be ±1. Throws InputError (with the
 * given file and line) saying what was expected.
 */
export function parseSymop(s: string, where: { file?: string; line?: number } = {}): Symop {
  const fail = (why: string): never => {
    throw new InputError(`cannot read symmetry operation '${s}': ${why}`, where);
  };
  const parts = s.replace(/\s+/g, '').toLowerCase().split(',');
  if (parts.length !== 3) fail(`expected three comma-separated components like 'x, y, z' (found ${parts.length})`);
  const rotation: Mat3 = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  const translation: Vec3 = [0, 0, 0];
  parts.forEach((part, row) => {
    if (part === '') fail(`component ${row + 1} is empty`);
    // One term: sign, optional number (integer, decimal or fraction), optional '*', optional axis letter.
    const term = /([+-]?)(?:(\d+(?:\.\d*)?|\.\d+)(?:\/(\d+(?:\.\d*)?))?)?(\*)?([xyz])?/y;
    let pos = 0;
    while (pos < part.length) {
      term.lastIndex = pos;
      const m = term.exec(part);
      if (!m || m[0] === '' || (m[0] === m[1])) fail(`unexpected '${part.slice(pos)}' in component ${row + 1}`);
      const [, sign, num, den, star, axis] = m!;
      if (pos > 0 && sign === '') fail(`missing + or - before '${m![0]}' in component ${row + 1}`);
      if (star && (!num || !axis)) fail(`misplaced '*' in component ${row + 1}`);
      if (num === undefined && axis === undefined) fail(`unexpected '${m![0]}' in component ${row + 1}`);
      let value = num === undefined ? 1 : Number(num);
      if (den !== undefined) {
        const d = Number(den);
        if (!(d > 0)) fail(`division by zero in component ${row + 1}`);
        value /= d;
      }
      if (!Number.isFinite(value)) fail(`number out of range in component ${row + 1}`);
      if (sign === '-') value = -value;
      if (axis !== undefined) {
        if (!Number.isInteger(value)) fail(`coefficient ${value} of ${axis} is not an integer`);
        rotation[row][AXIS[axis]] += value;
      } else {
        translation[row] += value;
      }
      pos = term.lastIndex;
    }
  });
  const d = det3(rotation);
  if (Math.abs(Math.abs(d) - 1) > 1e-9) fail(`the rotation part has determinant ${d}, not ±1`);
  return { rotation, translation };
}

/** f' = R·f + t (not wrapped). */
export function applySymop(op: Symop, f: Vec3): Vec3 {
  const r = matVec(op.rotation, f);
  return [r[0] + op.translation[0], r[1] + op.translation[1], r[2] + op.translation[2]];
}

/** Composition a∘b: first b, then a. */
export function composeSymops(a: Symop, b: Symop): Symop {
  const rotation = [0, 1, 2].map((i) => [0, 1, 2].map((j) => a.rotation[i][0] * b.rotation[0][j] + a.rotation[i][1] * b.rotation[1][j] + a.rotation[i][2] * b.rotation[2][j])) as Mat3;
  return { rotation, translation: applySymop(a, b.translation) };
}

/** A key equal for operations that differ only by a lattice translation. */
export function symopKey(op: Symop): string {
  const t = wrapFrac(op.translation).map((x) => (Math.abs(x - 1) < 1e-6 ? 0 : x).toFixed(6));
  return `${op.rotation.flat().join(',')}|${t.join(',')}`;
}

/** Fractions crystallographers write: denominators up to 12. */
function formatNumber(v: number): string {
  for (const den of [1, 2, 3, 4, 6, 8, 12]) {
    const num = Math.round(v * den);
    if (Math.abs(num / den - v) < 1e-9) return den === 1 ? `${num}` : `${num}/${den}`;
  }
  return `${Number(v.toPrecision(12))}`;
}

/** Operation as CIF text, e.g. `-y+1/2, x, z`; the inverse of parseSymop. */
export function formatSymop(op: Symop): string {
  return [0, 1, 2]
    .map((row) => {
      let out = '';
      for (let j = 0; j < 3; j++) {
        const c = op.rotation[row][j];
        if (c === 0) continue;
        const mag = Math.abs(c) === 1 ? '' : `${Math.abs(c)}`;
        out += (c < 0 ? '-' : out === '' ? '' : '+') + mag + 'xyz'[j];
      }
      const t = op.translation[row];
      if (Math.abs(t) > 1e-12) {
        const text = formatNumber(Math.abs(t));
        out += (t < 0 ? '-' : out === '' ? '' : '+') + text;
      }
      return out === '' ? '0' : out;
    })
    .join(', ');
}
