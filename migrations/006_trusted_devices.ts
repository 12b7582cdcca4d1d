import type { Knex } from 'knex';

/** Remembered devices (SPEC 4.4): only a keyed hash of the cookie token is stored. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('trusted_devices', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('account_id').notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.text('token_hash').notNullable().unique();
    t.text('browser_family');
    t.text('browser_major');
    t.text('os_family');
    t.text('summary');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_used_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('revoked_at', { useTz: true });
    t.index(['account_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('trusted_devices');
}
