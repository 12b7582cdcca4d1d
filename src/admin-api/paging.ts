import { z } from 'zod';
import { ValidationError } from '../errors/index.js';

/**
 * Cursor paging of every list (SPEC 6: `?limit=&cursor=` → `{ items, next_cursor }`).
 * A cursor is the sort key of the last item returned (keyset paging), so a page never
 * repeats or skips an item because others were added or removed meanwhile. It is opaque
 * to callers; forging one only moves where the listing starts.
 */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export const pageQuery = z
  .object({
    // Digits only: Number() would also take `1e2`, `0x10` and ` 5 `, and call a repeated limit NaN.
    limit: z
      .preprocess((value) => (typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value), z.number().int().min(1).max(MAX_PAGE_SIZE))
      .default(DEFAULT_PAGE_SIZE),
    cursor: z.string().max(1000).optional(),
  })
  .strict();

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export const pageSchema = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), next_cursor: z.string().nullable() });

export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The key a cursor holds; anything else is `invalid_input` at `cursor`. */
export function decodeCursor(cursor: string | undefined, length?: number): string[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length > 0 && (length === undefined || key.length === length) && key.every((part) => typeof part === 'string' && part.length <= 400 && !part.includes('\u0000'))) return key;
  } catch {
    // refused below
  }
  throw new ValidationError({ cursor: 'invalid_cursor' });
}

const compareKeys = (a: readonly string[], b: readonly string[]): number => {
  for (let i = 0; i < a.length; i += 1) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return 0;
};

/**
 * A page of a list the domain hands out whole (clients, organisations, roles, keys: the
 * administrator's catalogues, small by nature), ordered here by `keyOf`.
 */
export function pageOf<T>(all: readonly T[], keyOf: (item: T) => string[], { limit, cursor }: { limit: number; cursor?: string }): Page<T> {
  const sorted = all.map((item) => ({ item, key: keyOf(item) })).sort((a, b) => compareKeys(a.key, b.key));
  const after = decodeCursor(cursor, sorted[0]?.key.length);
  const rest = after ? sorted.filter(({ key }) => compareKeys(key, after) > 0) : sorted;
  const page = rest.slice(0, limit);
  return { items: page.map(({ item }) => item), next_cursor: rest.length > limit ? encodeCursor(page[page.length - 1]!.key) : null };
}

/**
 * A page from a store that pages itself: `fetch` gets the decoded cursor and a limit one
 * above the page size, so whether more follow is known without counting.
 */
export async function pageFrom<T>(
  { limit, cursor }: { limit: number; cursor?: string },
  keyLength: number,
  fetch: (after: string[] | undefined, limit: number) => Promise<T[]>,
  keyOf: (item: T) => string[],
): Promise<Page<T>> {
  const rows = await fetch(decodeCursor(cursor, keyLength), limit + 1);
  const items = rows.slice(0, limit);
  return { items, next_cursor: rows.length > limit ? encodeCursor(keyOf(items[items.length - 1]!)) : null };
}
