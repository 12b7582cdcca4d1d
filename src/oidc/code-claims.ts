import Provider, { type AdapterPayload } from 'oidc-provider';

type Claims = Record<string, unknown>;

/** Where the claims ride inside a stored code (the provider's own model never sees the field). */
const FIELD = 'pforte_claims';

/**
 * The account's claims, read from Postgres at /auth (the session check, or the resume after
 * a sign-in), travel with the authorization code to /token, so a sign-in reads the account
 * once instead of twice. They are at most the code's lifetime (60 s) old, like a client
 * change (the client cache). A blocked account is still refused at once: blocking revokes
 * the account's grants and with them its codes, and for the case where a code was saved
 * under a grant the revocation did not see yet, /token asks `hasEnded` and reads Postgres
 * again (see the provider's findAccount).
 *
 * Both ends work on the request the provider is serving (its AsyncLocalStorage context):
 * findAccount remembers what it read, the Redis adapter stores it with a code saved in the
 * same request, and hands it back when it finds a code.
 */
export function createCodeClaims() {
  const readHere = new WeakMap<object, { accountId: string; claims: Claims }>();
  const carriedHere = new WeakMap<object, { codeId: string; accountId: string; claims: Claims }>();

  return {
    /** findAccount read these claims in the current request. */
    remember(accountId: string, claims: Claims): void {
      const ctx = Provider.ctx;
      if (ctx) readHere.set(ctx, { accountId, claims });
    },

    /** A code about to be stored, with the claims read for its account in this request. */
    attach(payload: AdapterPayload): AdapterPayload {
      const ctx = Provider.ctx;
      const read = ctx ? readHere.get(ctx) : undefined;
      return read && read.accountId === payload.accountId ? { ...payload, [FIELD]: read.claims } : payload;
    },

    /** A stored code, without the claims it carried; those are kept for this request. */
    detach(codeId: string, stored: AdapterPayload): AdapterPayload {
      const { [FIELD]: claims, ...payload } = stored as AdapterPayload & { [FIELD]?: Claims };
      const ctx = Provider.ctx;
      if (ctx && claims && typeof payload.accountId === 'string') carriedHere.set(ctx, { codeId, accountId: payload.accountId, claims });
      return payload;
    },

    /** The claims this very code carried, found in the current request. */
    carried(code: { jti?: string; accountId?: string }): Claims | undefined {
      const ctx = Provider.ctx;
      const carried = ctx ? carriedHere.get(ctx) : undefined;
      return carried && carried.codeId === code.jti && carried.accountId === code.accountId ? carried.claims : undefined;
    },
  };
}

export type CodeClaims = ReturnType<typeof createCodeClaims>;
