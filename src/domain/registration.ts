import type { Locale } from '../i18n/index.js';
import type { Mailer } from '../mail/mailer.js';
import type { Directory } from '../store/pg/directory.js';
import type { AuditLog } from './audit.js';
import { normalisePolicyNumber } from './customer-import.js';
import { checkNewPassword } from './onboarding.js';
import type { OneTimeLinks } from './one-time-links.js';
import type { PasswordHasher } from './passwords.js';
import { hasSucceeded, type SelfServiceFlow, type SelfServiceFlows } from './self-service-flows.js';

/** A registration as typed (fields already checked for form: SPEC 4.5). */
export interface RegistrationRequest {
  policyNumber: string;
  /** YYYY-MM-DD */
  birthDate: string;
  email: string;
}

export interface RegistrationDeps {
  directory: Directory;
  flows: SelfServiceFlows;
  links: OneTimeLinks;
  hasher: PasswordHasher;
  mailer: Mailer;
  audit: AuditLog;
  policy: { confirmationHours: number; passwordMinLength: number };
  /** Absolute URLs of the pages the mails link to. */
  urls: { confirmation(token: string): string; forgotPassword: string };
}

export type ConfirmationOutcome =
  | { outcome: 'created'; flow: SelfServiceFlow; accountId: string }
  | { outcome: 'already_confirmed'; flow: SelfServiceFlow }
  | { outcome: 'invalid' }
  | { outcome: 'not_completed' };

/** What the confirmation page shows for a link: its form, "already confirmed", or nothing. */
export type ConfirmationLinkState = { state: 'open'; flow: SelfServiceFlow } | { state: 'already_confirmed'; flow: SelfServiceFlow } | { state: 'invalid' };

/** Postgres' unique violation: a racing registration took the email or the policy first. */
const isUniqueViolation = (error: unknown) => (error as { code?: unknown }).code === '23505';

/**
 * Self-registration by policy number and birth date (SPEC 4.5). Whatever the records say,
 * `register` does the same work and the page says the same; only the mail differs: a
 * confirmation link on a match, a note to an address that already has an account, a
 * neutral "could not be completed" otherwise. The confirmation creates the account.
 */
export function createRegistration({ directory, flows, links, hasher, mailer, audit, policy, urls }: RegistrationDeps) {
  const { accounts, policyholders } = directory;

  /** The one account this flow's policy got, if the confirmation raced or ran before. */
  async function isConfirmedBefore(flow: SelfServiceFlow): Promise<boolean> {
    const holder = flow.registration && (await policyholders.find(flow.registration.policyNumber));
    const account = holder?.account_id ? await accounts.findById(holder.account_id) : undefined;
    return account !== undefined && account.email.toLowerCase() === flow.registration!.email.toLowerCase();
  }

  return {
    /**
     * Handles a posted registration of a flow in state `started`. Returns false when the
     * flow had moved on (the form posted twice): nothing is mailed again.
     */
    async register(flow: SelfServiceFlow, request: RegistrationRequest): Promise<boolean> {
      if (flow.state !== 'started') return false;
      const locale = flow.locale as Locale;
      const policyNumber = normalisePolicyNumber(request.policyNumber);
      const holder = policyNumber ? await policyholders.find(policyNumber) : undefined;
      const owner = await accounts.findByEmail(request.email);
      const isMatch = holder !== undefined && holder.birth_date === request.birthDate && holder.account_id === null && owner === undefined;
      const next = await flows.transition(flow, 'awaiting_confirmation', isMatch ? { registration: { policyNumber: holder.policy_number, email: request.email } } : {}, policy.confirmationHours * 3600);
      if (!next) return false;
      // The audit names no email or policy number: they were typed by an unknown person.
      await audit.record('registration.requested', { detail: { outcome: isMatch ? 'match' : owner ? 'email_taken' : 'no_match' } });
      // Issued for every outcome (same work); without a matched registration in its flow it leads nowhere.
      const token = await links.issue('confirmation', next.id, policy.confirmationHours * 3600);
      if (owner) {
        await mailer.send({ to: request.email, template: 'registration_taken', locale, data: { forgotPasswordUrl: urls.forgotPassword } });
      } else if (isMatch) {
        await mailer.send({ to: request.email, template: 'registration_confirm', locale, data: { link: urls.confirmation(token), hours: policy.confirmationHours, name: holder.name } });
      } else {
        await mailer.send({ to: request.email, template: 'registration_failed', locale, data: {} });
      }
      return true;
    },

    /** Where a confirmation link stands, without changing anything. */
    async linkState(token: string): Promise<ConfirmationLinkState> {
      const flow = await flows.get(await links.peek('confirmation', token));
      if (!flow?.registration) return { state: 'invalid' };
      if (hasSucceeded(flow) || (await isConfirmedBefore(flow))) return { state: 'already_confirmed', flow };
      return { state: 'open', flow };
    },

    /**
     * Sets the password and creates the account, linked to its policyholder, with the
     * address proven. The policyholder row is locked first: of racing confirmations one
     * creates the account, the others find it and count as "already confirmed".
     * Throws PasswordRejected before anything changes.
     */
    async confirm(token: string, password: string, confirmation: string): Promise<ConfirmationOutcome> {
      const link = await this.linkState(token);
      if (link.state === 'invalid') return { outcome: 'invalid' };
      if (link.state === 'already_confirmed') return { outcome: 'already_confirmed', flow: link.flow };
      const { flow } = link;
      const { policyNumber, email } = flow.registration!;
      checkNewPassword(password, confirmation, { minLength: policy.passwordMinLength, email });
      const passwordHash = await hasher.hash(password);
      let accountId: string | undefined;
      try {
        accountId = await directory.inTransaction(async (tx) => {
          const holder = await tx.policyholders.findForUpdate(policyNumber);
          if (!holder || holder.account_id !== null || (await tx.accounts.findByEmail(email))) return undefined;
          const account = await tx.accounts.insert({ email, name: holder.name, status: 'active', email_verified: true, password_hash: passwordHash });
          await tx.policyholders.linkAccount(policyNumber, account.id);
          return account.id;
        });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
      if (!accountId) return (await isConfirmedBefore(flow)) ? { outcome: 'already_confirmed', flow } : { outcome: 'not_completed' };
      await audit.record('account.created', { account_id: accountId, actor: `registration:${policyNumber}`, detail: { via: 'registration' } });
      const confirmed = (await flows.transition(flow, 'confirmed', { accountId })) ?? { ...flow, state: 'confirmed' as const, accountId };
      return { outcome: 'created', flow: confirmed, accountId };
    },
  };
}

export type Registration = ReturnType<typeof createRegistration>;
