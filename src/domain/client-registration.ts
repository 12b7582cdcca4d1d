import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '../errors/index.js';
import type { RegistrationTokensRepo } from '../store/pg/registration-tokens-repo.js';
import type { AuditActor, AuditLog } from './audit.js';

/**
 * The registration policy every initial access token carries: the provider runs it on
 * each dynamic registration and update (pforte's client rules, single use of the token).
 */
export const REGISTRATION_POLICY = 'pforte-client-rules';
export const INITIAL_ACCESS_TOKEN = 'InitialAccessToken';

const ttlHours = z.coerce.number().int('not_a_whole_number').min(1, 'too_small').max(24 * 365, 'too_large').default(24);

/**
 * Initial access tokens (RFC 7591 3.1), stored the way oidc-provider's model reads them:
 * an administrator hands one to a relying party, which registers one client with it.
 */
export function createInitialAccessTokens({ repo, audit, clock }: { repo: RegistrationTokensRepo; audit: AuditLog; clock: () => Date }) {
  return {
    async create({ ttlHours: requested }: { ttlHours?: number | string } = {}, actor?: AuditActor): Promise<{ token: string; expires_at: Date }> {
      const parsed = ttlHours.safeParse(requested);
      if (!parsed.success) throw new ValidationError({ ttl_hours: parsed.error.issues[0]!.message });
      const token = randomBytes(32).toString('base64url');
      const iat = Math.floor(clock().getTime() / 1000);
      const exp = iat + parsed.data * 3600;
      const expiresAt = new Date(exp * 1000);
      await repo.save(token, { kind: INITIAL_ACCESS_TOKEN, payload: { iat, exp, kind: INITIAL_ACCESS_TOKEN, policies: [REGISTRATION_POLICY] }, expiresAt });
      await audit.record('client.initial_token_created', { actor: actor ?? null, detail: { expires_at: expiresAt.toISOString() } });
      return { token, expires_at: expiresAt };
    },
    /** Uses the token up; true only for the one registration that did. */
    consume: (token: string): Promise<boolean> => repo.take(token, INITIAL_ACCESS_TOKEN),
  };
}

export type InitialAccessTokens = ReturnType<typeof createInitialAccessTokens>;
