/**
 * Parameters declared once: type, default, range, unit and meaning. The same
 * declaration parses and checks CLI text, checks values read from model files
 * or passed through the API, and writes the help text and the README tables
 * (in the spirit of molstar's ParamDefinition and scikit-learn's get_params).
 */
import { InputError } from './errors.ts';

interface Common {
  description: string;
}

export interface NumberParam extends Common {
  kind: 'number';
  default: number;
  min?: number;
  max?: number;
  /** The lower bound itself is excluded (e.g. a distance > 0). */
  minExclusive?: boolean;
  integer?: boolean;
  unit?: string;
  /**
   * Fitted from the data within [min, max] (e.g. by maximum marginal likelihood); a value given
   * fixes it. Its `default` is NaN: there is none. `start` says where the fit begins.
   */
  fitted?: { start: string };
}

export interface ChoiceParam<T extends string = string> extends Common {
  kind: 'choice';
  default: T;
  /** Each value with what it means. */
  choices: Readonly<Record<T, string>>;
}

export interface FlagParam extends Common {
  kind: 'flag';
  default: boolean;
}

export interface TextParam extends Common {
  kind: 'text';
  default: string;
  /** Checks (and may normalise) a value; throws a message describing what was expected. */
  parse?: (text: string) => string;
}

export type Param = NumberParam | ChoiceParam | FlagParam | TextParam;
export type ParamDefs = Readonly<Record<string, Param>>;

export type ParamValue<P> = P extends NumberParam ? number : P extends ChoiceParam<infer T> ? T : P extends FlagParam ? boolean : string;
export type ParamValues<D extends ParamDefs> = { -readonly [K in keyof D]: ParamValue<D[K]> };

export const number = (description: string, default_: number, o: Omit<NumberParam, 'kind' | 'default' | 'description'> = {}): NumberParam => ({
  kind: 'number',
  description,
  default: default_,
  ...o,
});
export const choice = <T extends string>(description: string, default_: NoInfer<T>, choices: Readonly<Record<T, string>>): ChoiceParam<T> => ({
  kind: 'choice',
  description,
  default: default_,
  choices,
});
/** A parameter fitted from the data within [min, max] unless a value is given (which fixes it). */
export const fitted = (description: string, min: number, max: number, o: { unit?: string; start: string }): NumberParam => ({
  kind: 'number',
  description,
  default: NaN,
  min,
  max,
  unit: o.unit,
  fitted: { start: o.start },
});
export const isFitted = (p: Param | undefined) => p?.kind === 'number' && p.fitted !== undefined;
export const flag = (description: string, default_ = false): FlagParam => ({ kind: 'flag', description, default: default_ });
export const text = (description: string, default_: string, parse?: (s: string) => string): TextParam => ({ kind: 'text', description, default: default_, parse });

/** "a number in (0, 12] Å", "an integer ≥ 0", "one of mean, sum". */
export function expectation(p: Param): string {
  switch (p.kind) {
    case 'number': {
      const what = p.integer ? 'an integer' : 'a number';
      const unit = p.unit ? ` ${p.unit}` : '';
      if (p.min !== undefined && p.max !== undefined) return `${what} in ${p.minExclusive ? '(' : '['}${p.min}, ${p.max}]${unit}`;
      if (p.min !== undefined) return `${what} ${p.minExclusive ? '>' : '≥'} ${p.min}${unit}`;
      if (p.max !== undefined) return `${what} ≤ ${p.max}${unit}`;
      return what + unit;
    }
    case 'choice':
      return `one of ${Object.keys(p.choices).join(', ')}`;
    case 'flag':
      return 'true or false';
    case 'text':
      return 'text';
  }
}

function inRange(p: NumberParam, x: number): boolean {
  if (!Number.isFinite(x) || (p.integer && !Number.isInteger(x))) return false;
  if (p.min !== undefined && (p.minExclusive ? !(x > p.min) : !(x >= p.min))) return false;
  return p.max === undefined || x <= p.max;
}

/** Parse a value typed by a user; `name` is how the user named it (e.g. `--max-distance`). */
export function parseParam<P extends Param>(name: string, p: P, input: string): ParamValue<P> {
  const bad = (why = expectation(p)): never => {
    throw new InputError(`${name} ${input}: expected ${why}`);
  };
  switch (p.kind) {
    case 'number': {
      const x = input.trim() === '' ? NaN : Number(input);
      if (!inRange(p, x)) bad();
      return x as ParamValue<P>;
    }
    case 'choice': {
      const v = input.trim();
      if (!Object.hasOwn(p.choices, v)) bad();
      return v as ParamValue<P>;
    }
    case 'flag':
      if (input !== 'true' && input !== 'false') bad();
      return (input === 'true') as ParamValue<P>;
    case 'text':
      try {
        return (p.parse ? p.parse(input) : input) as ParamValue<P>;
      } catch (e) {
        return bad((e as Error).message);
      }
  }
}

/** Check a value that did not come from text (API call, model file). */
export function checkParam(name: string, p: Param, value: unknown): void {
  const ok =
    p.kind === 'number'
      ? typeof value === 'number' && inRange(p, value)
      : p.kind === 'choice'
        ? typeof value === 'string' && Object.hasOwn(p.choices, value)
        : p.kind === 'flag'
          ? typeof value === 'boolean'
          : typeof value === 'string';
  if (!ok) throw new InputError(`${name} ${JSON.stringify(value)}: expected ${expectation(p)}`);
}

/** The values of a declaration's parameters among parsed options (commander's, say). */
export const pickParams = <D extends ParamDefs>(o: object, defs: D): ParamValues<D> => Object.fromEntries(Object.keys(defs).map((k) => [k, (o as Record<string, unknown>)[k]])) as ParamValues<D>;

export function defaults<D extends ParamDefs>(defs: D): ParamValues<D> {
  return Object.fromEntries(Object.entries(defs).map(([k, p]) => [k, p.default])) as ParamValues<D>;
}

/** Defaults overridden by `given` (unknown keys refused, every value checked). */
export function resolveParams<D extends ParamDefs>(defs: D, given: Partial<Record<string, unknown>> = {}, what = 'parameter'): ParamValues<D> {
  const out: Record<string, unknown> = defaults(defs);
  for (const [k, v] of Object.entries(given)) {
    if (v === undefined) continue;
    const p = defs[k];
    if (!p) throw new InputError(`unknown ${what} '${k}' (known: ${Object.keys(defs).join(', ') || 'none'})`);
    checkParam(k, p, v);
    out[k] = v;
  }
  return out as ParamValues<D>;
}

/** One line of help: meaning, range or choices, default. */
export function describeParam(p: Param): string {
  const choices = p.kind === 'choice' ? ` (${Object.entries(p.choices).map(([k, v]) => `${k}: ${v}`).join('; ')})` : '';
  if (isFitted(p)) return `${p.description}: fitted within ${expectation(p)} from ${(p as NumberParam).fitted!.start}; a value fixes it`;
  const range = p.kind === 'number' ? `, ${expectation(p)}` : '';
  return `${p.description}${choices}${range}`;
}

/** A markdown table of a declaration, for the README. */
export function paramsMarkdown(defs: ParamDefs, flagOf: (name: string) => string = kebab): string {
  const rows = Object.entries(defs).map(([k, p]) => `| \`${flagOf(k)}\` | ${describeParam(p)} | ${isFitted(p) ? 'fitted' : JSON.stringify(p.default)} |`);
  return ['| option | meaning | default |', '|---|---|---|', ...rows].join('\n');
}

/** camelCase → --kebab-case, as commander names options. */
export function kebab(name: string): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
