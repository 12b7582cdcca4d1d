import type { Command } from 'commander';
import { toUserView, type CreateAccountInput, type UpdateAccountInput, type UserView } from '../../domain/accounts.js';
import { DEFAULT_LOCALE, isLocale, LOCALES, type Locale } from '../../i18n/index.js';
import type { CliContext } from '../context.js';
import { commaList, defineFlags } from '../flags.js';
import { formatFields, formatTable, printResult, type OutputOptions } from '../output.js';

const createFlags = defineFlags<keyof CreateAccountInput>([
  { flags: '--email <email>', field: 'email', description: 'sign-in email (unique)', requiredOnCreate: true },
  { flags: '--password <password>', field: 'password', description: 'initial password: changed at first sign-in, expires after INITIAL_PASSWORD_DAYS, unless --permanent (must meet the password rules)' },
  { flags: '--name <name>', field: 'name', description: 'display name' },
  { flags: '--position <text>', field: 'position', description: 'position in the organisation' },
  { flags: '--phone <number>', field: 'phone', description: 'phone number (digits, spaces and + ( ) - / .)' },
  { flags: '--agent-number <number>', field: 'agentNumber', description: 'agent number, e.g. 60/123/4567 (normalised)' },
  { flags: '--org <org>', field: 'organisation', description: 'organisation, by id or name' },
  { flags: '--roles <list>', field: 'roles', parse: commaList, description: "comma-separated roles (with --org, from the organisation's grantable set)" },
]);

const updateFlags = defineFlags<keyof UpdateAccountInput>([
  { flags: '--name <name>', field: 'name', description: 'display name' },
  { flags: '--position <text>', field: 'position', description: 'position in the organisation ("" clears it)' },
  { flags: '--phone <number>', field: 'phone', description: 'phone number ("" clears it)' },
  { flags: '--org <org>', field: 'organisation', description: 'move to this organisation, by id or name' },
  { flags: '--no-org', field: 'organisation', description: 'take the account out of its organisation', updateOnly: true },
  { flags: '--roles <list>', field: 'roles', parse: commaList, description: 'comma-separated roles; replaces the current ones ("" for none)' },
]);

function describeUser(user: UserView): string {
  return formatFields({ ...user, organisation: user.organisation ? `${user.organisation.name} (${user.organisation.id})` : null });
}

function mailLocale(command: Command, value: string): Locale {
  if (!isLocale(value)) command.error(`error: --locale must be one of ${LOCALES.join(', ')}`);
  return value as Locale;
}

