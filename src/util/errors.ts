/**
 * Errors a user can fix (bad file, bad option) are InputError: the CLI prints
 * the message alone and exits 2. Anything else is a bug: exit 1.
 */
export class InputError extends Error {
  readonly file?: string;
  readonly line?: number;
  constructor(message: string, where: { file?: string; line?: number } = {}) {
    const prefix = where.file ? `${where.file}${where.line ? `:${where.line}` : ''}: ` : '';
    super(prefix + message);
    this.name = 'InputError';
    this.file = where.file;
    this.line = where.line;
  }
}

export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError;
}
