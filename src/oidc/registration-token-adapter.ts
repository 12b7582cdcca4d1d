import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { RegistrationTokensRepo } from '../store/pg/registration-tokens-repo.js';

/** The models of dynamic client registration, kept in Postgres as long as their client. */
export const POSTGRES_TOKEN_MODELS = new Set(['InitialAccessToken', 'RegistrationAccessToken']);

/**
 * oidc-provider adapter for initial and registration access tokens: durable (no fallback
 * TTL; an initial access token expires at its own `exp`, a registration access token lives
 * until rotated or its client is deleted). The token value is the model id; only its hash
 * is stored.
 */
export function createRegistrationTokenAdapter(repo: RegistrationTokensRepo, name: string): Adapter {
  const none = async () => undefined;
  return {
    async upsert(id, payload) {
      const { jti: _value, ...stored } = payload;
      await repo.save(id, {
        kind: name,
        clientId: typeof payload.clientId === 'string' ? payload.clientId : undefined,
        payload: stored,
        expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : undefined,
      });
    },
    async find(id) {
      const payload = await repo.find(id, name);
      return payload ? ({ ...payload, jti: id } as AdapterPayload) : undefined;
    },
    async destroy(id) {
      await repo.take(id, name);
    },
    async consume(id) {
      await repo.take(id, name);
    },
    findByUid: none,
    findByUserCode: none,
    revokeByGrantId: none,
  };
}
