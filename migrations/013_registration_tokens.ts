import type { Knex } from 'knex';

// Initial and registration access tokens of dynamic client registration (RFC 7591/7592):
// durable like the clients they manage, so they live here and not in Redis.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('registration_tokens', (t) => {
    // SHA-256 of the token value: a database dump holds no usable token.
    t.text('token_hash').primary();
    t.text('kind').notNullable();
    t.text('client_id');
    // oidc-provider's token payload without the token value (jti).
    t.jsonb('payload').notNullable();
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['client_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('registration_tokens');
}
