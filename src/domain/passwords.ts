import { availableParallelism } from 'node:os';
import bcrypt from 'bcrypt';

/** bcrypt silently ignores everything after 72 bytes; longer passwords are refused instead. */
export const BCRYPT_MAX_BYTES = 72;

export interface VerifyOptions {
  /** Who is asking (client IP, account): a request whose IP or account already has one in line waits behind fresh ones. */
  queueKeys?: readonly string[];
  /** Asked when the turn has come, right before hashing: true refuses without spending bcrypt (a lock). */
  isRefused?: () => Promise<boolean>;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Compares; with no hash (unknown account) it still spends one bcrypt comparison. */
  verify(password: string, hash: string | null | undefined, options?: VerifyOptions): Promise<boolean>;
}

/**
 * bcrypt runs on libuv's threadpool (4 threads unless UV_THREADPOOL_SIZE says otherwise),
 * which file, DNS and crypto work share. At most one bcrypt per core and never the whole
 * pool: a flood of password posts then waits here, in fair lines, instead of starving
 * everything else that needs the pool.
 */
export function defaultBcryptConcurrency(): number {
  const pool = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  return Math.max(1, Math.min(availableParallelism(), pool - 1));
}

/**
 * Lets at most `size` tasks run at once. Waiting tasks go in two lines: "fresh" (none of
 * its keys has another task waiting or running) before "crowded". A flood from one IP, or
 * at one account from many IPs, crowds only itself, so a person signing in meanwhile
 * waits for at most the hashes already running. Within a line: first come, first served.
 */
export function createFairGate(size: number) {
  let running = 0;
  const fresh: Array<() => void> = [];
  const crowded: Array<() => void> = [];
  const inLine = new Map<string, number>();
  const count = (keys: readonly string[], delta: number) => {
    for (const key of keys) {
      const n = (inLine.get(key) ?? 0) + delta;
      if (n > 0) inLine.set(key, n);
      else inLine.delete(key);
    }
  };
  return async function run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    const isCrowded = keys.some((key) => inLine.has(key));
    count(keys, 1);
    try {
      if (running >= size) await new Promise<void>((resolve) => (isCrowded ? crowded : fresh).push(resolve));
      else running += 1;
      try {
        return await task();
      } finally {
        // Hand the slot straight to the next in line, so nobody overtakes the lines.
        const next = fresh.shift() ?? crowded.shift();
        if (next) next();
        else running -= 1;
      }
    } finally {
      count(keys, -1);
    }
  };
}

export function createPasswordHasher({ cost, concurrency = defaultBcryptConcurrency() }: { cost: number; concurrency?: number }): PasswordHasher {
  const gate = createFairGate(concurrency);
  // A real hash of a random value at the configured cost, so an unknown account costs
  // exactly what a wrong password costs.
  const dummyHash = bcrypt.hash(crypto.randomUUID(), cost);
  return {
    async hash(password) {
      if (Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES) throw new RangeError('password longer than 72 bytes');
      return gate([], () => bcrypt.hash(password, cost));
    },
    async verify(password, hash, { queueKeys = [], isRefused } = {}) {
      const tooLong = Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES;
      const against = hash ?? (await dummyHash);
      return gate(queueKeys, async () => {
        if (await isRefused?.()) return false;
        const matches = await bcrypt.compare(tooLong ? '' : password, against);
        return matches && Boolean(hash) && !tooLong;
      });
    },
  };
}
