import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { DomainError } from '../errors/index.js';
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

export interface TanServiceDeps {
  store: TanStore;
  audit: AuditLog;
  lockout: Lockout;
  policy: TanPolicy;
  /** Keys the stored digests; a leaked Redis dump does not reveal TANs. */
  hmacKey: string;
  now?: () => number;
}

/**
 * Email TANs (SPEC 4.3): cryptographically random digits, stored only as a keyed hash
 * bound to the flow and the account, single use, redeemed atomically.
 */
export function createTanService({ store, audit, lockout, policy, hmacKey, now = () => Date.now() }: TanServiceDeps) {
  const digestOf = (flowId: string, accountId: string, tan: string) =>
    createHmac('sha256', hmacKey).update(`${flowId}\u0000${accountId}\u0000${tan}`).digest('base64url');

  async function checkSendAllowed(accountId: string): Promise<void> {
    const wait = await store.claimCooldown(accountId, policy.resendCooldownSeconds);
    if (wait > 0) throw new DomainError('tan_cooldown', 429, 'tan', String(wait));
    if ((await store.countSend(accountId)) > policy.maxSendsPerHour) {
      throw new DomainError('tan_hourly_limit', 429, 'tan');
    }
  }

  return {
    /** Creates a new TAN for the flow (voiding the previous one) and delivers it. */
    async issue({ flowId, accountId, clientId, ip, deliver }: { flowId: string; accountId: string; clientId?: string; ip?: string; deliver: TanDelivery }): Promise<void> {
      await checkSendAllowed(accountId);
      const tan = String(randomInt(0, 10 ** policy.length)).padStart(policy.length, '0');
      await store.save(flowId, { digest: digestOf(flowId, accountId, tan), accountId, expiresAtMs: now() + policy.ttlSeconds * 1000 }, policy.ttlSeconds);
      try {
        await deliver(tan, Math.round(policy.ttlSeconds / 60));
      } catch (error) {
        // Nothing reached the person: let them try again at once.
        await store.releaseCooldown(accountId);
        throw error;
      }
      await audit.record('tan.sent', { account_id: accountId, client_id: clientId ?? null, ip: ip ?? null });
    },

    /**
     * A stand-in for a flow whose email did not match (SPEC 4.2): it behaves like a real
     * TAN on every screen, but no digits exist that could redeem it and no mail is sent.
     */
    async issueDecoy(flowId: string): Promise<void> {
      await checkSendAllowed(`decoy:${flowId}`);
      const decoyId = `decoy:${flowId}`;
      await store.save(flowId, { digest: randomBytes(32).toString('base64url'), accountId: decoyId, expiresAtMs: now() + policy.ttlSeconds * 1000 }, policy.ttlSeconds);
    },

    async verify({ flowId, accountId, tan, clientId, ip }: { flowId: string; accountId: string; tan: string; clientId?: string; ip?: string }): Promise<TanCheck> {
      const isDecoy = accountId.startsWith('decoy:');
      const candidate = /^\d+$/.test(tan) && tan.length === policy.length ? tan : '';
      const { outcome, attempts } = await store.redeem(flowId, digestOf(flowId, accountId, candidate), accountId, policy.maxAttempts, now());
      const locked = !isDecoy && (await lockout.isLocked(accountId));
      if (outcome === 'ok' && !locked) return { ok: true };
      if (outcome === 'expired') return { ok: false, code: 'tan_expired' };
      if (outcome === 'missing') return { ok: false, code: 'tan_missing' };
      if (!isDecoy) {
        await lockout.recordFailure(accountId, ip);
        await audit.record(outcome === 'void' ? 'tan.void' : 'tan.failed', { account_id: accountId, client_id: clientId ?? null, ip: ip ?? null, detail: { attempts } });
      }
      // A correct TAN during a lock fails like a wrong one (SPEC 4.8: the lock is not revealed).
      if (outcome === 'void') return { ok: false, code: 'tan_void' };
      return { ok: false, code: 'tan_wrong', attemptsLeft: Math.max(0, policy.maxAttempts - attempts) };
    },
  };
}

export type TanService = ReturnType<typeof createTanService>;
