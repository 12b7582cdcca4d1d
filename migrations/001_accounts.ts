import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('accounts', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('email').notNullable();
    t.text('password_hash');
    t.text('name');
    t.text('status').notNullable().defaultTo('active');
    t.boolean('email_verified').notNullable().defaultTo(false);
    t.timestamp('password_changed_at', { useTz: true });
    t.timestamps(true, true);
  });
  // Case-insensitive uniqueness without citext (PGlite does not load it by default).
  await knex.raw('create unique index accounts_email_lower_unique on accounts (lower(email))');
  await knex.raw("alter table accounts add constraint accounts_status_check check (status in ('active', 'blocked', 'pending'))");
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('accounts');
}
