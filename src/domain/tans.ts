import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { AppError } from '../errors/index.js';
import type { TanStore } from '../store/redis/tan-store.js';
import type { AuditLog } from './audit.js';
import type { Lockout } from './lockout.js';

export interface TanPolicy {
  length: number;
  ttlSeconds: number;
  maxAttempts: number;
  resendCooldownSeconds: number;
  maxSendsPerHour: number;
}

/** Sends the TAN to the person; the TAN service never knows how mails look. */
export type TanDelivery = (tan: string, minutes: number) => Promise<void>;

export type TanCheck =
  | { ok: true }
  | { ok: false; code: 'tan_wrong'; attemptsLeft: number }
  | { ok: false; code: 'tan_void' | 'tan_expired' | 'tan_missing' };

/**
 * Who a TAN is for. `limitSubject` names what the cooldown and the hourly mail budget count
 * against: the agent number (if any) with the email address as typed, so a decoy and a
 * real journey behave alike, while decoys with wrong addresses never use up the budget of
 * the real one. A decoy TAN has no account and can never be redeemed.
 */
export type TanSubject =
  | { isDecoy: false; accountId: string; limitSubject: string }
  | { isDecoy: true; limitSubject: string };

export interface TanServiceDeps {
  store: TanStore;
  audit: AuditLog;
  lockout: Lockout;
  policy: TanPolicy;
  /** Keys the stored digests and limit keys; a Redis dump reveals neither TANs nor agent numbers. */
  hmacKey: string;
  now?: () => number;
}

/**
 * Email TANs (SPEC 4.3): cryptographically random digits, stored only as a keyed hash
 * bound to the flow and the account, single use, redeemed atomically.
 */
export function createTanService({ store, audit, lockout, policy, hmacKey, now = () => Date.now() }: TanServiceDeps) {
  const hmac = (text: string) => createHmac('sha256', hmacKey).update(text).digest('base64url');
  const boundTo = (subject: TanSubject) => (subject.isDecoy ? 'decoy' : subject.accountId);
  const digestOf = (flowId: string, subject: TanSubject, tan: string) => hmac(`tan\u0000${flowId}\u0000${boundTo(subject)}\u0000${tan}`);

  const cooldownKey = (flowId: string, subject: TanSubject) => hmac(`cooldown\u0000${flowId}\u0000${subject.limitSubject}`);

  /** Cooldown per journey and address, hourly budget per address; the same for decoys. */
  async function claimSend(flowId: string, subject: TanSubject): Promise<void> {
    const wait = await store.claimCooldown(cooldownKey(flowId, subject), policy.resendCooldownSeconds);
    if (wait > 0) throw new AppError('tan_cooldown', { vars: { seconds: wait } });
    if ((await store.countSend(hmac(`limit\u0000${subject.limitSubject}`))) > policy.maxSendsPerHour) {
      throw new AppError('tan_hourly_limit');
    }
  }

  return {
    /**
     * Creates a new TAN for the flow (voiding the previous one) and delivers it. For a
     * decoy the digest is random and `deliver` is still called (with nothing to send) so
     * that both take the same time and fail the same way when mail is down.
     */
    async issue({ flowId, subject, clientId, ip, deliver }: { flowId: string; subject: TanSubject; clientId?: string; ip?: string; deliver: TanDelivery }): Promise<void> {
      await claimSend(flowId, subject);
      const tan = String(randomInt(0, 10 ** policy.length)).padStart(policy.length, '0');
      const digest = subject.isDecoy ? randomBytes(32).toString('base64url') : digestOf(flowId, subject, tan);
      await store.save(flowId, { digest, subject: boundTo(subject), expiresAtMs: now() + policy.ttlSeconds * 1000 }, policy.ttlSeconds);
      try {
        await deliver(tan, Math.round(policy.ttlSeconds / 60));
      } catch (error) {
        // Nothing reached the person: let them try again at once.
        await store.releaseCooldown(cooldownKey(flowId, subject));
        throw error;
      }
      if (!subject.isDecoy) await audit.record('tan.sent', { account_id: subject.accountId, client_id: clientId ?? null, ip: ip ?? null });
    },

    async verify({ flowId, subject, tan, clientId, ip }: { flowId: string; subject: TanSubject; tan: string; clientId?: string; ip?: string }): Promise<TanCheck> {
      const candidate = /^\d+$/.test(tan) && tan.length === policy.length ? tan : '';
      // During a lock the attempt still counts, but no TAN is accepted (SPEC 4.8: a lock
      // looks exactly like a wrong entry).
      const isLocked = !subject.isDecoy && (await lockout.isLocked(subject.accountId, ip));
      const { outcome, attempts } = await store.redeem(flowId, {
        digest: digestOf(flowId, subject, candidate),
        subject: boundTo(subject),
        maxAttempts: policy.maxAttempts,
        nowMs: now(),
        refuse: isLocked,
      });
      if (outcome === 'ok') return { ok: true };
      if (outcome === 'expired') return { ok: false, code: 'tan_expired' };
      if (outcome === 'missing') return { ok: false, code: 'tan_missing' };
      if (!subject.isDecoy) {
        await lockout.recordFailure(subject.accountId, 'otp', ip);
        await audit.record(outcome === 'void' ? 'tan.void' : 'tan.failed', { account_id: subject.accountId, client_id: clientId ?? null, ip: ip ?? null, detail: { attempts } });
      }
      if (outcome === 'void') return { ok: false, code: 'tan_void' };
      return { ok: false, code: 'tan_wrong', attemptsLeft: Math.max(0, policy.maxAttempts - attempts) };
    },
  };
}

export type TanService = ReturnType<typeof createTanService>;
