/**
 * A per-process cache of values that may be a little stale, for at most `ttlMs`: what
 * another process changes is seen here once the entry is older than that. A miss that
 * finds nothing is not cached (a value created elsewhere is found at once), and
 * concurrent misses for one key share one load.
 */
export function createTtlCache<T>({ ttlMs, now }: { ttlMs: number; now: () => number }) {
  const entries = new Map<string, { value: Promise<T | undefined>; expiresAtMs: number }>();
  return {
    async get(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
      const entry = entries.get(key);
      if (entry && entry.expiresAtMs > now()) return entry.value;
      if (ttlMs <= 0) return load();
      const value = load();
      entries.set(key, { value, expiresAtMs: now() + ttlMs });
      // A failed or empty load leaves no entry behind.
      value.then((found) => { if (found === undefined && entries.get(key)?.value === value) entries.delete(key); }, () => { if (entries.get(key)?.value === value) entries.delete(key); });
      return value;
    },
    /** Forgets a key this process changed, so its own change is in force at once. */
    delete(key: string): void {
      entries.delete(key);
    },
  };
}
