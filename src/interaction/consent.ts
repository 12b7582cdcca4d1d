import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { parseForm } from '../http/form-body.js';
import { renderPage } from '../http/render.js';
import { finishInteraction, loadInteraction, type InteractionContext } from './context.js';

function missingScopes(interaction: InteractionContext): string[] {
  const details = interaction.details.prompt.details as { missingOIDCScope?: string[] };
  return details.missingOIDCScope ?? [];
}

export function renderConsentPage(ctx: Context, interaction: InteractionContext) {
  return renderPage(ctx, 'consent', {
    uid: interaction.uid,
    clientName: interaction.clientName,
    scopes: missingScopes(interaction).filter((s) => s !== 'openid'),
  });
}

/** POST /interaction/:uid/consent — "Allow" grants what the prompt found missing. */
export function createConsent({ provider }: { provider: Provider }) {
  return async function submitConsent(ctx: Context): Promise<void> {
    const interaction = await loadInteraction(provider, ctx);
    await parseForm(ctx);
    const { details } = interaction;
    if (details.prompt.name !== 'consent' || !details.session?.accountId) {
      return renderPage(ctx, 'error', { message: 'error.interaction_expired' }, 400);
    }
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: interaction.clientId });
    if (!grant) return renderPage(ctx, 'error', { message: 'error.interaction_expired' }, 400);
    const promptDetails = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (promptDetails.missingOIDCScope) grant.addOIDCScope(promptDetails.missingOIDCScope.join(' '));
    if (promptDetails.missingOIDCClaims) grant.addOIDCClaims(promptDetails.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(promptDetails.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    await finishInteraction(provider, ctx, { consent: { grantId } });
  };
}

/** POST /interaction/:uid/abort — "Cancel": the relying party gets access_denied. */
export function createAbort({ provider }: { provider: Provider }) {
  return async function abort(ctx: Context): Promise<void> {
    await loadInteraction(provider, ctx);
    await parseForm(ctx);
    await finishInteraction(provider, ctx, { error: 'access_denied', error_description: 'End-User aborted interaction' });
  };
}
