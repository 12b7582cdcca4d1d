import { CommanderError } from 'commander';
import { ConfigError } from '../config/index.js';
import { ConflictError, DomainError, NotFoundError, ValidationError } from '../errors/index.js';
import type { CliIo } from './output.js';

/**
 * Exit codes, stable for scripts:
 *   0  success
 *   1  unexpected failure or invalid configuration (environment)
 *   2  bad arguments: unknown option, missing flag, or a value the domain rejects
 *   3  the named client, user or organisation does not exist
 *   4  conflicts with what is stored (e.g. the email is taken)
 */
export const EXIT = { ok: 0, failure: 1, invalidInput: 2, notFound: 3, conflict: 4 } as const;

interface ErrorReport {
  exitCode: number;
  code: string;
  message: string;
  problems?: Record<string, string>;
}

function describe(error: unknown): ErrorReport {
  if (error instanceof CommanderError) {
    // commander has already printed its message (unless --json); --help and --version end here with 0.
    return { exitCode: error.exitCode === 0 ? EXIT.ok : EXIT.invalidInput, code: 'usage', message: error.message.replace(/^error: /, '') };
  }
  if (error instanceof ConfigError) return { exitCode: EXIT.failure, code: 'invalid_configuration', message: error.message };
  if (error instanceof ValidationError) return { exitCode: EXIT.invalidInput, code: error.code, message: error.message, problems: error.problems };
  if (error instanceof NotFoundError) return { exitCode: EXIT.notFound, code: error.code, message: error.message };
  if (error instanceof ConflictError) return { exitCode: EXIT.conflict, code: error.code, message: error.message };
  if (error instanceof DomainError) return { exitCode: error.status < 500 ? EXIT.invalidInput : EXIT.failure, code: error.code, message: error.message };
  return { exitCode: EXIT.failure, code: 'internal_error', message: error instanceof Error ? error.message : String(error) };
}

/** Writes the error to stderr (as one JSON object with `--json`) and returns the exit code. */
export function reportError(error: unknown, io: CliIo, { json }: { json: boolean }): number {
  const report = describe(error);
  if (report.exitCode === EXIT.ok) return EXIT.ok;
  if (json) {
    const { code, message, problems } = report;
    io.stderr.write(`${JSON.stringify({ error: code, message, ...(problems ? { problems } : {}) })}\n`);
  } else if (!(error instanceof CommanderError)) {
    const lines = report.problems
      ? Object.entries(report.problems).map(([field, problem]) => `pforte: ${field}: ${problem}`)
      : [`pforte: ${report.code === 'internal_error' && error instanceof Error ? (error.stack ?? error.message) : report.message}`];
    io.stderr.write(`${lines.join('\n')}\n`);
  }
  return report.exitCode;
}
