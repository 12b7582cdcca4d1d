import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // The hard stop of the lockout (SPEC 4.8) outlives Redis: set when the account-wide run of
  // failures reaches LOCKOUT_HARD_LIMIT, cleared only by unlock or a password reset.
  await knex.schema.alterTable('accounts', (t) => {
    t.timestamp('hard_locked_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('hard_locked_at');
  });
}
