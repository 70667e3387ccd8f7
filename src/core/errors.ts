/**
 * The two kinds of failure every entry point distinguishes (docs/design.md, "Bad input").
 *
 * `InputError`: a file, config or checkpoint is malformed. It names where (file and line, or
 * field) and what was expected; the CLI exits with 1.
 * `UsageError`: the user asked for something that does not exist (a flag, an instance name, a
 * policy); the CLI prints the message and a usage hint and exits with 2.
 */

export interface InputLocation {
  /** File path or a label such as `<string>` for text given in memory. */
  readonly file: string;
  /** 1-based line number, when the problem is on one line. */
  readonly line?: number;
  /** Field or token name, when the problem is one value. */
  readonly field?: string;
}

export class InputError extends Error {
  override readonly name = 'InputError';
  readonly location: InputLocation;
  readonly expected: string;

  constructor(location: InputLocation, expected: string) {
    super(`${formatLocation(location)}: ${expected}`);
    this.location = location;
    this.expected = expected;
  }
}

/**
 * The failure of a value built in code (a config, a trace), as an InputError naming `where`, the
 * field, what was expected and what was there: `const fail = fieldFailure('memmap config')`.
 */
export function fieldFailure(
  where: string,
): (field: string, expected: string, got: unknown) => never {
  return (field, expected, got) => {
    throw new InputError(
      { file: where, field },
      `expected ${expected}, got ${JSON.stringify(got)}`,
    );
  };
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** A short hint shown below the message, such as the valid choices. */
  readonly hint: string | undefined;

  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}

function formatLocation(loc: InputLocation): string {
  let s = loc.file;
  if (loc.line !== undefined) s += `:${loc.line}`;
  if (loc.field !== undefined) s += ` (${loc.field})`;
  return s;
}
