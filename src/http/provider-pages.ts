import type { Context, Middleware } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { requestLocale } from './locale.js';
import type { ProviderPages } from '../oidc/provider.js';
import { renderPage } from './render.js';
import { CONTENT_SECURITY_POLICY } from './security-headers.js';

function setPageContext(ctx: Context): void {
  const uiLocales = (ctx as Partial<KoaContextWithOIDC>).oidc?.params?.ui_locales ?? ctx.query.ui_locales;
  ctx.state.locale = requestLocale(ctx, uiLocales);
  // A logout or error page the provider can tie to a client shows that client's brand.
  ctx.state.clientId ??= (ctx as Partial<KoaContextWithOIDC>).oidc?.client?.clientId;
}

/** The provider's own pages (OAuth errors shown to people, logout) in pforte's look. */
export const providerPages: ProviderPages = {
  async error(ctx, out) {
    setPageContext(ctx);
    // Only a request error is the relying party's doing; an outage or a fault of pforte is not.
    if (out.error === 'temporarily_unavailable') return renderPage(ctx, 'error', { message: 'error.unavailable' }, 503);
    if (out.error === 'server_error') return renderPage(ctx, 'error', { message: 'error.internal' }, 500);
    const status = ctx.status >= 400 ? ctx.status : 400;
    await renderPage(ctx, 'error', { message: 'error.oauth', messageVars: { error: out.error } }, status);
  },
  async logout(ctx, form) {
    setPageContext(ctx);
    await renderPage(ctx, 'logout', { form, host: ctx.host });
  },
  async loggedOut(ctx) {
    setPageContext(ctx);
    await renderPage(ctx, 'logged-out');
  },
};

export interface AutoSubmitForm {
  action: string;
  inputs: Array<[name: string, value: string]>;
}

// oidc-provider's page (lib/response_modes/form_post.js): values escaped by its htmlSafe.
const PROVIDER_AUTO_SUBMIT = /^<!DOCTYPE html>\s*<html>\s*<head>[\s\S]*?<title>Submitting Callback<\/title>[\s\S]*?<form method="post" action="([^"]*)">([\s\S]*?)<noscript>/;
const HIDDEN_INPUT = /<input type="hidden" name="([^"&<>]*)" value="([^"]*)"\/>/g;
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const unescapeHtml = (text: string) => text.replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity]!);

/** The form of oidc-provider's auto-submit page, or undefined for any other body. */
export function readProviderAutoSubmit(body: unknown): AutoSubmitForm | undefined {
  if (typeof body !== 'string') return undefined;
  const page = PROVIDER_AUTO_SUBMIT.exec(body);
  if (!page) return undefined;
  const inputs = [...page[2]!.matchAll(HIDDEN_INPUT)].map(([, name, value]) => [name!, unescapeHtml(value!)] as [string, string]);
  // Anything but hidden inputs in the form means markup we do not know: keep its page.
  if (page[2]!.replace(HIDDEN_INPUT, '').trim() !== '') return undefined;
  return { action: unescapeHtml(page[1]!), inputs };
}

/**
 * oidc-provider answers with an auto-submitted form for response_mode=form_post, when a
 * browser signs in as another account (ending the old session first) and at a logout
 * without session. Its page is English, unstyled and relies on an inline script; this
 * puts the same form on pforte's page, whose script is a served file and whose
 * <noscript> button speaks the page's language. The library renders that page directly
 * in the two logout cases (no response mode to replace), so it is read back here.
 */
export function providerAutoSubmitPages(): Middleware {
  return async (ctx, next) => {
    await next();
    if (!ctx.response.is('html')) return;
    const form = readProviderAutoSubmit(ctx.body);
    if (!form) return;
    setPageContext(ctx);
    await renderPage(ctx, 'auto-submit', { action: form.action, inputs: form.inputs }, ctx.status);
    // The provider's inline script is gone, and with it the need for its hash.
    ctx.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  };
}
