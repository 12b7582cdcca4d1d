import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Who acted, queryably (ARCHITECTURE-REVIEW P3): kind (admin, user_manager, self, system) and id.
  // The free-text `actor` column stays for older rows and readable listings.
  await knex.schema.alterTable('audit_events', (t) => {
    t.text('actor_kind');
    t.text('actor_id');
    t.index(['actor_id', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audit_events', (t) => {
    t.dropIndex(['actor_id', 'at']);
    t.dropColumn('actor_kind');
    t.dropColumn('actor_id');
  });
}
