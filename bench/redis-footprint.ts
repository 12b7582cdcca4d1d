import { Redis } from 'ioredis';

/**
 * What a bench server costs Redis: commands sent by every client of this process (a
 * script counts as one), the socket writes that carried them (a pipeline or MULTI is one
 * write: the round trips the process pays for), and the bytes (MEMORY USAGE) of its keys.
 */
export function countRedisCommands(): { commands: () => number; writes: () => number } {
  let sent = 0;
  let writes = 0;
  const counted = new WeakSet<object>();
  const original = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function (this: Redis, ...args: Parameters<Redis['sendCommand']>) {
    sent += 1;
    if (process.env.BENCH_TRACE_REDIS) console.error('REDIS', args[0].name, String(args[0].name === 'evalsha' ? args[0].args[2] : args[0].args[0] ?? '').replace(/[0-9a-f]{8}/, '').slice(0, 70));
    // The connection's socket (a new one after a reconnect): count each write ioredis makes.
    const stream = this.stream as (typeof this.stream & { write: (...a: unknown[]) => boolean }) | undefined;
    if (stream && !counted.has(stream)) {
      counted.add(stream);
      const write = stream.write;
      stream.write = function (this: unknown, ...a: unknown[]) { writes += 1; return write.apply(this, a as never); } as never;
    }
    return original.apply(this, args);
  } as Redis['sendCommand'];
  return { commands: () => sent, writes: () => writes };
}

/** What a key is, without its ids: `pforte:oidc:Session:{}`. */
const kindOf = (key: string, prefix: string) => key.slice(prefix.length).replace(/\{[^}]*\}/g, '{}').replace(/:ip:[^:]+:/, ':ip:*:');

/**
 * Bytes of all keys under `prefix`, and of those that outlive an authorization code (60 s),
 * also per kind of key (the long-lived ones).
 */
export async function redisBytes(url: string, prefix: string): Promise<{ all: number; longLived: number; keys: number; longLivedByKind: Record<string, number> }> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    let all = 0;
    let longLived = 0;
    let keys = 0;
    const longLivedByKind: Record<string, number> = {};
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      for (const key of batch) {
        const [bytes, pttl] = await Promise.all([redis.memory('USAGE', key, 'SAMPLES', 0), redis.pttl(key)]);
        keys += 1;
        all += Number(bytes ?? 0);
        if (pttl === -1 || pttl > 60_000) {
          longLived += Number(bytes ?? 0);
          const kind = kindOf(key, prefix);
          longLivedByKind[kind] = (longLivedByKind[kind] ?? 0) + Number(bytes ?? 0);
        }
      }
    } while (cursor !== '0');
    return { all, longLived, keys, longLivedByKind };
  } finally {
    redis.disconnect();
  }
}

/** Removes a bench server's keys when it stops (sessions and grants live for days). */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (batch.length > 0) await redis.del(...batch);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
