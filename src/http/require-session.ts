import type { Context, Middleware } from 'koa';
import type Provider from 'oidc-provider';
import { acrRank, isAcr, type Acr } from '../domain/assurance.js';
import { maySignIn, type Account } from '../domain/accounts.js';
import { AppError } from '../errors/index.js';

/** The person behind this browser's pforte session, as guarded pages see them. */
export interface SignedIn {
  /** The provider's session id: CSRF tokens are bound to it, and "keep this session" names it. */
  sessionId: string;
  acr: Acr;
  account: Account;
}

export interface SessionGuardDeps {
  provider: Provider;
  accounts: { findAccount(id: string): Promise<Account | undefined> };
}

/**
 * Reads the session of a request: whose it is and what it has proven. Shared by the
 * account page and /manage, so "signed in" means one thing for every hosted page.
 */
export function createSessionGuard({ provider, accounts }: SessionGuardDeps) {
  async function signedIn(ctx: Context): Promise<SignedIn | undefined> {
    const session = await provider.Session.get(ctx as never);
    if (!session.accountId || !isAcr(session.acr)) return undefined;
    const account = await accounts.findAccount(session.accountId);
    if (!account || !maySignIn(account)) return undefined;
    return { sessionId: session.jti, acr: session.acr, account };
  }

  return {
    signedIn,
    /**
     * Lets a request through only with a session of at least `minAcr` (default loa:1: a
     * loa:0 session only claims an identity, SPEC 3) and puts it on `ctx.state.signedIn`.
     * Otherwise `whenMissing` answers (e.g. a page explaining how to sign in), or 401.
     */
    requireSession({ minAcr = 'urn:pforte:loa:1', whenMissing }: { minAcr?: Acr; whenMissing?: (ctx: Context) => Promise<void> } = {}): Middleware {
      return async (ctx, next) => {
        const current = await signedIn(ctx);
        if (!current || acrRank(current.acr) < acrRank(minAcr)) {
          if (whenMissing) return whenMissing(ctx);
          throw new AppError('session_required');
        }
        ctx.state.signedIn = current;
        await next();
      };
    },
  };
}

export type SessionGuard = ReturnType<typeof createSessionGuard>;

/** The session `requireSession` let through. */
export function signedInOf(ctx: Context): SignedIn {
  const current = ctx.state.signedIn as SignedIn | undefined;
  if (!current) throw new AppError('session_required');
  return current;
}
