import type { Db } from './db.js';

export interface BrandRow {
  client_id: string;
  display_name: string | null;
  primary_color: string | null;
  support_contact: string | null;
  terms_url: string | null;
  privacy_url: string | null;
  logo: Buffer | null;
  logo_type: string | null;
  logo_hash: string | null;
  updated_at: Date;
}

export type BrandFields = Omit<BrandRow, 'client_id' | 'updated_at'>;

/** Without the logo's bytes: pages need only its hash and type. */
const TEXT_COLUMNS = ['client_id', 'display_name', 'primary_color', 'support_contact', 'terms_url', 'privacy_url', 'logo_type', 'logo_hash', 'updated_at'] as const;

export function createBrandsRepo(db: Db) {
  const table = () => db<BrandRow>('client_brands');
  return {
    async find(clientId: string): Promise<Omit<BrandRow, 'logo'> | undefined> {
      return table().select(...TEXT_COLUMNS).where({ client_id: clientId }).first();
    },
    async upsert(clientId: string, fields: Partial<BrandFields>): Promise<void> {
      await table()
        .insert({ client_id: clientId, ...fields } as never)
        .onConflict('client_id')
        .merge({ ...fields, updated_at: db.fn.now() } as never);
    },
    async findLogo(hash: string): Promise<{ logo: Buffer; logo_type: string } | undefined> {
      const row = await table().select('logo', 'logo_type').where({ logo_hash: hash }).whereNotNull('logo').first();
      return row ? { logo: row.logo!, logo_type: row.logo_type! } : undefined;
    },
  };
}

export type BrandsRepo = ReturnType<typeof createBrandsRepo>;
