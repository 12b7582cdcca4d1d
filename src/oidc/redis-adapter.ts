import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { AccountIndex } from '../store/redis/account-index.js';
import type { RedisClient } from '../store/redis/connect.js';
import { ADD_INDEX_MEMBER_LUA, addToIndex, defineScript, INDEX_MEMBERS_LUA, sendTogether, type Write } from '../store/redis/script.js';
import type { CodeClaims } from './code-claims.js';

/** Upper bound for any artifact the provider stores without its own lifetime. */
const FALLBACK_TTL_SECONDS = 14 * 24 * 3600;

/*
 * An artifact is a string (its JSON payload) with a TTL; consuming it sets a marker key
 * beside it (same hash tag, same remaining lifetime). A string costs Redis about 130
 * bytes less than a one-field hash, whose payload is too long for the compact encoding.
 * Artifacts stored as hashes {payload, consumed?} by earlier versions are still read and
 * consumed until they expire (at most the longest TTL, 14 days); saving replaces them.
 */

/**
 * Stores an artifact, clearing a consumed marker, in one round trip; given the grant's
 * revocation marker (a Grant's own, same hash tag) only while that is absent. Returns 1
 * when stored.
 */
const saveArtifact = defineScript(`
if KEYS[3] and redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('DEL', KEYS[2])
return 1
`);

/**
 * Where one server holds every key (a single node, Sentinel): what a Cluster needs two
 * steps for (`addToIndex` on the grant's shard, then `saveArtifact`) as one script. KEYS:
 * the grant's index and revocation marker, the artifact and its consumed marker; ARGV:
 * index member, TTL, payload. Returns 1 when stored, 0 under a revoked grant.
 */
const saveUnderGrant = defineScript(`${ADD_INDEX_MEMBER_LUA}
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
addIndexMember(KEYS[1], ARGV[1], ARGV[2])
redis.call('SET', KEYS[3], ARGV[3], 'EX', ARGV[2])
redis.call('DEL', KEYS[4])
return 1
`);

/** An artifact's payload and consumed time (false when not consumed), or false when missing. */
const findArtifact = defineScript(`
local kind = redis.call('TYPE', KEYS[1])
if type(kind) == 'table' then kind = kind.ok end
if kind == 'string' then return { redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2]) } end
if kind == 'hash' then return { redis.call('HGET', KEYS[1], 'payload'), redis.call('HGET', KEYS[1], 'consumed') } end
return false
`);

/**
 * Atomically marks an artifact consumed: of many parallel redemptions exactly one sees 1.
 * Returns 0 for a missing key, 0 when it was consumed already, 1 when this call consumed it.
 */
const consumeArtifact = defineScript(`
local kind = redis.call('TYPE', KEYS[1])
if type(kind) == 'table' then kind = kind.ok end
if kind == 'hash' then return redis.call('HSETNX', KEYS[1], 'consumed', ARGV[1]) end
if kind ~= 'string' then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl <= 0 then ttl = tonumber(ARGV[2]) * 1000 end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ttl) then return 1 end
return 0
`);

/** Marks a grant revoked and takes its index and the Grant itself (all under the grant's hash tag); returns what was issued under it. */
const takeRevokedGrant = defineScript(`${INDEX_MEMBERS_LUA}
redis.call('SET', KEYS[1], '1', 'EX', ARGV[1])
local issued = indexMembers(KEYS[2])
redis.call('DEL', KEYS[2], KEYS[3])
return issued
`);

const keys = {
  model: (name: string, id: string) => `pforte:oidc:${name}:{${id}}`,
  consumed: (name: string, id: string) => `pforte:oidc:${name}:{${id}}:consumed`,
  grant: (grantId: string) => `pforte:oidc:grant:{${grantId}}`,
  revoked: (grantId: string) => `pforte:oidc:grant-revoked:{${grantId}}`,
  uid: (uid: string) => `pforte:oidc:uid:{${uid}}`,
  userCode: (code: string) => `pforte:oidc:user_code:{${code}}`,
};

/**
 * A grant's index names each artifact as `Model:id`, short enough (at most 64 bytes) for
 * the compact encoding; earlier versions stored the artifact's whole key.
 */
