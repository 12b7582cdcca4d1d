import { CommanderError } from 'commander';
import { ConfigError } from '../config/index.js';
import { AppError, problemOf } from '../errors/index.js';
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

/** The catalogue's status, in the CLI's terms. */
function exitCodeFor(status: number): number {
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  return status < 500 ? EXIT.invalidInput : EXIT.failure;
}

function describe(error: unknown): ErrorReport {
  if (error instanceof CommanderError) {
    // commander has already printed its message (unless --json); --help and --version end here with 0.
    return { exitCode: error.exitCode === 0 ? EXIT.ok : EXIT.invalidInput, code: 'usage', message: error.message.replace(/^error: /, '') };
  }
  if (error instanceof ConfigError) return { exitCode: EXIT.failure, code: 'invalid_configuration', message: error.message };
  if (error instanceof AppError) {
    const { message, problems } = problemOf(error);
    return { exitCode: exitCodeFor(error.status), code: error.code, message, ...(problems ? { problems } : {}) };
  }
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
