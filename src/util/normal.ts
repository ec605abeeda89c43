/**
 * The normal distribution, where intervals and probabilities of a predictive
 * distribution are made: one place for the 90 % z and Φ.
 */

/** z of the two-sided 90 % interval (Φ⁻¹(0.95)). */
export const Z90 = 1.6448536269514722;

/** A substitution is called stabilising when P(E_DS < 0) reaches this. */
export const STABILISING_PROBABILITY = 0.9;

/** Φ(x), the standard normal CDF by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7: far below any probability a model can resolve). */
export function normalCdf(x: number): number {
  if (!Number.isFinite(x)) return x > 0 ? 1 : 0;
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-z * z);
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/** P(E < threshold) for E ~ N(mean, sd²); a point prediction (sd 0) gives 0 or 1. */
export function probabilityBelow(mean: number, sd: number, threshold = 0): number {
  if (!(sd > 0)) return mean < threshold ? 1 : 0;
  return normalCdf((threshold - mean) / sd);
}