const issuedMember = (name: string, id: string) => `${name}:${id}`;
const keyOfIssued = (member: string) => {
  if (member.includes(':{')) return member;
  const at = member.indexOf(':');
  return keys.model(member.slice(0, at), member.slice(at + 1));
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
 * tokens, grants...). Each artifact is a string with a TTL (see above);
 * a per-grant set indexes what was issued under a grant so revoking it removes all.
 * Each step is one script or command, and a save is one round trip (its writes pipelined)
 * where one server holds all keys. On Redis Cluster every script touches only keys under
 * one hash tag (an artifact's own, or its grant's), and a save under a grant is two.
 */
export function createRedisAdapterClass(redis: RedisClient, accountIndex?: AccountIndex, codeClaims?: CodeClaims) {
  return class RedisAdapter implements Adapter {
    /** Codes carry the account's claims from /auth to /token (code-claims.ts). */
    private readonly carriesClaims: CodeClaims | undefined;
    constructor(private readonly name: string) {
      this.carriesClaims = name === 'AuthorizationCode' ? codeClaims : undefined;
    }

    async upsert(id: string, given: AdapterPayload, expiresIn: number): Promise<void> {
      const payload = this.carriesClaims?.attach(given) ?? given;
      const ttl = expiresIn > 0 ? Math.ceil(expiresIn) : FALLBACK_TTL_SECONDS;
      const key = keys.model(this.name, id);
      const isGrant = this.name === 'Grant';
      const artifactKeys = [key, keys.consumed(this.name, id), ...(isGrant ? [keys.revoked(id)] : [])];
      const json = JSON.stringify(payload);
      const others: Write[] = [];
      if (payload.uid) others.push({ set: [keys.uid(payload.uid), id, ttl] });
      if (accountIndex && payload.accountId && (this.name === 'Session' || isGrant)) {
        others.push(accountIndex.addition(this.name, payload.accountId, id, ttl));
      }
      if (payload.userCode) others.push({ set: [keys.userCode(payload.userCode), id, ttl] });
      // Nothing more is stored under a revoked grant (a race winner's tokens included): the
      // marker check and the index entry are one step on the grant's shard, before the save.
      const grantId = ISSUED_UNDER_GRANT.has(this.name) ? payload.grantId : undefined;
      if (grantId) {
        const indexKeys = [keys.grant(grantId), keys.revoked(grantId)];
        const member = issuedMember(this.name, id);
        if (!redis.isCluster) {
          if ((await saveUnderGrant(redis, [...indexKeys, ...artifactKeys], [member, ttl, json])) !== 1) return;
          await sendTogether(redis, others);
          return;
        }
        if ((await addToIndex(redis, indexKeys, [member, ttl])) !== 1) return;
      }
      // The artifact, its uid key and its account's index in one round trip (sendTogether).
      await sendTogether(redis, [{ script: saveArtifact, keys: artifactKeys, args: [json, ttl] }, ...others]);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      const stored = (await findArtifact(redis, [keys.model(this.name, id), keys.consumed(this.name, id)], [])) as [string | null, string | null] | null;
      if (!stored?.[0]) return undefined;
      const parsed = JSON.parse(stored[0]) as AdapterPayload;
      const payload = this.carriesClaims?.detach(id, parsed) ?? parsed;
      return stored[1] ? { ...payload, consumed: Number(stored[1]) } : payload;
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
      const won = await consumeArtifact(redis, [keys.model(this.name, id), keys.consumed(this.name, id)], [consumedAt, FALLBACK_TTL_SECONDS]);
      if (won !== 1) {
        // A lost race is a replay: treat it as the provider treats a replay it sees, and
        // revoke the grant (codes and refresh tokens alike).
        const stored = await this.find(id);
        if (stored?.grantId) await revokeGrant(redis, stored.grantId);
        throw new errors.InvalidGrant(`${this.name} already consumed`);
      }
    }

    async destroy(id: string): Promise<void> {
      await redis.del(keys.model(this.name, id), keys.consumed(this.name, id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await revokeGrant(redis, grantId);
    }
  };
}

/**
 * Marks a grant revoked (so nothing new is stored under it), then deletes the grant and
 * every artifact issued under it. An artifact saved between the marker check and the
 * deletion by a concurrent request can survive; the marker keeps that window small.
 */
export async function revokeGrant(redis: RedisClient, grantId: string): Promise<void> {
  const issued = (await takeRevokedGrant(redis, [keys.revoked(grantId), keys.grant(grantId), keys.model('Grant', grantId)], [FALLBACK_TTL_SECONDS])) as string[];
  // Each artifact has a hash tag of its own: one DEL each (Redis Cluster).
  await Promise.all(issued.map((member) => redis.del(keyOfIssued(member))));
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
