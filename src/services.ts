import type { Config } from './config/index.js';
import { createAccountClaims } from './domain/account-claims.js';
import { createAccountStatus } from './domain/account-status.js';
import { createAccountAdministration } from './domain/account-administration.js';
import { createAccountService } from './domain/accounts.js';
import { createAuditLog } from './domain/audit.js';
import { createBranding } from './domain/branding.js';
import { createAuditQuery } from './domain/audit-query.js';
import { createInitialAccessTokens } from './domain/client-registration.js';
import { createRegistrationTokensRepo } from './store/pg/registration-tokens-repo.js';
import { createClientService } from './domain/clients.js';
import { createCredentials } from './domain/credentials.js';
import { createCustomerImport } from './domain/customer-import.js';
import { createDeviceService } from './domain/devices.js';
import { createLockout, type LockNotice, type LockNotifier } from './domain/lockout.js';
import { createMemberService } from './domain/members.js';
import { createOnboarding } from './domain/onboarding.js';
import { createOneTimeLinks } from './domain/one-time-links.js';
import { createOrganisationService } from './domain/organisations.js';
import { createPasswordHasher } from './domain/passwords.js';
import { createRecovery } from './domain/recovery.js';
import { createRegistration } from './domain/registration.js';
import { createRoleService } from './domain/roles.js';
import { createSecretBox, deriveKey } from './domain/secret-box.js';
import { createSelfServiceFlows } from './domain/self-service-flows.js';
import { createSignOut } from './domain/sign-out.js';
import { createSigningKeyring } from './domain/signing-keyring.js';
import { signInRefusal } from './domain/policies/sign-in.js';
import { createTanService } from './domain/tans.js';
import { createDevOutbox } from './mail/dev-outbox.js';
import { DEFAULT_LOCALE } from './i18n/index.js';
import { createMailer, type Mailer } from './mail/mailer.js';
import type { Logger } from './observability/logger.js';
import { endAccountSessions } from './oidc/redis-adapter.js';
import { createAuditRepo } from './store/pg/audit-repo.js';
import { createBrandsRepo } from './store/pg/brands-repo.js';
import { createClientsRepo } from './store/pg/clients-repo.js';
import type { Db } from './store/pg/db.js';
import { createDevicesRepo } from './store/pg/devices-repo.js';
import { isUuid } from './store/pg/uuid.js';
import { createDirectory, type Directory } from './store/pg/directory.js';
import { createPolicyholdersRepo } from './store/pg/policyholders-repo.js';
import { createSigningKeysRepo } from './store/pg/signing-keys-repo.js';
import { createAccountIndex } from './store/redis/account-index.js';
import type { RedisClient } from './store/redis/connect.js';
import { createLinkStore } from './store/redis/link-store.js';
import { createLockoutStore } from './store/redis/lockout-store.js';
import { createSelfServiceFlowStore } from './store/redis/self-service-flow-store.js';
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
    hardStops: directory.accounts,
    audit,
    policy: config.lockout,
    hmacKey: deriveKey(config.keyEncryptionSecret, 'lockout-subject'),
    notify: lockNotices.notify,
    now: nowMs,
  });
  const hasher = createPasswordHasher({ cost: config.passwords.bcryptCost });
  const accountIndex = createAccountIndex(redis);
  const registrationTokens = createRegistrationTokensRepo(db, clock);
  const links = createOneTimeLinks({ store: createLinkStore(redis), hmacKey: deriveKey(config.keyEncryptionSecret, 'one-time-link') });
  const selfServiceFlows = createSelfServiceFlows({ store: createSelfServiceFlowStore(redis), now: nowMs });
  const signOut = createSignOut({
    endAccountSessions: (accountId, options) => endAccountSessions(redis, accountIndex, accountId, { ...options, keepTtlSeconds: config.session.staySignedInDays * 86400 }),
    audit,
  });
  const devices = createDeviceService({
    repo: createDevicesRepo(db),
    audit,
    trustDays: config.devices.trustDays,
    bindBrowserMajor: config.devices.bindBrowserMajor,
    hmacKey: deriveKey(config.keyEncryptionSecret, 'device-token'),
    clock,
  });
  const accounts = createAccountService({
    repo: directory.accounts,
    directory,
    hasher,
    audit,
    passwordMinLength: config.passwords.minLength,
    agentNumberPattern: config.agentNumberPattern,
  });
  const credentials = createCredentials({
    repo: directory.accounts,
    hasher,
    audit,
    signOut,
    devices,
    lockout,
    mailer,
    passwordMinLength: config.passwords.minLength,
  });
  const accountStatus = createAccountStatus({ resolve: accounts.resolve, repo: directory.accounts, supportContact: config.supportContact, lockout, signOut, mailer, audit });
  const onboarding = createOnboarding({
    repo: directory.accounts,
    hasher,
    links,
    audit,
    policy: {
      passwordMinLength: config.passwords.minLength,
      initialPasswordDays: config.passwords.initialPasswordDays,
      activationLinkDays: config.links.activationDays,
    },
    mailer,
    activationUrl: (token) => `${config.issuer}/activate/${token}`,
    clock,
  });
  return {
    /** The clock every service reads (tests move it). */
    clock,
    registrationTokens,
    initialAccessTokens: createInitialAccessTokens({ repo: registrationTokens, audit, clock }),
    audit,
    auditRepo,
    auditQuery: createAuditQuery({
      repo: auditRepo,
      // An account that was deleted is still named by its id in its events.
      findAccountId: async (ref) => (await directory.accounts.findById(ref))?.id ?? (await directory.accounts.findByEmail(ref))?.id ?? (isUuid(ref) ? ref : undefined),
    }),
    lockout,
    lockNotices,
    outbox,
    mailer,
    accounts,
    /** "May this account sign in, and what may we tell" (domain/policies/sign-in.ts), on the injected clock. */
    signInPolicy: {
      refusal: (account: Parameters<typeof signInRefusal>[0], { proven }: { proven: boolean }) => signInRefusal(account, { proven, now: clock() }),
    },
    /** Unlock and block, by administrators and user managers, through the actor policy. */
    accountStatus,
    onboarding,
    /** Account creation and activation mails by administrators (CLI, admin API). */
    accountAdministration: createAccountAdministration({ accounts, onboarding }),
    /** What user managers do to members under /manage (SPEC 5). */
    members: createMemberService({ directory, accounts, accountStatus, devices, onboarding, auditRepo }),
    organisations: createOrganisationService({ directory, audit }),
    signOut,
    /** Replacing a password (account page, reset link) and everything that follows from it. */
    credentials,
    selfServiceFlows,
    registration: createRegistration({
      directory,
      flows: selfServiceFlows,
      links,
      hasher,
      mailer,
      audit,
      policy: { confirmationHours: config.links.confirmationHours, passwordMinLength: config.passwords.minLength },
      urls: { confirmation: (token) => `${config.issuer}/register/confirm/${token}`, forgotPassword: `${config.issuer}/forgot-password` },
    }),
    recovery: createRecovery({
      accounts: directory.accounts,
      flows: selfServiceFlows,
      links,
      credentials,
      mailer,
      audit,
      policy: { resetMinutes: config.links.resetMinutes, passwordMinLength: config.passwords.minLength },
      urls: { reset: (token) => `${config.issuer}/forgot-password/reset/${token}` },
    }),
    customers: createCustomerImport({ repo: createPolicyholdersRepo(db), audit, clock }),
    roles: createRoleService({ repo: directory.roles, audit }),
    /** Claims for oidc-provider's findAccount (SPEC 5). */
    accountClaims: createAccountClaims(directory),
    clients: createClientService({
      repo: createClientsRepo(db),
      box: createSecretBox(config.keyEncryptionSecrets, 'client-secret'),
      audit,
      branding: createBranding({ repo: createBrandsRepo(db), audit }),
      metadataCacheSeconds: config.clientCacheSeconds,
      now: nowMs,
    }),
    tans: createTanService({
      store: createTanStore(redis),
      audit,
      lockout,
      policy: config.tan,
      hmacKey: deriveKey(config.keyEncryptionSecret, 'tan-digest'),
      now: nowMs,
    }),
    devices,
    signingKeys: createSigningKeyring({
      repo: createSigningKeysRepo(db),
      box: createSecretBox(config.keyEncryptionSecrets, 'signing-key'),
      audit,
    }),
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
