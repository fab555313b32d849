// What can go wrong on the command line, each with its exit code: 2 usage (the command was not understood), 1 the
// action was refused or failed (the API said no, nobody is logged in, the API cannot be reached), 0 success.
// Every error prints as one line: `keyholder: <field>: <message> (<CODE>)`.

export const EXIT = { ok: 0, refused: 1, usage: 2 } as const;

export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.refused) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}

/** The API's error body (components['schemas']['Error']) as one refusal. */
export class ApiError extends CliError {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly apiMessage: string;
  constructor(status: number, code: string, message: string, field?: string, hint?: string) {
    super(`${apiErrorLine({ code, message, field })}${hint ? `; ${hint}` : ''}`, EXIT.refused);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
    this.apiMessage = message;
  }
}

/**
 * `justification: must be at least 20 characters (VALIDATION_FAILED)`. The API's messages often start with the
 * field's name ("justification must be ..."): it is said once, as the prefix.
 */
export function apiErrorLine(error: { code: string; message: string; field?: string | undefined }): string {
  const message = oneLine(error.message);
  if (!error.field) return `${message} (${error.code})`;
  const rest = message.startsWith(`${error.field} `) ? message.slice(error.field.length + 1) : message;
  return `${error.field}: ${rest} (${error.code})`;
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** The line printed to stderr for any error, and the exit code. */
export function describeFailure(error: unknown): { line: string; exitCode: number } {
  if (error instanceof CliError)
    return { line: `keyholder: ${oneLine(error.message)}`, exitCode: error.exitCode };
  const message = error instanceof Error ? error.message : String(error);
  return { line: `keyholder: ${oneLine(message)}`, exitCode: EXIT.refused };
}
