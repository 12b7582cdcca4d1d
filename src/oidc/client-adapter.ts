import type { Adapter, AdapterPayload } from 'oidc-provider';

export type ClientMetadataSource = (clientId: string) => Promise<Record<string, unknown> | undefined>;

/** Where the provider's registration endpoint (RFC 7591/7592) writes the clients it manages. */
export interface RegisteredClientStore {
  upsert(clientId: string, metadata: Record<string, unknown>): Promise<void>;
  destroy(clientId: string): Promise<void>;
}

/**
 * The provider's Client model reads Postgres on every lookup (the provider caches the
 * validated client by content hash), so a client created with the CLI works at once on
 * every running process. Only dynamic registration writes through the provider; without
 * a store, clients are administered through the CLI and admin API only.
 */
export function createClientAdapter(load: ClientMetadataSource, store?: RegisteredClientStore): Adapter {
  const readOnly = async (): Promise<never> => {
    throw new Error('clients are managed through pforte, not the provider');
  };
  return {
    find: async (id) => (await load(id)) as AdapterPayload | undefined,
    upsert: store ? (id, payload) => store.upsert(id, payload as Record<string, unknown>) : readOnly,
    destroy: store ? (id) => store.destroy(id) : readOnly,
    consume: readOnly,
    findByUid: readOnly,
    findByUserCode: readOnly,
    revokeByGrantId: readOnly,
  };
}
