import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { ValidationError } from '../../errors/index.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../errors.js';
import { printResult, type OutputOptions } from '../output.js';

/** Far above 100 000 rows; a larger file is a mistake, not an import. */
const MAX_FILE_BYTES = 256 * 1024 * 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });

async function readCsv(path: string): Promise<string> {
  try {
    if ((await stat(path)).size > MAX_FILE_BYTES) throw new ValidationError({ file: 'larger than 256 MiB' });
    return utf8.decode(await readFile(path));
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    if (error instanceof TypeError) throw new ValidationError({ file: 'not valid UTF-8' });
    throw new ValidationError({ file: `cannot be read (${(error as { code?: string }).code ?? 'error'})` });
  }
}

export function registerCustomerCommands(program: Command, ctx: CliContext): void {
  const customers = program.command('customers').description('policyholder records for self-registration (SPEC 4.5)');

  customers
    .command('import')
    .description('upsert policyholders from a CSV file (columns policy_number, birth_date, name, optional email); exit 2 when rows were rejected')
    .argument('<file>', 'UTF-8 CSV, comma or semicolon separated, with a header row')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: OutputOptions) => {
      const text = await readCsv(file);
      const result = await ctx.withRuntime(({ services }) => services.customers.importCsv(text, ctx.actor));
      printResult(ctx.io, options, result, (r) =>
        [
          `imported ${r.imported}, updated ${r.updated}, unchanged ${r.unchanged}, rejected ${r.rejected.length}`,
          ...r.rejected.map((rejection) => `line ${rejection.line}: ${rejection.reason}`),
        ].join('\n'),
      );
      if (result.rejected.length > 0) ctx.exitCode = EXIT.invalidInput;
    });
}
