/** Where a CLI run writes; passed in so nothing reaches for `process` behind a command's back. */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export const processIo: CliIo = { env: process.env, stdout: process.stdout, stderr: process.stderr };

export interface OutputOptions {
  json?: boolean;
}

/**
 * Prints a command's result on stdout: with `--json` exactly one JSON document (lists are
 * an array), otherwise the short human-readable text `human` builds.
 */
export function printResult<T>(io: CliIo, options: OutputOptions, value: T, human: (value: T) => string): void {
  io.stdout.write(options.json ? `${JSON.stringify(value, null, 2)}\n` : `${human(value)}\n`);
}

/** Aligned columns for list output; the last column is not padded. */
export function formatTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  return all.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

/** `key: value` lines for show output; nested values are printed as compact JSON. */
export function formatFields(fields: Record<string, unknown>): string {
  const width = Math.max(...Object.keys(fields).map((k) => k.length));
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${`${key}:`.padEnd(width + 1)} ${formatValue(value)}`)
    .join('\n');
}

function formatValue(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.join(', ');
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
