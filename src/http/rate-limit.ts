import type { Context, Middleware } from 'koa';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RedisClient } from '../store/redis/connect.js';
import { renderPage } from './render.js';

/** What is limited per client IP: password posts, TAN posts, agent-number lookups, registration and forgot-password posts. */
export type LimitedAction = 'password' | 'tan' | 'agent' | 'register' | 'forgot_password';

export interface RateLimits {
  /** Takes one request from the IP's budget: 0 when allowed, else the seconds to wait. */
  take(action: LimitedAction, ip: string): Promise<number>;
  /** Gives a request back (a sign-in step that succeeded costs nothing). */
  giveBack(action: LimitedAction, ip: string): Promise<void>;
}

/**
 * Fixed one-minute windows per IP. With Redis the counts are shared by every pforte
 * process (keys `pforte:ratelimit:<action>:<ip>`); the embedded default keeps them in
 * memory, like the rest of its short-lived state.
 */
export function createRateLimits({ redis, perMinute }: { redis?: RedisClient; perMinute: Record<LimitedAction, number> }): RateLimits {
  const limiters = Object.fromEntries(
    (Object.keys(perMinute) as LimitedAction[]).map((action) => {
      const options = { keyPrefix: `pforte:ratelimit:${action}`, points: perMinute[action], duration: 60 };
      const limiter: RateLimiterAbstract = redis ? new RateLimiterRedis({ ...options, storeClient: redis }) : new RateLimiterMemory(options);
      return [action, limiter];
    }),
  ) as Record<LimitedAction, RateLimiterAbstract>;
  return {
    async take(action, ip) {
      try {
        await limiters[action].consume(ip);
        return 0;
      } catch (refusal) {
        // A store failure is an Error and stays one (an "unavailable" page); a refusal is not.
        if (!(refusal instanceof RateLimiterRes)) throw refusal;
        return Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
      }
    },
    async giveBack(action, ip) {
      await limiters[action].reward(ip);
    },
  };
}

/**
 * A route step in front of the handler: over the limit, a 429 page saying how long to
 * wait (and `Retry-After`), before any password hashing, TAN check or account lookup.
 * With `giveBackOnRedirect`, a step that ends in a redirect (it succeeded and the journey
 * goes on) is given back, so only failures use up an office's shared budget.
 */
export function rateLimited(limits: RateLimits, action: LimitedAction, { giveBackOnRedirect = false } = {}): Middleware {
  return async (ctx: Context, next) => {
    const waitSeconds = await limits.take(action, ctx.ip);
    if (waitSeconds > 0) {
      ctx.set('Retry-After', String(waitSeconds));
      return renderPage(ctx, 'error', { message: 'error.rate_limited', messageVars: { seconds: waitSeconds } }, 429);
    }
    await next();
    if (giveBackOnRedirect && ctx.status === 303) await limits.giveBack(action, ctx.ip);
  };
}
