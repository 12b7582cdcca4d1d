import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    // An initial password (sent by letter, SPEC 4.6) must be changed at first sign-in and expires.
    t.boolean('must_change_password').notNullable().defaultTo(false);
    t.timestamp('password_expires_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('must_change_password');
    t.dropColumn('password_expires_at');
  });
}
