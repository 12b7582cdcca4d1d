import type { Context } from 'koa';

/**
 * The route a request matched, as a pattern (`/interaction/:uid/tan`, `/token`; the provider's router sets it too), never
 * the raw path: paths carry interaction ids and one-time link tokens, and a label per id
 * would also grow without bound.
 */
export function routePattern(ctx: Context): string {
  const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  if (typeof matched === 'string') return matched;
  if (ctx.path.startsWith('/assets/')) return '/assets/*';
  return 'unmatched';
}
