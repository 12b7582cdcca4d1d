import type { AccountsRepo } from '../store/pg/accounts-repo.js';
import type { OrganisationsRepo } from '../store/pg/organisations-repo.js';
import { maySignIn } from './accounts.js';
import { GROUP_MANAGER_ROLE } from './roles.js';

export interface AccountClaimsDeps {
  accounts: Pick<AccountsRepo, 'findDetailed'>;
  organisations: Pick<OrganisationsRepo, 'descendants'>;
}

/**
 * Every claim pforte can release about an account (SPEC 5); the provider picks those of
 * the granted scopes. It runs for every token: one query, and a second for group managers.
 */
export function createAccountClaims({ accounts, organisations }: AccountClaimsDeps) {
  return {
    /** Undefined when the account does not exist or may not sign in. */
    async claimsFor(accountId: string): Promise<Record<string, unknown> | undefined> {
      const account = await accounts.findDetailed(accountId);
      if (!account || !maySignIn(account)) return undefined;
      const claims: Record<string, unknown> = {
        email: account.email,
        email_verified: account.email_verified,
        ...(account.name !== null ? { name: account.name } : {}),
        ...(account.agent_number !== null ? { agent_number: account.agent_number } : {}),
        roles: [...account.roles].sort(),
      };
      if (account.organisation) {
        claims.org = { id: account.organisation.id, name: account.organisation.name };
        if (account.roles.includes(GROUP_MANAGER_ROLE)) {
          claims.orgs = (await organisations.descendants(account.organisation.id)).map(({ id, name }) => ({ id, name }));
        }
      }
      return claims;
    },
  };
}

export type AccountClaims = ReturnType<typeof createAccountClaims>;