export function registerUserCommands(program: Command, ctx: CliContext): void {
  const user = program.command('user').description('manage accounts (USER is an id or the email)');

  createFlags
    .addTo(user.command('create').description('create an account'), { mode: 'create' })
    .option('--activation', 'create it pending, mail it a one-time link to set the password and print the link (shown once)')
    .option('--locale <locale>', `language of the activation mail: ${LOCALES.join(', ')}`, DEFAULT_LOCALE)
    .option('--initial-password', 'generate an initial password, to be changed at first sign-in (shown once)')
    .option('--permanent', 'with --password: keep it, no change at first sign-in')
    .option('--json', 'print the result as JSON')
    .action(async (options: OutputOptions & { activation?: boolean; initialPassword?: boolean; permanent?: boolean; locale: string }, command: Command) => {
      const input = createFlags.given(command) as CreateAccountInput;
      const locale = mailLocale(command, options.locale);
      const created = await ctx.withRuntime(async ({ services }) => {
        const { account, ...shownOnce } = await createFlags.inFlagTerms(() =>
          services.accountAdministration.create(ctx.admin, { ...input, activation: options.activation, initialPassword: options.initialPassword, permanent: options.permanent, locale }),
        );
        const { id, email, agent_number, status } = account;
        return { id, email, agent_number, status, ...shownOnce };
      });
      printResult(ctx.io, options, created, (u) =>
        [`created user ${u.id} (${u.email}, ${u.status})`, ...(u.activation_link ? [`activation link (shown once): ${u.activation_link}`] : []), ...(u.initial_password ? [`initial password (shown once): ${u.initial_password}`] : [])].join('\n'),
      );
    });

  user
    .command('list')
    .description('list accounts, ordered by email')
    .option('--search <text>', 'only emails containing this text')
    .option('--json', 'print the result as JSON')
    .action(async (options: OutputOptions & { search?: string }) => {
      const accounts = await ctx.withRuntime(({ services }) => services.accounts.list({ search: options.search }));
      printResult(ctx.io, options, accounts.map(toUserView), (list) =>
        list.length === 0
          ? 'no users'
          : formatTable(['ID', 'STATUS', 'ORGANISATION', 'EMAIL'], list.map((u) => [u.id, u.status, u.organisation?.name ?? '-', u.email])),
      );
    });

  user
    .command('show')
    .description('show one account')
    .argument('<user>', 'user id or email')
    .option('--json', 'print the result as JSON')
    .action(async (ref: string, options: OutputOptions) => {
      const account = await ctx.withRuntime(({ services }) => services.accounts.show(ref));
      printResult(ctx.io, options, toUserView(account), describeUser);
    });

  updateFlags
    .addTo(user.command('update').description('change an account; only the given flags change').argument('<user>', 'user id or email'), { mode: 'update' })
    .option('--json', 'print the result as JSON')
    .action(async (ref: string, options: OutputOptions, command: Command) => {
      const given = updateFlags.given(command);
      // commander gives `--no-org` as false; the service takes null.
      const changes = { ...given, ...(given.organisation === false ? { organisation: null } : {}) } as UpdateAccountInput;
      if (Object.keys(changes).length === 0) command.error('nothing to change: give at least one flag (see --help)');
      const account = await ctx.withRuntime(({ services }) => updateFlags.inFlagTerms(() => services.accounts.update(ref, changes, ctx.actor)));
      printResult(ctx.io, options, toUserView(account), describeUser);
    });

  for (const [name, description] of [
    ['block', 'block an account: no sign-in, and its sessions, refresh and access tokens end at once'],
    ['unblock', 'unblock an account: active again (pending if it never had a password)'],
  ] as const) {
    user
      .command(name)
      .description(description)
      .argument('<user>', 'user id or email')
      .option('--json', 'print the result as JSON')
      .action(async (ref: string, options: OutputOptions) => {
        const account = await ctx.withRuntime(({ services }) => services.accountStatus[name](ctx.admin, ref));
        printResult(ctx.io, options, { id: account.id, email: account.email, status: account.status }, (u) => `${name}ed user ${u.id} (${u.email}): ${u.status}`);
      });
  }

  user
    .command('resend-activation')
    .description('mail a pending account a new activation link (and print it); earlier links stay valid until they expire')
    .argument('<user>', 'user id or email')
    .option('--locale <locale>', `language of the mail: ${LOCALES.join(', ')}`, DEFAULT_LOCALE)
    .option('--json', 'print the result as JSON')
    .action(async (ref: string, options: OutputOptions & { locale: string }, command: Command) => {
      const locale = mailLocale(command, options.locale);
      const sent = await ctx.withRuntime(async ({ services }) => {
        const { account, activation_link } = await services.accountAdministration.resendActivation(ctx.admin, ref, locale);
        return { id: account.id, email: account.email, activation_link };
      });
      printResult(ctx.io, options, sent, (u) => `mailed a new activation link to ${u.email}\nactivation link (shown once): ${u.activation_link}`);
    });

  user
    .command('unlock')
    .description('lift every sign-in lock of an account, the hard stop included, and forget its failures')
    .argument('<user>', 'user id or email')
    .option('--json', 'print the result as JSON')
    .action(async (ref: string, options: OutputOptions) => {
      const unlocked = await ctx.withRuntime(async ({ services }) => {
        const account = await services.accountStatus.unlock(ctx.admin, ref);
        return { id: account.id, email: account.email, unlocked: true };
      });
      printResult(ctx.io, options, unlocked, (u) => `unlocked user ${u.id} (${u.email})`);
    });
}
