import type { Command } from 'commander';
import type { CreateAccountInput } from '../../domain/accounts.js';
import { NotFoundError } from '../../errors/index.js';
import type { Services } from '../../services.js';
import type { AccountRow } from '../../store/pg/accounts-repo.js';
import type { CliContext } from '../context.js';
import { defineFlags } from '../flags.js';
import { formatFields, formatTable, printResult, type OutputOptions } from '../output.js';

const createFlags = defineFlags<keyof CreateAccountInput>([
  { flags: '--email <email>', field: 'email', description: 'sign-in email (unique)', requiredOnCreate: true },
  { flags: '--password <password>', field: 'password', description: 'initial password (must meet the password rules)' },
  { flags: '--name <name>', field: 'name', description: 'display name' },
  { flags: '--agent-number <number>', field: 'agentNumber', description: 'agent number, e.g. 60/123/4567 (normalised)' },
]);

/**
 * The fields an administrator may see; an allowlist, so secrets such as the password
 * hash never reach the output.
 */
function toUserView(account: AccountRow) {
  return {
    id: account.id,
    email: account.email,
    name: account.name,
    agent_number: account.agent_number,
    status: account.status,
    email_verified: account.email_verified,
    created_at: account.created_at,
  };
}

/** USER is an id or an email (SPEC 6). */
async function findUser(services: Services, ref: string): Promise<AccountRow> {
  const account = (await services.accounts.findById(ref)) ?? (await services.accounts.findByEmail(ref));
  if (!account) throw new NotFoundError('user');
  return account;
}

export function registerUserCommands(program: Command, ctx: CliContext): void {
  const user = program.command('user').description('manage accounts (USER is an id or the email)');

  createFlags
    .addTo(user.command('create').description('create an account'), { mode: 'create' })
    .option('--json', 'print the result as JSON')
    .action(async (options: OutputOptions, command: Command) => {
      const input = createFlags.given(command) as CreateAccountInput;
      const account = await ctx.withRuntime(({ services }) =>
        createFlags.inFlagTerms(() => services.accounts.create({ ...input, actor: ctx.actor })),
      );
      const { id, email, agent_number, status } = toUserView(account);
      printResult(ctx.io, options, { id, email, agent_number, status }, (u) => `created user ${u.id} (${u.email}, ${u.status})`);
    });

  user
    .command('list')
    .description('list accounts, ordered by email')
    .option('--search <text>', 'only emails containing this text')
    .option('--json', 'print the result as JSON')
    .action(async (options: OutputOptions & { search?: string }) => {
      const accounts = await ctx.withRuntime(({ services }) => services.accounts.list({ search: options.search }));
      printResult(ctx.io, options, accounts.map(toUserView), (list) =>
        list.length === 0 ? 'no users' : formatTable(['ID', 'STATUS', 'EMAIL'], list.map((u) => [u.id, u.status, u.email])),
      );
    });

  user
    .command('show')
    .description('show one account')
    .argument('<user>', 'user id or email')
    .option('--json', 'print the result as JSON')
    .action(async (ref: string, options: OutputOptions) => {
      const account = await ctx.withRuntime(({ services }) => findUser(services, ref));
      printResult(ctx.io, options, toUserView(account), formatFields);
    });
}
