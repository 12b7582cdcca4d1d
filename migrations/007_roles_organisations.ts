import type { Knex } from 'knex';

/**
 * Organisations (with parents, for holding structures), the role catalogue, the roles an
 * organisation may grant, and each account's organisation and roles (SPEC 5).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('roles', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    t.text('description');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create unique index roles_name_lower_unique on roles (lower(name))');

  await knex.schema.createTable('organisations', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    t.uuid('parent_id').references('id').inTable('organisations');
    t.timestamps(true, true);
    t.index(['parent_id']);
  });
  await knex.raw('create unique index organisations_name_lower_unique on organisations (lower(name))');
  // Longer cycles are refused by the organisation service; this one costs nothing here.
  await knex.raw('alter table organisations add constraint organisations_not_own_parent check (parent_id <> id)');

  await knex.schema.createTable('organisation_roles', (t) => {
    t.uuid('organisation_id').notNullable().references('id').inTable('organisations').onDelete('CASCADE');
    t.uuid('role_id').notNullable().references('id').inTable('roles').onDelete('CASCADE');
    t.primary(['organisation_id', 'role_id']);
    t.index(['role_id']);
  });

  await knex.schema.alterTable('accounts', (t) => {
    t.uuid('organisation_id').references('id').inTable('organisations');
    t.index(['organisation_id']);
  });

  await knex.schema.createTable('account_roles', (t) => {
    t.uuid('account_id').notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.uuid('role_id').notNullable().references('id').inTable('roles').onDelete('CASCADE');
    t.primary(['account_id', 'role_id']);
    t.index(['role_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('account_roles');
  await knex.schema.alterTable('accounts', (t) => t.dropColumn('organisation_id'));
  await knex.schema.dropTable('organisation_roles');
  await knex.schema.dropTable('organisations');
  await knex.schema.dropTable('roles');
}
