import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    // Stored normalised (e.g. 60/123/4567), so equality is exact.
    t.text('agent_number');
  });
  await knex.raw('create unique index accounts_agent_number_unique on accounts (agent_number) where agent_number is not null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => t.dropColumn('agent_number'));
}
