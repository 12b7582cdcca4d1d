import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { acrRank, isAcr } from '../domain/assurance.js';

const { Check, base } = interactionPolicy;

/**
 * oidc-provider does not compare a session's acr with a client's minimum on its own: an
 * SSO session proven at loa:1 elsewhere would otherwise reach a client that requires
 * loa:2. This Check asks for login again when the session is below the client minimum.
 */
export function createInteractionPolicy() {
  const policy = base();
  policy.get('login')!.checks.add(
    new Check('acr_below_client_minimum', 'the session does not reach the client\'s minimum assurance level', 'login_required', (ctx: KoaContextWithOIDC) => {
      const minimum = ctx.oidc.client?.metadata().min_acr;
      const proven = ctx.oidc.session?.acr;
      if (!isAcr(minimum)) return Check.NO_NEED_TO_PROMPT;
      return !isAcr(proven) || acrRank(proven) < acrRank(minimum) ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
    }),
  );
  return policy;
}
