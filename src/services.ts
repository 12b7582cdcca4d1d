import type { Config } from './config/index.js';
import { createAccountClaims } from './domain/account-claims.js';
import { createAccountService } from './domain/accounts.js';
import { createAuditLog } from './domain/audit.js';
import { createClientService } from './domain/clients.js';
import { createCustomerImport } from './domain/customer-import.js';
import { createDeviceService } from './domain/devices.js';
import { createLockout, type LockNotice, type LockNotifier } from './domain/lockout.js';
import { createOnboarding } from './domain/onboarding.js';
import { createOneTimeLinks } from './domain/one-time-links.js';
import { createOrganisationService } from './domain/organisations.js';
import { createPasswordHasher } from './domain/passwords.js';
import { createRoleService } from './domain/roles.js';
import { createSecretBox, deriveKey } from './domain/secret-box.js';
import { createSignOut } from './domain/sign-out.js';
import { createTanService } from './domain/tans.js';
import { createDevOutbox } from './mail/dev-outbox.js';
import { DEFAULT_LOCALE } from './i18n/index.js';
import { createMailer, type Mailer } from './mail/mailer.js';
import type { Logger } from './observability/logger.js';
import { endAccountSessions } from './oidc/redis-adapter.js';
import { createAuditRepo } from './store/pg/audit-repo.js';
import { createClientsRepo } from './store/pg/clients-repo.js';
import type { Db } from './store/pg/db.js';
import { createDevicesRepo } from './store/pg/devices-repo.js';
import { createDirectory, type Directory } from './store/pg/directory.js';
import { createPolicyholdersRepo } from './store/pg/policyholders-repo.js';
import { createSigningKeysRepo } from './store/pg/signing-keys-repo.js';
import { createAccountIndex } from './store/redis/account-index.js';
import type { RedisClient } from './store/redis/connect.js';
import { createLinkStore } from './store/redis/link-store.js';
import { createLockoutStore } from './store/redis/lockout-store.js';
import { createTanStore } from './store/redis/tan-store.js';

export interface ServiceDeps {
  config: Config;
  db: Db;
  redis: RedisClient;
  logger: Logger;
  /** Injected so tests can move time instead of sleeping. */
  clock?: () => Date;
}

/** The domain services, wired once; the CLI, the pages and the provider all use these. */
export function createServices({ config, db, redis, logger, clock = () => new Date() }: ServiceDeps) {
  const auditRepo = createAuditRepo(db);
  const audit = createAuditLog(auditRepo);
  const nowMs = () => clock().getTime();
  const outbox = config.smtpUrl ? undefined : createDevOutbox();
  const mailer = createMailer({ smtpUrl: config.smtpUrl, mailFrom: config.mailFrom, logger, outbox });
  const directory = createDirectory(db);
  const lockNotices = createLockNotices(directory, mailer);
  const lockout = createLockout({
    store: createLockoutStore(redis),
    audit,
    policy: config.lockout,
    hmacKey: deriveKey(config.keyEncryptionSecret, 'lockout-subject'),
    notify: lockNotices.notify,
    now: nowMs,
  });
  const hasher = createPasswordHasher({ cost: config.passwords.bcryptCost });
  const accountIndex = createAccountIndex(redis);
  return {
    audit,
    auditRepo,
    lockout,
    lockNotices,
    outbox,
    mailer,
    accounts: createAccountService({
      repo: directory.accounts,
      directory,
      hasher,
      audit,
      passwordMinLength: config.passwords.minLength,
      agentNumberPattern: config.agentNumberPattern,
    }),
    onboarding: createOnboarding({
      repo: directory.accounts,
      hasher,
      links: createOneTimeLinks({ store: createLinkStore(redis), hmacKey: deriveKey(config.keyEncryptionSecret, 'one-time-link') }),
      audit,
      policy: {
        passwordMinLength: config.passwords.minLength,
        initialPasswordDays: config.passwords.initialPasswordDays,
        activationLinkDays: config.links.activationDays,
      },
      clock,
    }),
    organisations: createOrganisationService({ directory, audit }),
    signOut: createSignOut({
      endAccountSessions: (accountId, options) => endAccountSessions(redis, accountIndex, accountId, { ...options, keepTtlSeconds: config.session.staySignedInDays * 86400 }),
      audit,
    }),
    customers: createCustomerImport({ repo: createPolicyholdersRepo(db), audit, clock }),
    roles: createRoleService({ repo: directory.roles, audit }),
    /** Claims for oidc-provider's findAccount (SPEC 5). */
    accountClaims: createAccountClaims(directory),
    clients: createClientService({
      repo: createClientsRepo(db),
      box: createSecretBox(config.keyEncryptionSecret, 'client-secret'),
      audit,
    }),
    tans: createTanService({
      store: createTanStore(redis),
      audit,
      lockout,
      policy: config.tan,
      hmacKey: deriveKey(config.keyEncryptionSecret, 'tan-digest'),
      now: nowMs,
    }),
    devices: createDeviceService({
      repo: createDevicesRepo(db),
      audit,
      trustDays: config.devices.trustDays,
      bindBrowserMajor: config.devices.bindBrowserMajor,
      hmacKey: deriveKey(config.keyEncryptionSecret, 'device-token'),
      clock,
    }),
    signingKeys: {
      repo: createSigningKeysRepo(db),
      box: createSecretBox(config.keyEncryptionSecret, 'signing-key'),
    },
  };
}

/**
 * The lockout notice goes out in the background: the sign-in that started the lock is
 * answered as fast as any other failure (its time must not tell that the account exists),
 * and a mail server in trouble changes nothing (the mailer logs its failures). `settled`
 * waits for the notices under way (shutdown, tests).
 */
function createLockNotices(directory: Directory, mailer: Mailer) {
  const underWay = new Set<Promise<void>>();
  const send = async (accountId: string, notice: LockNotice) => {
    const account = await directory.accounts.findById(accountId);
    if (!account) return;
    const minutes = notice.scope === 'hard' ? 0 : Math.ceil(notice.seconds / 60);
    // Accounts keep no language; the deployment's default language it is.
    await mailer.send({ to: account.email, template: 'lockout', locale: DEFAULT_LOCALE, data: { scope: notice.scope, minutes, name: account.name ?? undefined } });
  };
  const notify: LockNotifier = async (accountId, notice) => {
    const sending = send(accountId, notice).catch(() => undefined);
    underWay.add(sending);
    void sending.finally(() => underWay.delete(sending));
  };
  return {
    notify,
    async settled(): Promise<void> {
      await Promise.all(underWay);
    },
  };
}

export type Services = ReturnType<typeof createServices>;
