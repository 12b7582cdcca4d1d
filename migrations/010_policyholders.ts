import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Policyholders imported by administrators (SPEC 4.5); self-registration matches against them.
  await knex.schema.createTable('policyholders', (t) => {
    t.text('policy_number').primary();
    t.date('birth_date').notNullable();
    t.text('name').notNullable();
    t.text('email');
    // One account per policy number: set once registration is confirmed.
    t.uuid('account_id').unique().references('id').inTable('accounts').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('policyholders');
}
