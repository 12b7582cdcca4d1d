import { createAccountsRepo } from './accounts-repo.js';
import type { Db } from './db.js';
import { createOrganisationsRepo } from './organisations-repo.js';
import { createPolicyholdersRepo } from './policyholders-repo.js';
import { createRolesRepo } from './roles-repo.js';

/** The repositories of accounts, organisations, roles and policyholders, all on one connection or transaction. */
function createDirectoryRepos(db: Db) {
  return { accounts: createAccountsRepo(db), organisations: createOrganisationsRepo(db), roles: createRolesRepo(db), policyholders: createPolicyholdersRepo(db) };
}

export type DirectoryRepos = ReturnType<typeof createDirectoryRepos>;

export interface Directory extends DirectoryRepos {
  /**
   * Runs `work` in one transaction with repositories bound to it, for rules that read and
   * write several tables (an account's roles against its organisation's grantable set).
   * Inside, use only the repositories passed in: PGlite has a single connection.
   */
  inTransaction<T>(work: (tx: DirectoryRepos) => Promise<T>): Promise<T>;
}

export function createDirectory(db: Db): Directory {
  return {
    ...createDirectoryRepos(db),
    inTransaction: (work) => db.transaction((trx) => work(createDirectoryRepos(trx))),
  };
}
