import type { Context } from 'koa';
import { errors } from 'oidc-provider';
import type Provider from 'oidc-provider';
import { requestLocale } from '../http/locale.js';

export type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

export interface InteractionContext {
  details: InteractionDetails;
  uid: string;
  clientId: string;
  clientName: string;
  /** pforte's extra client metadata (first_party, login_method, acr policy...). */
  clientMetadata: Record<string, unknown>;
}

/**
 * Loads the interaction the browser's cookie is bound to and checks it is the one in the
 * URL; a missing or expired one raises SessionNotFound ("this sign-in has expired").
 */
export async function loadInteraction(provider: Provider, ctx: Context): Promise<InteractionContext> {
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (details.uid !== ctx.params.uid) {
    throw new errors.SessionNotFound('interaction mismatch');
  }
  ctx.state.locale = requestLocale(ctx, details.params.ui_locales);
  const clientId = String(details.params.client_id);
  // The pages of this interaction show its client's brand (renderPage).
  ctx.state.clientId = clientId;
  const client = await provider.Client.find(clientId);
  const clientMetadata: Record<string, unknown> = client?.metadata() ?? {};
  return {
    details,
    uid: details.uid,
    clientId,
    clientName: String(clientMetadata.client_name ?? clientId),
    clientMetadata,
  };
}

/** Hands control back to the provider (the only way back, see STYLE) with a 303. */
export async function finishInteraction(provider: Provider, ctx: Context, result: Record<string, unknown>): Promise<void> {
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(returnTo);
}
