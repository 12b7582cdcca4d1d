import { errors } from 'oidc-provider';
import { isUnavailable } from '../errors/unavailable.js';

/**
 * oidc-provider answers any error it does not know with `server_error` (a 500 that, on a
 * page, reads as if the relying party had erred). An outage of Postgres or Redis becomes
 * its typed `temporarily_unavailable` instead, with 503: the authorization endpoint then
 * sends it to the relying party's redirect URI, the token, userinfo and introspection
 * endpoints answer 503 `{"error":"temporarily_unavailable"}`, and pforte's pages show
 * "temporarily unavailable".
 */
export function asProviderError(error: unknown): unknown {
  if (!isUnavailable(error)) return error;
  const unavailable = new errors.TemporarilyUnavailable('a backing service is unavailable, try again later', { cause: error });
  Object.assign(unavailable, { status: 503, statusCode: 503, expose: true });
  return unavailable;
}

/** The same object, each of whose methods turns an outage into `temporarily_unavailable`. */
export function guardedForOutages<T extends object>(target: T): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        try {
          return await (value as (...a: unknown[]) => unknown).apply(object, args);
        } catch (error) {
          throw asProviderError(error);
        }
      };
    },
  });
}

/** A function that turns an outage into `temporarily_unavailable`. */
export function guardFunction<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (error) {
      throw asProviderError(error);
    }
  };
}
