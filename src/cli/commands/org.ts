import type { Command } from 'commander';
import type { OrganisationChanges, OrganisationView } from '../../domain/organisations.js';
import type { CliContext } from '../context.js';
import { commaList, defineFlags } from '../flags.js';
import { formatFields, formatTable, printResult, type OutputOptions } from '../output.js';

const orgFlags = defineFlags<keyof OrganisationChanges>([
  { flags: '--name <name>', field: 'name', description: 'display name (unique)', requiredOnCreate: true },
  { flags: '--parent <org>', field: 'parent', description: 'parent organisation, by id or name' },
  { flags: '--no-parent', field: 'parent', description: 'make the organisation a root', updateOnly: true },
  { flags: '--grantable-roles <list>', field: 'grantableRoles', parse: commaList, description: 'comma-separated roles the organisation may grant (replaces the set)' },
]);

/** commander gives `--no-parent` as false; the service takes null. */
function toChanges(given: Partial<Record<keyof OrganisationChanges, unknown>>): OrganisationChanges {
  return { ...given, ...(given.parent === false ? { parent: null } : {}) } as OrganisationChanges;
}

export function registerOrgCommands(program: Command, ctx: CliContext): void {
  const org = program.command('org').description('manage organisations (ORG is an id or the unique name)');

  orgFlags
    .addTo(org.command('create').description('create an organisation'), { mode: 'create' })
    .option('--json', 'print the result as JSON')
    .action(async (options: OutputOptions, command: Command) => {
      const input = toChanges(orgFlags.given(command)) as { name: string; parent?: string; grantableRoles?: string[] };
      const created = await ctx.withRuntime(({ services }) => orgFlags.inFlagTerms(() => services.organisations.create(input, ctx.actor)));
      const { id, name, parent_id, grantable_roles } = created;
      printResult(ctx.io, options, { id, name, parent_id, grantable_roles }, (o) => `created organisation ${o.id} (${o.name})`);
    });

  org
    .command('list')
    .description('list organisations, ordered by name')
    .option('--json', 'print the result as JSON')
    .action(async (options: OutputOptions) => {
      const organisations = await ctx.withRuntime(({ services }) => services.organisations.list());
      printResult(ctx.io, options, organisations, (list) => {
        if (list.length === 0) return 'no organisations';
        const names = new Map(list.map((o) => [o.id, o.name]));
        return formatTable(['ID', 'PARENT', 'NAME'], list.map((o) => [o.id, o.parent_id ? (names.get(o.parent_id) ?? o.parent_id) : '-', o.name]));
      });
    });

  org
    .command('show')
    .description('show one organisation')
    .argument('<org>', 'organisation id or name')
    .option('--json', 'print the result as JSON')
    .action(async (ref: string, options: OutputOptions) => {
      const shown = await ctx.withRuntime(({ services }) => services.organisations.show(ref));
      printResult(ctx.io, options, shown, (o: OrganisationView) => formatFields({ ...o }));
    });

  orgFlags
    .addTo(org.command('update').description('change an organisation; only the given flags change').argument('<org>', 'organisation id or name'), { mode: 'update' })
    .option('--json', 'print the result as JSON')
    .action(async (ref: string, options: OutputOptions, command: Command) => {
      const changes = toChanges(orgFlags.given(command));
      if (Object.keys(changes).length === 0) command.error('nothing to change: give at least one flag (see --help)');
      const updated = await ctx.withRuntime(({ services }) => orgFlags.inFlagTerms(() => services.organisations.update(ref, changes, ctx.actor)));
      printResult(ctx.io, options, updated, (o) => formatFields({ ...o }));
    });
}
