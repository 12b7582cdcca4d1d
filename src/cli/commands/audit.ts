import type { Command } from 'commander';
import type { AuditEntry } from '../../domain/audit-query.js';
import type { CliContext } from '../context.js';
import { formatTable, printResult, type OutputOptions } from '../output.js';

interface AuditListOptions extends OutputOptions {
  account?: string;
  type?: string;
  since?: string;
  limit?: string;
}

const auditTable = (entries: AuditEntry[]) =>
  entries.length === 0
    ? 'no audit events'
    : formatTable(
        ['AT', 'TYPE', 'OUTCOME', 'ACTOR', 'ACCOUNT', 'CLIENT', 'IP'],
        entries.map((e) => [e.at.toISOString(), e.type, e.outcome, e.actor ?? '-', e.account_id ?? '-', e.client_id ?? '-', e.ip ?? '-']),
      );

export function registerAuditCommands(program: Command, ctx: CliContext): void {
  const audit = program.command('audit').description('query the audit trail');

  audit
    .command('list')
    .description('audit events, newest first')
    .option('--account <user>', 'only events about this account (id or email)')
    .option('--type <type>', 'only events of this type, e.g. login.failure')
    .option('--since <iso>', 'only events at or after this ISO 8601 time, e.g. 2026-01-31T00:00:00Z')
    .option('--limit <n>', 'at most this many events (1-1000, default 100)')
    .option('--json', 'print the result as JSON')
    .action(async ({ json, ...query }: AuditListOptions) => {
      const entries = await ctx.withRuntime(({ services }) => services.auditQuery.list(query));
      printResult(ctx.io, { json }, entries, auditTable);
    });
}
