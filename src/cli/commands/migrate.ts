import type { Command } from 'commander';
import { migrate } from '../../store/pg/db.js';
import type { CliContext } from '../context.js';
import { printResult, type OutputOptions } from '../output.js';

export function registerMigrateCommand(program: Command, ctx: CliContext): void {
  program
    .command('migrate')
    .description('apply pending database migrations')
    .option('--json', 'print the result as JSON')
    .action(async (options: OutputOptions) => {
      const applied = await ctx.withDb((db) => migrate(db));
      printResult(ctx.io, options, { applied }, ({ applied }) =>
        applied.length === 0 ? 'database is up to date' : `applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m}`).join('\n')}`,
      );
    });
}
