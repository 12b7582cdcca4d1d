import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('clients', (t) => {
    t.text('client_id').primary();
    t.text('name').notNullable();
    // oidc-provider client metadata (including pforte's extra properties), minus the secret.
    t.jsonb('metadata').notNullable();
    // AES-GCM ciphertext of the client secret; null for public clients.
    t.text('secret_encrypted');
    t.timestamps(true, true);
  });
  await knex.raw('create unique index clients_name_unique on clients (lower(name))');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('clients');
}
