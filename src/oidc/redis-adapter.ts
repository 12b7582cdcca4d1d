import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { AccountIndex } from '../store/redis/account-index.js';
import type { RedisClient } from '../store/redis/connect.js';

/** Upper bound for any artifact the provider stores without its own lifetime. */
const FALLBACK_TTL_SECONDS = 14 * 24 * 3600;

/**
 * Atomically marks an artifact consumed: of many parallel redemptions exactly one sees 1.
 * Returns 0 for a missing key, 0 when it was consumed already, 1 when this call consumed it.
 */
const CONSUME_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], 'consumed', ARGV[1])
`;

const keys = {
  model: (name: string, id: string) => `pforte:oidc:${name}:{${id}}`,
  grant: (grantId: string) => `pforte:oidc:grant:{${grantId}}`,
  revoked: (grantId: string) => `pforte:oidc:grant-revoked:{${grantId}}`,
  uid: (uid: string) => `pforte:oidc:uid:{${uid}}`,
  userCode: (code: string) => `pforte:oidc:user_code:{${code}}`,
};

/**
 * The models issued under a grant (as in oidc-provider's own memory adapter). An
 * Interaction also carries a grantId, but only as a reference to the session's grant:
 * revoking the old account's grant when a browser switches accounts must not delete the
 * pending sign-in of the new one, nor may a revoked reference keep a sign-in from saving.
 */
const ISSUED_UNDER_GRANT = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode']);

/**
 * oidc-provider adapter for every short-lived model (sessions, interactions, codes,
 * tokens, grants...). Each artifact is a Redis hash {payload, consumed?} with a TTL;
 * a per-grant set indexes what was issued under a grant so revoking it removes all.
 * Keys of one artifact carry their own hash tag, and no command spans two keys, so the
 * adapter works on Redis Cluster.
 */
export function createRedisAdapterClass(redis: RedisClient, accountIndex?: AccountIndex) {
  return class RedisAdapter implements Adapter {
    constructor(private readonly name: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const ttl = expiresIn > 0 ? Math.ceil(expiresIn) : FALLBACK_TTL_SECONDS;
      // Nothing more is stored under a revoked grant (a race winner's tokens included).
      const grantId = this.name === 'Grant' ? id : ISSUED_UNDER_GRANT.has(this.name) ? payload.grantId : undefined;
      if (grantId && (await redis.exists(keys.revoked(grantId)))) return;
      const key = keys.model(this.name, id);
      await redis.multi().del(key).hset(key, 'payload', JSON.stringify(payload)).expire(key, ttl).exec();
      const writes: Promise<unknown>[] = [];
      if (grantId && this.name !== 'Grant') writes.push(indexUnderGrant(redis, grantId, key, ttl));
      if (payload.uid) writes.push(redis.set(keys.uid(payload.uid), id, 'EX', ttl));
      if (accountIndex && payload.accountId && (this.name === 'Session' || this.name === 'Grant')) {
        writes.push(accountIndex.add(this.name, payload.accountId, id, ttl));
      }
      if (payload.userCode) writes.push(redis.set(keys.userCode(payload.userCode), id, 'EX', ttl));
      await Promise.all(writes);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      const stored = await redis.hgetall(keys.model(this.name, id));
      if (!stored.payload) return undefined;
      const payload = JSON.parse(stored.payload) as AdapterPayload;
      return stored.consumed ? { ...payload, consumed: Number(stored.consumed) } : payload;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const id = await redis.get(keys.uid(uid));
      return id ? this.find(id) : undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const id = await redis.get(keys.userCode(userCode));
      return id ? this.find(id) : undefined;
    }

    async consume(id: string): Promise<void> {
      const consumedAt = Math.floor(Date.now() / 1000);
      const won = await redis.eval(CONSUME_SCRIPT, 1, keys.model(this.name, id), consumedAt);
      if (won !== 1) {
        // A lost race is a replay: treat it as the provider treats a replay it sees, and
        // revoke the grant (codes and refresh tokens alike).
        const stored = await this.find(id);
        if (stored?.grantId) await revokeGrant(redis, stored.grantId);
        throw new errors.InvalidGrant(`${this.name} already consumed`);
      }
    }

    async destroy(id: string): Promise<void> {
      await redis.del(keys.model(this.name, id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await revokeGrant(redis, grantId);
    }
  };
}

async function indexUnderGrant(redis: RedisClient, grantId: string, key: string, ttl: number): Promise<void> {
  const grantKey = keys.grant(grantId);
  await redis.sadd(grantKey, key);
  // The index lives as long as the longest-lived artifact under it.
  if ((await redis.ttl(grantKey)) < ttl) await redis.expire(grantKey, ttl);
}

/**
 * Marks a grant revoked (so nothing new is stored under it), then deletes the grant and
 * every artifact issued under it. An artifact saved between the marker check and the
 * deletion by a concurrent request can survive; the marker keeps that window small.
 */
export async function revokeGrant(redis: RedisClient, grantId: string): Promise<void> {
  await redis.set(keys.revoked(grantId), '1', 'EX', FALLBACK_TTL_SECONDS);
  const grantKey = keys.grant(grantId);
  const members = await redis.smembers(grantKey);
  await Promise.all([...members, grantKey, keys.model('Grant', grantId)].map((key) => redis.del(key)));
}

/**
 * Ends an account's sessions (but `keepSessionId`) and revokes all its grants, and so
 * every code, access and refresh token issued under them, wherever they were issued.
 */
export async function endAccountSessions(redis: RedisClient, accountIndex: AccountIndex, accountId: string, { keepSessionId, keepTtlSeconds = FALLBACK_TTL_SECONDS }: { keepSessionId?: string; keepTtlSeconds?: number } = {}): Promise<{ sessions: number; grants: number }> {
  const { sessionIds, grantIds } = await accountIndex.take(accountId);
  const ended = sessionIds.filter((id) => id !== keepSessionId);
  if (keepSessionId && sessionIds.includes(keepSessionId)) await accountIndex.keep(accountId, keepSessionId, keepTtlSeconds);
  await Promise.all([...ended.map((id) => redis.del(keys.model('Session', id))), ...grantIds.map((grantId) => revokeGrant(redis, grantId))]);
  return { sessions: ended.length, grants: grantIds.length };
}
