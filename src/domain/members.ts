import { AppError, NotFoundError, ValidationError } from '../errors/index.js';
import type { Locale } from '../i18n/index.js';
import type { AccountDetail } from '../store/pg/accounts-repo.js';
import type { AuditRepo } from '../store/pg/audit-repo.js';
import type { Directory } from '../store/pg/directory.js';
import type { OrganisationRef } from '../store/pg/organisations-repo.js';
import { isUuid } from '../store/pg/uuid.js';
import type { AccountService } from './accounts.js';
import type { AccountStatusService } from './account-status.js';
import type { DeviceService, TrustedDevice } from './devices.js';
import type { Onboarding } from './onboarding.js';
import type { Actor } from './policies/actor.js';
import { authorize } from './policies/authorize.js';
import { GROUP_MANAGER_ROLE, USER_MANAGER_ROLE } from './roles.js';

/** Members per page of /manage. */
export const MEMBERS_PER_PAGE = 25;
/** Longer search input cannot match an email (254) or a name (200); it is cut, not refused. */
export const SEARCH_MAX_LENGTH = 254;

/** Control characters: never in a name or an address, and Postgres refuses NUL in text. */
const CONTROL = /[\u0000-\u001f\u007f]/g;

export type ManagerActor = Extract<Actor, { kind: 'userManager' }>;

export interface MemberServiceDeps {
  directory: Directory;
  accounts: AccountService;
  accountStatus: AccountStatusService;
  devices: DeviceService;
  onboarding: Onboarding;
  auditRepo: Pick<AuditRepo, 'list'>;
}

/** One line of a member's history: when, what, and who did it (an email where an account acted). */
export interface HistoryEntry {
  at: Date;
  type: string;
  by: string;
}

/** Events shown on a member's page, newest first. */
const HISTORY_LENGTH = 50;

export interface NewMember {
  name: string;
  email: string;
  position?: string;
  phone?: string;
  roles: string[];
}

/**
 * What a user manager does to the members of their organisation(s) (SPEC 5), in domain
 * terms: every action authorises through `authorize` and then calls the same account,
 * status, device and onboarding functions the CLI calls, so no rule lives here twice.
 * A member outside the manager's reach is "not found" (404): its existence is not told.
 */
