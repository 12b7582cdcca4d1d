import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // A client's brand on the hosted pages (SPEC 4.11); at most one per client, gone with it.
  await knex.schema.createTable('client_brands', (t) => {
    t.text('client_id').primary().references('client_id').inTable('clients').onDelete('CASCADE');
    t.text('display_name');
    // '#rrggbb', checked by the branding rules before it is stored.
    t.text('primary_color');
    t.text('support_contact');
    t.text('terms_url');
    t.text('privacy_url');
    // The logo itself (PNG or checked SVG, at most 256 KiB) and its sha256: the hash is its URL.
    t.binary('logo');
    t.text('logo_type');
    t.text('logo_hash').index();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('client_brands');
}
