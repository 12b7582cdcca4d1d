import { AppError } from '../../errors/index.js';
import type { Actor } from './actor.js';

/** What may be done to an account. */
export type AccountAction =
  | 'account.read'
  | 'account.change_password'
  | 'account.sign_out_everywhere'
  | 'account.revoke_devices'
  | 'account.block'
  | 'account.unblock'
  | 'account.unlock'
  | 'account.create'
  | 'account.update_roles'
  | 'account.resend_activation';

/** The account acted on, as far as the rules need it. */
export interface AccountTarget {
  id: string;
  organisation_id: string | null;
}

/** What a person may do to their own account (SPEC 4.9); blocking oneself is not among it. */
const SELF_SERVICE: ReadonlySet<AccountAction> = new Set(['account.read', 'account.change_password', 'account.sign_out_everywhere', 'account.revoke_devices']);
/** What a user manager may do to a member (SPEC 5); never set someone else's password. */
const MANAGED: ReadonlySet<AccountAction> = new Set([
  'account.read',
  'account.sign_out_everywhere',
  'account.revoke_devices',
  'account.block',
  'account.unblock',
  'account.unlock',
  'account.create',
  'account.update_roles',
  'account.resend_activation',
]);

/** Whether `actor` may do `action` to `target`; the one place these rules live. */
export function isAllowed(actor: Actor, action: AccountAction, target: AccountTarget): boolean {
  switch (actor.kind) {
    case 'admin':
    case 'system':
      return true;
    case 'self':
      return actor.accountId === target.id && SELF_SERVICE.has(action);
    case 'userManager':
      // Only inside the manager's organisation(s); an account without one belongs to nobody's.
      return target.organisation_id !== null && (actor.organisationIds ?? [actor.organisationId]).includes(target.organisation_id) && MANAGED.has(action) && !isSelfBlock(actor, action, target);
  }
}

/**
 * A user manager blocking their own account: it would end their own sessions at once, and
 * the last one would leave the organisation without anyone to unblock its members (SPEC 5).
 */
const isSelfBlock = (actor: Actor, action: AccountAction, target: AccountTarget) => actor.kind === 'userManager' && action === 'account.block' && actor.accountId === target.id;

/** Throws `forbidden` (403) unless the actor may; every write to an account goes through here. */
export function authorize(actor: Actor, action: AccountAction, target: AccountTarget): void {
  if (isSelfBlock(actor, action, target)) throw new AppError('cannot_block_self', { message: 'a user manager cannot block their own account' });
  if (!isAllowed(actor, action, target)) throw new AppError('forbidden', { message: `${actor.kind} may not ${action}` });
}
