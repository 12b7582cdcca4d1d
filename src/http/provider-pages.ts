import type { KoaContextWithOIDC } from 'oidc-provider';
import { requestLocale } from './locale.js';
import type { ProviderPages } from '../oidc/provider.js';
import { renderPage } from './render.js';

function setLocale(ctx: KoaContextWithOIDC): void {
  const uiLocales = ctx.oidc?.params?.ui_locales ?? ctx.query.ui_locales;
  ctx.state.locale = requestLocale(ctx, uiLocales);
}

/** The provider's own pages (OAuth errors shown to people, logout) in pforte's look. */
export const providerPages: ProviderPages = {
  async error(ctx, out) {
    setLocale(ctx);
    const status = ctx.status >= 400 ? ctx.status : 400;
    await renderPage(ctx, 'error', { message: 'error.oauth', messageVars: { error: out.error } }, status);
  },
  async logout(ctx, form) {
    setLocale(ctx);
    await renderPage(ctx, 'logout', { form, host: ctx.host });
  },
  async loggedOut(ctx) {
    setLocale(ctx);
    await renderPage(ctx, 'logged-out');
  },
};
