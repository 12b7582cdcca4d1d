import type { Adapter, AdapterPayload } from 'oidc-provider';

export type ClientMetadataSource = (clientId: string) => Promise<Record<string, unknown> | undefined>;

/**
 * The provider's Client model reads Postgres on every lookup (the provider caches the
 * validated client by content hash), so a client created with the CLI works at once on
 * every running process. Clients are administered through the CLI and admin API only.
 */
export function createClientAdapter(load: ClientMetadataSource): Adapter {
  const readOnly = async (): Promise<never> => {
    throw new Error('clients are managed through pforte, not the provider');
  };
  return {
    find: async (id) => (await load(id)) as AdapterPayload | undefined,
    upsert: readOnly,
    destroy: readOnly,
    consume: readOnly,
    findByUid: readOnly,
    findByUserCode: readOnly,
    revokeByGrantId: readOnly,
  };
}
