// Atom colours: Jmol's CPK-like table for the elements a silicide/alloy study
// meets, a stable hash colour for anything else, and a colour-blind-safe
// qualitative palette for colouring by crystallographic site label.
import { property } from '../features/elements.ts';

/** Display radius for ordering and drawing: metallic radius, else covalent, else atomic (Å). */
export function elementRadius(el: string): number {
  return property(el, 'MR') ?? property(el, 'CR') ?? property(el, 'AR') ?? NaN;
}

const JMOL: Record<string, string> = {
  H: '#ffffff', He: '#d9ffff', Li: '#cc80ff', Be: '#c2ff00', B: '#ffb5b5', C: '#909090', N: '#3050f8', O: '#ff0d0d',
  F: '#90e050', Ne: '#b3e3f5', Na: '#ab5cf2', Mg: '#8aff00', Al: '#bfa6a6', Si: '#f0c8a0', P: '#ff8000', S: '#ffff30',
  Cl: '#1ff01f', Ar: '#80d1e3', K: '#8f40d4', Ca: '#3dff00', Sc: '#e6e6e6', Ti: '#bfc2c7', V: '#a6a6ab', Cr: '#8a99c7',
  Mn: '#9c7ac7', Fe: '#e06633', Co: '#f090a0', Ni: '#50d050', Cu: '#c88033', Zn: '#7d80b0', Ga: '#c28f8f', Ge: '#668f8f',
  As: '#bd80e3', Se: '#ffa100', Br: '#a62929', Kr: '#5cb8d1', Rb: '#702eb0', Sr: '#00ff00', Y: '#94ffff', Zr: '#94e0e0',
  Nb: '#73c2c9', Mo: '#54b5b5', Tc: '#3b9e9e', Ru: '#248f8f', Rh: '#0a7d8c', Pd: '#006985', Ag: '#c0c0c0', Cd: '#ffd98f',
  In: '#a67573', Sn: '#668080', Sb: '#9e63b5', Te: '#d47a00', I: '#940094', Xe: '#429eb0', Cs: '#57178f', Ba: '#00c900',
  La: '#70d4ff', Ce: '#ffffc7', Pr: '#d9ffc7', Nd: '#c7ffc7', Sm: '#8fffc7', Eu: '#61ffc7', Gd: '#45ffc7', Tb: '#30ffc7',
  Dy: '#1fffc7', Ho: '#00ff9c', Er: '#00e675', Tm: '#00d452', Yb: '#00bf38', Lu: '#00ab24', Hf: '#4dc2ff', Ta: '#4da6ff',
  W: '#2194d6', Re: '#267dab', Os: '#266696', Ir: '#175487', Pt: '#d0d0e0', Au: '#ffd123', Hg: '#b8b8d0', Tl: '#a6544d',
  Pb: '#575961', Bi: '#9e4fb5', Th: '#00baff', U: '#008fff',
};

function hslToHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    const c = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(c * 255).toString(16).padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}

/** A colour derived from the name alone, so unknown elements look the same in every figure. */
export function hashColor(name: string): string {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return hslToHex((h >>> 0) % 360, 0.55, 0.6);
}

export function elementColor(el: string): string {
  return JMOL[el] ?? hashColor(el);
}

// Okabe & Ito's colour-blind-safe palette (black left out: it hides a sphere's shading), ordered so
// that the first four sites take four hue families (blue, orange, green, purple: CIELAB hues ≥ 70°
// apart) and the second blue and the second orange (sky blue, vermillion) come only from the fifth
// site on, apart from the first ones by lightness. Under simulated protanopia, deuteranopia and
// tritanopia (Machado et al. 2009) every pair of these 7 differs by ΔE*ab ≥ 16, where Tableau-10's
// green and red (an earlier palette) fall to 7 (test/figures.test.ts).
export const LABEL_PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442'];

/** Beyond 7 sites: the palette darkened by 40 %, then lightened by 50 % towards white (21 colours ≥ ΔE*ab 13 apart). */
const LABEL_SHADES = [(v: number) => v, (v: number) => v * 0.6, (v: number) => v + (255 - v) * 0.5];

/** The colour of the k-th site label: the palette, then its darker and lighter shades, then hash colours. */
export function labelColor(k: number, label: string): string {
  const shade = LABEL_SHADES[Math.floor(k / LABEL_PALETTE.length)];
  if (!shade) return hashColor(label);
  const c = LABEL_PALETTE[k % LABEL_PALETTE.length];
  const channels = [1, 3, 5].map((i) => Math.round(shade(parseInt(c.slice(i, i + 2), 16))));
  return `#${channels.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** Colours for site labels in the given order: every label its own colour up to 21 labels. */
export function labelColors(labels: readonly string[]): Record<string, string> {
  return Object.fromEntries(labels.map((l, k) => [l, labelColor(k, l)]));
}
