import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';

const { Check } = interactionPolicy;

/** The parts of the provider's Session that say who signed in and for which clients. */
const LOGIN_FIELDS = ['loginTs', 'amr', 'acr', 'transient', 'authorizations'] as const;

/**
 * A session whose account was blocked or deleted after it signed in. The provider loads
 * the session's account with findAccount, which answers undefined for such an account,
 * and then goes on as if someone were signed in (its consent prompt fails on the missing
 * grant: a 500 on every /auth until the session expires). This Check runs first on the
 * login prompt: it ends the sign-in kept in the session and asks for a new one, so the
 * browser sees the login page and `prompt=none` gets `login_required`.
 *
 * The sign-in is wiped rather than the session destroyed: the interaction about to start
 * is bound to this session, and with the old account gone, signing in as someone else is
 * an ordinary login, not an account switch with a logout form. The session id is rotated.
 */
export function createEndedAccountCheck() {
  return new Check('account_ended', 'the account of this session may no longer sign in', 'login_required', (ctx: KoaContextWithOIDC) => {
    const { session, account } = ctx.oidc;
    if (!session?.accountId || account) return Check.NO_NEED_TO_PROMPT;
    endSignIn(session);
    return Check.REQUEST_PROMPT;
  });
}

function endSignIn(session: NonNullable<KoaContextWithOIDC['oidc']['session']>): void {
  // The provider's session proxy refuses to assign an empty accountId; deleting is the way out.
  delete (session as { accountId?: string }).accountId;
  for (const field of LOGIN_FIELDS) (session as unknown as Record<string, unknown>)[field] = undefined;
  // Marks the session changed, and drops the old id from the store when it is saved.
  session.resetIdentifier();
}
