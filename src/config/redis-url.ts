/** The three forms of REDIS_URL (SPEC 8), read once here: config validates with it, the store connects with it. */
export type RedisTarget =
  | { kind: 'node' }
  | { kind: 'cluster' | 'sentinel'; nodes: Array<{ host: string; port: number }>; masterName?: string; username?: string; password?: string; tls: boolean };

/** Reads the three REDIS_URL forms; throws with a message naming what is wrong (never the password). */
export function parseRedisUrl(redisUrl: string): RedisTarget {
  const scheme = /^([a-z+]+):\/\//i.exec(redisUrl)?.[1]?.toLowerCase();
  if (scheme === 'redis' || scheme === 'rediss') return { kind: 'node' };
  const kind = scheme === 'redis+cluster' || scheme === 'rediss+cluster' ? 'cluster' : scheme === 'redis+sentinel' || scheme === 'rediss+sentinel' ? 'sentinel' : undefined;
  if (!kind) throw new Error('REDIS_URL must start with redis://, rediss://, redis+cluster:// or redis+sentinel://');
  // The host list has commas, which URL() does not take: split it off by hand.
  const rest = redisUrl.slice(scheme!.length + 3);
  const at = rest.lastIndexOf('@', rest.indexOf('/') === -1 ? rest.length : rest.indexOf('/'));
  const userInfo = at === -1 ? '' : rest.slice(0, at);
  const afterUser = at === -1 ? rest : rest.slice(at + 1);
  const slash = afterUser.indexOf('/');
  const hostList = slash === -1 ? afterUser : afterUser.slice(0, slash);
  const path = slash === -1 ? '' : afterUser.slice(slash + 1);
  const nodes = hostList.split(',').filter(Boolean).map((entry) => {
    const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(entry);
    if (!match) throw new Error(`REDIS_URL: "${entry}" is not host:port`);
    return { host: match[1]!.replace(/^\[|\]$/g, ''), port: Number(match[2] ?? (kind === 'sentinel' ? 26379 : 6379)) };
  });
  if (nodes.length === 0) throw new Error('REDIS_URL names no host');
  const [username, password] = userInfo ? userInfo.split(':').map(decodeURIComponent) : [];
  const masterName = kind === 'sentinel' ? decodeURIComponent(path.replace(/\/$/, '')) : undefined;
  if (kind === 'sentinel' && !masterName) throw new Error('REDIS_URL: a Sentinel URL ends in /mastername');
  return { kind, nodes, masterName, username: username || undefined, password: password || undefined, tls: scheme!.startsWith('rediss') };
}
