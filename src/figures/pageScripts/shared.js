// Helpers shared by the figure builders (Node imports this module; types in shared.d.ts) and the
// pages (viewer.ts inlines this text into the viewer's module script), so that a number, a
// topological code or an exported cell reads the same in every figure, page and download.
// Plain browser-safe JavaScript: no imports, no Node APIs.

/**
 * A number for display: fixed decimals, never "-0.00", and a typographic minus (U+2212)
 * unless `ascii` (attribute values, CSV, file formats). Non-finite values read "—".
 */
export function formatNumber(v, digits = 2, ascii = false) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '\u2014';
  let s = v.toFixed(digits);
  if (/^-0\.?0*$/.test(s)) s = s.slice(1);
  return ascii ? s : s.replace('-', '\u2212');
}

/** Escape text for HTML/XML text nodes and attribute values. */
export function escapeXml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/**
 * A topological code such as "8^{5.0} 4^{6.0}" (or "4^6 6^8") as terms: each a base (the number
 * of vertices) and the superscript (faces meeting there: triangles.squares[.pentagons…]).
 * Text without a caret is kept as a plain term.
 */
export function parseCode(code) {
  const terms = [];
  for (const word of String(code).trim().split(/\s+/)) {
    if (!word) continue;
    const m = /^([^^]+)\^(?:\{([^}]*)\}|(.+))$/.exec(word);
    terms.push(m ? { base: m[1], sup: m[2] ?? m[3] } : { base: word, sup: '' });
  }
  return terms;
}

/** A topological code as HTML with <sup> superscripts. */
export function codeHtml(code) {
  return parseCode(code)
    .map((t) => `${escapeXml(t.base)}${t.sup ? `<sup>${escapeXml(t.sup)}</sup>` : ''}`)
    .join(' ');
}


/**
 * One end of a substitution as people write it: "Ti@NbI", or "—" when the site keeps its host
 * element (a single substitution's partner, or the pristine cell).
 */
export function siteText(element, site, host) {
  return element === host ? '\u2014' : `${element}@${site}`;
}

/** A substitution as text: "Ti@NbI + B@SiI", "Ti@NbI + —" (single), "pristine cell". */
export function substitutionText(x, siteA, y, siteB, hostA, hostB) {
  if (x === hostA && y === hostB) return 'pristine cell';
  return `${siteText(x, siteA, hostA)} + ${siteText(y, siteB, hostB)}`;
}

/** Greek letters by name: phase names (alpha-Nb5Si3 ↔ α-Nb5Si3) and file names spell them out. */
export const GREEK_LETTERS = {
  alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', epsilon: 'ε', zeta: 'ζ', eta: 'η', theta: 'θ', iota: 'ι', kappa: 'κ', lambda: 'λ', mu: 'μ',
  nu: 'ν', xi: 'ξ', omicron: 'ο', pi: 'π', rho: 'ρ', sigma: 'σ', tau: 'τ', upsilon: 'υ', phi: 'φ', chi: 'χ', psi: 'ψ', omega: 'ω',
};
const GREEK_NAMES = new Map(Object.entries(GREEK_LETTERS).map(([name, letter]) => [letter, name]));

/**
 * A file-name stem from a title, safe on every file system and still meaningful: Greek letters
 * spelled out (β-Nb5Si3 → beta-Nb5Si3, Δ → Delta), accents dropped, every run of other characters
 * ('@', spaces, '/', '+', dashes) one '-'; no leading or trailing '-' or '.'; at most `max` characters.
 */
export function fileStem(title, fallback = 'figure', max = 80) {
  const spelled = String(title).replace(/[\u0391-\u03a9\u03b1-\u03c9\u03c2]/g, (c) => {
    const name = GREEK_NAMES.get(c.toLowerCase() === 'ς' ? 'σ' : c.toLowerCase()) ?? '';
    return c === c.toLowerCase() ? name : name.charAt(0).toUpperCase() + name.slice(1);
  });
  const stem = spelled
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_.]+/g, '-')
    .slice(0, max)
    .replace(/^[-.]+|[-.]+$/g, '');
  return stem || fallback;
}

/** A 90 % interval as every page and figure writes it: "[−1.46, −0.19]" (typographic minus, `digits` decimals). */
export function intervalText(lo, hi, digits = 2) {
  return `[${formatNumber(lo, digits)}, ${formatNumber(hi, digits)}]`;
}
