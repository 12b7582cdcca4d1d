import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import bcrypt from 'bcrypt';
import { Redis } from 'ioredis';
import Provider, { type Adapter, type AdapterPayload, type Configuration } from 'oidc-provider';
import { countRedisCommands, deleteKeys, redisBytes } from './redis-footprint.js';
import { serveCommands } from './ipc.js';

/**
 * The ceiling pforte is measured against: oidc-provider as its own example sets it up,
 * with the library's example Redis adapter, two static clients and a login that checks
 * nothing (any POST signs in one fixed account and grants what was asked). What pforte
 * adds on top (accounts, passwords, audit, pages, rules) is what the ratio shows.
 */
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `bench-ceiling:${randomBytes(4).toString('hex')}:`;
const redisCounts = countRedisCommands();
const redis = new Redis(REDIS_URL, { keyPrefix: prefix });

const grantable = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);
const consumable = new Set(['AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

/** oidc-provider's example Redis adapter (example/adapters/redis.js), typed. */
class RedisAdapter implements Adapter {
  constructor(private readonly name: string) {}
  private key(id: string) { return `${this.name}:${id}`; }
  async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
    const key = this.key(id);
    const multi = redis.multi();
    if (consumable.has(this.name)) multi.hset(key, { payload: JSON.stringify(payload) });
    else multi.set(key, JSON.stringify(payload));
    if (expiresIn) multi.expire(key, expiresIn);
    if (grantable.has(this.name) && payload.grantId) {
      const grantKey = `grant:${payload.grantId}`;
      multi.rpush(grantKey, key);
      const ttl = await redis.ttl(grantKey);
      if (expiresIn > ttl) multi.expire(grantKey, expiresIn);
    }
    if (payload.userCode) multi.set(`userCode:${payload.userCode}`, id, 'EX', expiresIn);
    if (payload.uid) multi.set(`uid:${payload.uid}`, id, 'EX', expiresIn);
    await multi.exec();
  }
  async find(id: string) {
    if (consumable.has(this.name)) {
      const { payload, ...rest } = await redis.hgetall(this.key(id));
      return payload ? { ...rest, ...JSON.parse(payload) } : undefined;
    }
    const data = await redis.get(this.key(id));
    return data ? JSON.parse(data) : undefined;
  }
  async findByUid(uid: string) { const id = await redis.get(`uid:${uid}`); return id ? this.find(id) : undefined; }
  async findByUserCode(code: string) { const id = await redis.get(`userCode:${code}`); return id ? this.find(id) : undefined; }
  async consume(id: string) { await redis.hset(this.key(id), 'consumed', Math.floor(Date.now() / 1000)); }
  async destroy(id: string) { await redis.del(this.key(id)); }
  async revokeByGrantId(grantId: string) {
    const multi = redis.multi();
    for (const token of await redis.lrange(`grant:${grantId}`, 0, -1)) multi.del(token);
    multi.del(`grant:${grantId}`);
    await multi.exec();
  }
}

const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
const jwk = (alg: 'RS256' | 'ES256') => ({
  ...(alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' })).privateKey.export({ format: 'jwk' }),
  alg, use: 'sig', kid: randomBytes(8).toString('hex'),
});
const web = { id: 'ceiling-web', secret: randomBytes(32).toString('base64url') };
const machine = { id: 'ceiling-machine', secret: randomBytes(32).toString('base64url') };
const configuration: Configuration = {
  adapter: RedisAdapter as unknown as Configuration['adapter'],
  // pforte signs with an RS256 and an ES256 key; so does the ceiling (same JWKS size).
  jwks: { keys: [jwk('RS256'), jwk('ES256')] as never },
  clients: [
    { client_id: web.id, client_secret: web.secret, redirect_uris: ['https://rp.example/cb'], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], scope: 'openid email' },
    { client_id: machine.id, client_secret: machine.secret, redirect_uris: [], grant_types: ['client_credentials'], response_types: [] },
  ],
  cookies: { keys: [randomBytes(32).toString('hex')] },
  renderError: (ctx, out) => { ctx.type = 'text'; ctx.body = `${out.error}: ${out.error_description ?? ''}`; },
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  features: { devInteractions: { enabled: false }, clientCredentials: { enabled: true }, revocation: { enabled: true }, introspection: { enabled: true }, userinfo: { enabled: true } },
  findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, email: 'bench@example.com', email_verified: true }) }),
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('openid'),
  rotateRefreshToken: true,
  ttl: { AccessToken: 3600, AuthorizationCode: 60, ClientCredentials: 600, IdToken: 3600, Interaction: 3600, Grant: 14 * 86400, RefreshToken: 14 * 86400, Session: 14 * 86400 },
};
const provider = new Provider(base, configuration);
const callback = provider.callback();

/** The no-check login: any POST to an interaction signs in `bench-user` and grants the request. */
async function interaction(req: IncomingMessage, res: ServerResponse) {
  for await (const _ of req) { /* the form is not read */ }
  const details = await provider.interactionDetails(req, res);
  if (req.method !== 'POST') {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<form method="post"><button>Sign in</button></form>');
    return;
  }
  const accountId = 'bench-user';
  const grant = new provider.Grant({ accountId, clientId: details.params.client_id as string });
  grant.addOIDCScope(String(details.params.scope));
  await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: false });
}
server.on('request', (req, res) => {
  if (req.url?.startsWith('/interaction/')) interaction(req, res).catch(() => res.writeHead(500).end());
  else callback(req, res);
});

const hashes = new Map<number, Promise<string>>();
serveCommands({
  setup: () => ({ base, web, machine }),
  counters: () => ({ pgStatements: 0, redisCommands: redisCounts.commands(), redisWrites: redisCounts.writes() }),
  redisBytes: () => redisBytes(REDIS_URL, prefix),
  /** Raw bcrypt verifications at `cost` for `ms` with `concurrency` at once: the limit of a password login. */
  async bcrypt({ cost, concurrency, ms }: { cost: number; concurrency: number; ms: number }) {
    if (!hashes.has(cost)) hashes.set(cost, bcrypt.hash('Bench-Passw0rd!', cost));
    const hash = await hashes.get(cost)!;
    const until = performance.now() + ms;
    let ops = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        await bcrypt.compare('Bench-Passw0rd!', hash);
        ops += 1;
      }
    }));
    return ops;
  },
  async stop() {
    server.closeAllConnections();
    server.close();
    redis.disconnect();
    await deleteKeys(REDIS_URL, prefix);
  },
});
process.send!({ id: 0, result: 'ready' });
