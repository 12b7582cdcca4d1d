import type { Command } from 'commander';
import type { RoleInput } from '../../domain/roles.js';
import type { CliContext } from '../context.js';
import { defineFlags } from '../flags.js';
import { formatTable, printResult, type OutputOptions } from '../output.js';

const roleFlags = defineFlags<keyof RoleInput>([
  { flags: '--name <name>', field: 'name', description: 'role name: lower-case letters, digits and hyphens, e.g. fleet-manager', requiredOnCreate: true },
  { flags: '--description <text>', field: 'description', description: 'what the role allows' },
]);

export function registerRoleCommands(program: Command, ctx: CliContext): void {
  const role = program.command('role').description('keep the role catalogue');

  roleFlags
    .addTo(role.command('create').description('add a role to the catalogue'), { mode: 'create' })
    .option('--json', 'print the result as JSON')
    .action(async (options: OutputOptions, command: Command) => {
      const input = roleFlags.given(command) as unknown as RoleInput;
      const created = await ctx.withRuntime(({ services }) => roleFlags.inFlagTerms(() => services.roles.create(input, ctx.actor)));
      printResult(ctx.io, options, created, (r) => `created role ${r.name} (${r.id})`);
    });

  role
    .command('list')
    .description('list the role catalogue, ordered by name')
    .option('--json', 'print the result as JSON')
    .action(async (options: OutputOptions) => {
      const roles = await ctx.withRuntime(({ services }) => services.roles.list());
      printResult(ctx.io, options, roles, (list) =>
        list.length === 0 ? 'no roles' : formatTable(['NAME', 'DESCRIPTION'], list.map((r) => [r.name, r.description ?? ''])),
      );
    });
}
