import type { Knex } from 'knex';

// Every client stored so far was registered through the CLI, i.e. by an administrator:
// mark them so back-channel logout may reach the internal hosts an operator allows.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`update clients set metadata = metadata || '{"registered_by_admin": true}'::jsonb`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`update clients set metadata = metadata - 'registered_by_admin'`);
}
