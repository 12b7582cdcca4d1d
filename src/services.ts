import type { Config } from './config/index.js';
import { createAccountService } from './domain/accounts.js';
import { createAuditLog } from './domain/audit.js';
import { createClientService } from './domain/clients.js';
import { createPasswordHasher } from './domain/passwords.js';
import { createSecretBox } from './domain/secret-box.js';
import { createAccountsRepo } from './store/pg/accounts-repo.js';
import { createAuditRepo } from './store/pg/audit-repo.js';
import { createClientsRepo } from './store/pg/clients-repo.js';
import type { Db } from './store/pg/db.js';
import { createSigningKeysRepo } from './store/pg/signing-keys-repo.js';

/** The domain services, wired once; the CLI, the pages and the provider all use these. */
export function createServices({ config, db }: { config: Config; db: Db }) {
  const audit = createAuditLog(createAuditRepo(db));
  const hasher = createPasswordHasher({ cost: config.passwords.bcryptCost });
  return {
    audit,
    auditRepo: createAuditRepo(db),
    accounts: createAccountService({
      repo: createAccountsRepo(db),
      hasher,
      audit,
      passwordMinLength: config.passwords.minLength,
    }),
    clients: createClientService({
      repo: createClientsRepo(db),
      box: createSecretBox(config.keyEncryptionSecret, 'client-secret'),
      audit,
    }),
    signingKeys: {
      repo: createSigningKeysRepo(db),
      box: createSecretBox(config.keyEncryptionSecret, 'signing-key'),
    },
  };
}

export type Services = ReturnType<typeof createServices>;
