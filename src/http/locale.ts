import type { Context, Middleware } from 'koa';
import { pickLocale, type Locale } from '../i18n/index.js';

/** The locale of a request: `ui_locales` (from the query or the OIDC request), then Accept-Language. */
export function requestLocale(ctx: Context, uiLocales: unknown = ctx.query.ui_locales): Locale {
  return pickLocale(uiLocales, (locales) => ctx.acceptsLanguages(locales));
}

/** Sets ctx.state.locale for every page; an interaction narrows it to its own ui_locales. */
export function localeMiddleware(): Middleware {
  return async (ctx, next) => {
    ctx.state.locale = requestLocale(ctx);
    await next();
  };
}
