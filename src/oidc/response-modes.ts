import type { KoaContextWithOIDC } from 'oidc-provider';

/**
 * The response modes pforte serves: query (the default for `code`) and form_post.
 * oidc-provider always registers fragment too and lists it in discovery; the client
 * default `response_modes` refuses it at /auth, and `advertiseResponseModes` corrects
 * the discovery document (oidc-provider can only add discovery properties, not change).
 */
export const RESPONSE_MODES = ['form_post', 'query'] as const;

export async function advertiseResponseModes(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
  await next();
  if (ctx.oidc?.route === 'discovery' && ctx.status === 200 && ctx.body && typeof ctx.body === 'object') {
    (ctx.body as Record<string, unknown>).response_modes_supported = [...RESPONSE_MODES];
  }
}
