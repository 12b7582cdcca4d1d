import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_events', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('type').notNullable();
    t.uuid('account_id');
    t.text('client_id');
    t.text('actor');
    t.text('ip');
    t.jsonb('detail').notNullable().defaultTo('{}');
    t.index(['account_id', 'at']);
    t.index(['type', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_events');
}
