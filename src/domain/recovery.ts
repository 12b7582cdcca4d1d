import type { Locale } from '../i18n/index.js';
import type { Mailer } from '../mail/mailer.js';
import type { AccountRow, AccountsRepo } from '../store/pg/accounts-repo.js';
import { maySignIn, normaliseEmail } from './accounts.js';
import type { AuditLog } from './audit.js';
import type { Credentials } from './credentials.js';
import { checkNewPassword } from './onboarding.js';
import type { OneTimeLinks } from './one-time-links.js';
import type { SelfServiceFlow, SelfServiceFlows } from './self-service-flows.js';

export interface RecoveryDeps {
  accounts: Pick<AccountsRepo, 'findByEmail' | 'findById' | 'markEmailVerified'>;
  flows: SelfServiceFlows;
  links: OneTimeLinks;
  credentials: Pick<Credentials, 'setNewPassword'>;
  mailer: Mailer;
  audit: AuditLog;
  policy: { resetMinutes: number; passwordMinLength: number };
  urls: { reset(token: string): string };
}

export type ResetLinkState = { state: 'open'; flow: SelfServiceFlow; account: AccountRow } | { state: 'invalid' };

export type ResetOutcome = { outcome: 'reset'; flow: SelfServiceFlow } | { outcome: 'invalid' };

/**
 * "Forgot password" (SPEC 4.7). A request does the same work for every address: a flow
 * moves on, a link is issued, the mail is rendered and the mail server is talked to;
 * only an account that may sign in gets the mail sent (unknown, blocked and pending ones
 * get the rehearsal). The reset goes through the credentials use case, like any change.
 */
export function createRecovery({ accounts, flows, links, credentials, mailer, audit, policy, urls }: RecoveryDeps) {
  const ttlSeconds = policy.resetMinutes * 60;

  async function linkState(token: string): Promise<ResetLinkState> {
    const flow = await flows.get(await links.peek('reset', token));
    const account = flow?.state === 'link_sent' && flow.accountId ? await accounts.findById(flow.accountId) : undefined;
    return flow && account && maySignIn(account) ? { state: 'open', flow, account } : { state: 'invalid' };
  }

  return {
    /** Returns false when the flow had moved on (the form posted twice): nothing is sent again. */
    async request(flow: SelfServiceFlow, emailInput: string): Promise<boolean> {
      if (flow.state !== 'started') return false;
      const email = normaliseEmail(emailInput);
      const account = email ? await accounts.findByEmail(email) : undefined;
      const isEligible = account !== undefined && maySignIn(account);
      const next = await flows.transition(flow, 'link_sent', isEligible ? { accountId: account.id } : {}, ttlSeconds);
      if (!next) return false;
      const token = await links.issue('reset', next.id, ttlSeconds);
      const mail = { to: account?.email ?? emailInput, template: 'password_reset' as const, locale: flow.locale as Locale, data: { link: urls.reset(token), minutes: policy.resetMinutes, name: account?.name ?? undefined } };
      await audit.record('password_reset.requested', { account_id: account?.id ?? null, detail: { sent: isEligible } });
      await (isEligible ? mailer.send(mail) : mailer.rehearse(mail));
      return true;
    },

    linkState,

    /**
     * Sets the new password through a reset link, once: the rules are checked before the
     * link is used up (a rejected password can be corrected); of parallel submits one wins.
     * The address is proven by the link. Every session of the account ends but the one of
     * the browser doing the reset (it just proved the mailbox; a sign-in it came from
     * continues in it). Throws PasswordRejected.
     */
    async reset(token: string, password: string, confirmation: string, { browserSession }: { browserSession?: { id: string; accountId?: string } } = {}): Promise<ResetOutcome> {
      const link = await linkState(token);
      if (link.state === 'invalid') return { outcome: 'invalid' };
      const { flow, account } = link;
      checkNewPassword(password, confirmation, { minLength: policy.passwordMinLength, email: account.email });
      if ((await links.redeem('reset', token)) !== flow.id) return { outcome: 'invalid' };
      const keepSessionId = browserSession?.accountId === account.id ? browserSession.id : undefined;
      await credentials.setNewPassword(account, password, { reason: 'reset', locale: flow.locale as Locale, keepSessionId });
      await accounts.markEmailVerified(account.id);
      const completed = (await flows.transition(flow, 'completed')) ?? { ...flow, state: 'completed' as const };
      return { outcome: 'reset', flow: completed };
    },
  };
}

export type Recovery = ReturnType<typeof createRecovery>;