export function createMemberService({ directory, accounts, accountStatus, devices, onboarding, auditRepo }: MemberServiceDeps) {
  /** A member the actor may `read`, by id; malformed, unknown and foreign ids alike are user_not_found. */
  async function member(actor: ManagerActor, id: string): Promise<AccountDetail> {
    const detail = isUuid(id) ? await directory.accounts.findDetailed(id) : undefined;
    if (!detail) throw new NotFoundError('user');
    try {
      authorize(actor, 'account.read', detail);
    } catch {
      throw new NotFoundError('user');
    }
    return detail;
  }

  /** Role refusals of the account service, as a manager's 403: unknown and ungrantable alike. */
  async function asManagerRefusal<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ValidationError && error.problems.roles) throw new AppError('role_not_grantable', { message: error.problems.roles });
      throw error;
    }
  }

  return {
    /**
     * The actor for an account holding `user-manager` in an organisation, or undefined: it
     * administers its organisation, and with `group-manager` also the descendants (the
     * same tree as the `orgs` claim).
     */
    async managerActor(account: { id: string; organisation_id: string | null }): Promise<ManagerActor | undefined> {
      if (!account.organisation_id) return undefined;
      const roles = (await directory.accounts.roles(account.id)).map((role) => role.name);
      if (!roles.includes(USER_MANAGER_ROLE)) return undefined;
      const organisationIds = roles.includes(GROUP_MANAGER_ROLE) ? (await directory.organisations.descendants(account.organisation_id)).map((org) => org.id) : [account.organisation_id];
      return { kind: 'userManager', accountId: account.id, organisationId: account.organisation_id, organisationIds };
    },

    /** The organisations the actor administers, its own first. */
    async organisations(actor: ManagerActor): Promise<OrganisationRef[]> {
      const tree = await directory.organisations.descendants(actor.organisationId);
      const ids = new Set(actor.organisationIds ?? [actor.organisationId]);
      return tree.filter((org) => ids.has(org.id)).map(({ id, name }) => ({ id, name }));
    },

    /** One page (from 1) of the members, optionally only those whose name or email contains `search`. */
    async list(actor: ManagerActor, { search = '', page = 1 }: { search?: string; page?: number }) {
      const term = search.slice(0, SEARCH_MAX_LENGTH).replace(CONTROL, '').trim();
      const current = Math.max(1, Math.floor(page));
      const { members, total } = await directory.accounts.listMembers({
        organisationIds: actor.organisationIds ?? [actor.organisationId],
        search: term || undefined,
        limit: MEMBERS_PER_PAGE,
        offset: (current - 1) * MEMBERS_PER_PAGE,
      });
      return { members, total, page: current, pages: Math.max(1, Math.ceil(total / MEMBERS_PER_PAGE)), search: term };
    },

    member,

    /** The member's trusted devices. */
    async devices(actor: ManagerActor, id: string): Promise<TrustedDevice[]> {
      return devices.list((await member(actor, id)).id);
    },

    /** Who changed what on the member, when (SPEC 5), newest first; accounts named by email. */
    async history(actor: ManagerActor, id: string): Promise<HistoryEntry[]> {
      const rows = await auditRepo.list({ accountId: (await member(actor, id)).id, limit: HISTORY_LENGTH });
      const byAccount = (row: (typeof rows)[number]) => (row.actor_kind === 'user_manager' || row.actor_kind === 'self' ? row.actor_id : null);
      const ids = [...new Set(rows.map(byAccount).filter((actorId): actorId is string => actorId !== null))];
      const emails = new Map<string, string>();
      for (const actorId of ids) {
        const row = await directory.accounts.findById(actorId);
        if (row) emails.set(actorId, row.email);
      }
      return rows.map((row) => {
        const actorId = byAccount(row);
        return { at: row.at, type: row.type, by: (actorId && emails.get(actorId)) ?? row.actor ?? 'pforte' };
      });
    },

    /** The roles a member may be given: its organisation's grantable set, by name. */
    async grantableRoles(organisationId: string): Promise<string[]> {
      const ids = await directory.organisations.grantableRoleIds(organisationId);
      return (await directory.roles.list()).filter((role) => ids.has(role.id)).map((role) => role.name);
    },

    /** Replaces the member's roles; the account service checks the grantable set and the last user manager. */
    async setRoles(actor: ManagerActor, id: string, roles: string[]): Promise<AccountDetail> {
      const target = await member(actor, id);
      authorize(actor, 'account.update_roles', target);
      return asManagerRefusal(() => accounts.update(target.id, { roles }, actor));
    },

    /** Creates a pending member of `organisationId` and mails the activation link (SPEC 4.6). */
    async create(actor: ManagerActor, organisationId: string, input: NewMember, locale: Locale): Promise<AccountDetail> {
      authorize(actor, 'account.create', { id: '', organisation_id: organisationId });
      const problems = Object.fromEntries((['name', 'email'] as const).filter((field) => input[field].replace(CONTROL, '') !== input[field]).map((field) => [field, 'invalid_input']));
      if (Object.keys(problems).length > 0) throw new ValidationError(problems);
      const row = await asManagerRefusal(() =>
        accounts.create({ email: input.email, name: input.name || undefined, nameRequired: true, position: input.position, phone: input.phone, organisation: organisationId, roles: input.roles, status: 'pending', actor }),
      );
      await onboarding.mailActivationLink(row, locale);
      return (await directory.accounts.findDetailed(row.id))!;
    },

    async resendActivation(actor: ManagerActor, id: string, locale: Locale): Promise<void> {
      const target = await member(actor, id);
      authorize(actor, 'account.resend_activation', target);
      await onboarding.mailActivationLink(target, locale);
    },

    block: async (actor: ManagerActor, id: string) => accountStatus.block(actor, (await member(actor, id)).id),
    unblock: async (actor: ManagerActor, id: string) => accountStatus.unblock(actor, (await member(actor, id)).id),
    unlock: async (actor: ManagerActor, id: string) => accountStatus.unlock(actor, (await member(actor, id)).id),
    async signOutEverywhere(actor: ManagerActor, id: string, locale: Locale): Promise<void> {
      await accountStatus.signOutEverywhere(actor, await member(actor, id), { locale });
    },
    async revokeDevices(actor: ManagerActor, id: string): Promise<number> {
      const target = await member(actor, id);
      authorize(actor, 'account.revoke_devices', target);
      return devices.revokeAll(target.id, actor);
    },
  };
}

export type MemberService = ReturnType<typeof createMemberService>;
