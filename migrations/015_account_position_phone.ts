import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // What a user manager records about a member (SPEC 5: "Position", "Phone"); both optional.
  await knex.schema.alterTable('accounts', (t) => {
    t.text('position');
    t.text('phone');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('position');
    t.dropColumn('phone');
  });
}
