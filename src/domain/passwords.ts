import { availableParallelism } from 'node:os';
import bcrypt from 'bcrypt';

/** bcrypt silently ignores everything after 72 bytes; longer passwords are refused instead. */
export const BCRYPT_MAX_BYTES = 72;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Compares; with no hash (unknown account) it still spends one bcrypt comparison. */
  verify(password: string, hash: string | null | undefined): Promise<boolean>;
}

/**
 * bcrypt runs on libuv's threadpool (4 threads unless UV_THREADPOOL_SIZE says otherwise),
 * which file, DNS and crypto work share. At most one bcrypt per core and never the whole
 * pool: a flood of password posts then queues here, in order, instead of starving
 * everything else that needs the pool.
 */
export function defaultBcryptConcurrency(): number {
  const pool = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  return Math.max(1, Math.min(availableParallelism(), pool - 1));
}

/** A first-in first-out gate letting at most `size` tasks run at once. */
export function createGate(size: number) {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (running >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    else running += 1;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next in line, so nobody can overtake the queue.
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}

export function createPasswordHasher({ cost, concurrency = defaultBcryptConcurrency() }: { cost: number; concurrency?: number }): PasswordHasher {
  const gate = createGate(concurrency);
  // A real hash of a random value at the configured cost, so an unknown account costs
  // exactly what a wrong password costs.
  const dummyHash = bcrypt.hash(crypto.randomUUID(), cost);
  return {
    async hash(password) {
      if (Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES) throw new RangeError('password longer than 72 bytes');
      return gate(() => bcrypt.hash(password, cost));
    },
    async verify(password, hash) {
      const tooLong = Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES;
      const against = hash ?? (await dummyHash);
      const matches = await gate(() => bcrypt.compare(tooLong ? '' : password, against));
      return matches && Boolean(hash) && !tooLong;
    },
  };
}
