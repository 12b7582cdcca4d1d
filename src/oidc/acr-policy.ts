import { errors, interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { NOTHING_TO_ADD, readAssuranceRequest } from '../domain/assurance-request.js';
import { acrRank, isAcr } from '../domain/assurance.js';
import { createEndedAccountCheck } from './ended-account.js';

const { Check, base } = interactionPolicy;

/**
 * oidc-provider turns `acr_values` into a voluntary acr claim and compares essential acr
 * claims by exact value, so neither a client minimum nor a step-up would fire. This Check
 * on the login prompt compares what the session has proven with what the request asks
 * for (pforte's ladder: a higher level satisfies a lower request) and asks for more.
 */
export function createInteractionPolicy() {
  const policy = base();
  const login = policy.get('login')!;
  // First: a session of a blocked or deleted account ends before any check reads it.
  login.checks.add(createEndedAccountCheck(), 0);
  login.checks.remove('essential_acrs');
  login.checks.remove('essential_acr');
  login.checks.add(
    new Check('acr_insufficient', 'the session does not reach the requested assurance level', 'login_required', (ctx: KoaContextWithOIDC) => {
      const { oidc } = ctx;
      // The raw `claims` parameter: the provider overwrites its parsed id_token.acr with acr_values.
      const request = readAssuranceRequest(oidc.client!.metadata(), oidc.params?.acr_values, oidc.params?.claims);
      if (request.isMalformed) throw new errors.InvalidRequest('invalid claims.id_token.acr value or values');
      // Nobody could satisfy it: say so before anyone signs in.
      if (request.isUnreachable) {
        throw new errors.CustomOIDCProviderError('unmet_authentication_requirements', 'the requested acr cannot be reached');
      }
      if (!oidc.session?.accountId) return Check.NO_NEED_TO_PROMPT; // no_session asks already
      const proven = oidc.session.acr;
      const rank = isAcr(proven) ? acrRank(proven) : -1;
      const isBackFromJourney = Boolean(oidc.result?.login || oidc.result?.[NOTHING_TO_ADD]);
      if (!isBackFromJourney) return rank < acrRank(request.wanted) ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
      // Just back from a journey: it reached what it could. Below the minimum now means it
      // cannot be reached; asking again would only loop.
      if (rank < acrRank(request.minimum)) {
        throw new errors.CustomOIDCProviderError('unmet_authentication_requirements', 'the requested acr was not reached');
      }
      return Check.NO_NEED_TO_PROMPT;
    }),
  );
  return policy;
}
