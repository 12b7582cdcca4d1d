import { z } from 'zod';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../errors/index.js';
import type { AccountDetail, AccountRow, AccountsRepo, AccountStatus } from '../store/pg/accounts-repo.js';
import type { Directory, DirectoryRepos } from '../store/pg/directory.js';
import type { OrganisationRow } from '../store/pg/organisations-repo.js';
import type { RoleRow } from '../store/pg/roles-repo.js';
import type { AuditActor, AuditLog } from './audit.js';
import { normaliseAgentNumber } from './agent-number.js';
import { findOrganisation, requireGrantable } from './organisations.js';
import { unmetPasswordRules } from './password-policy.js';
import { isAccountUsable } from './policies/sign-in.js';
import type { PasswordHasher, VerifyOptions } from './passwords.js';
import { findRoles, USER_MANAGER_ROLE } from './roles.js';
import { UNSHOWABLE } from './shown-text.js';

const emailSchema = z.email().max(254);

export function normaliseEmail(input: string): string | undefined {
  const email = input.trim();
  return emailSchema.safeParse(email).success ? email : undefined;
}

/** An account as the domain hands it out: without its password hash (ARCHITECTURE-REVIEW P2). */
export type Account = Omit<AccountRow, 'password_hash'>;

/** Strips the credentials; what pages, presenters and policies get. */
export function toAccount({ password_hash: _hash, ...account }: AccountRow): Account {
  return account;
}

/**
 * An account as administrators see it (CLI, admin API): an allowlist, so the password hash
 * and lock marks never reach an answer.
 */
export function toUserView(account: AccountDetail) {
  return {
    id: account.id,
    email: account.email,
    name: account.name,
    position: account.position,
    phone: account.phone,
    agent_number: account.agent_number,
    status: account.status,
    email_verified: account.email_verified,
    organisation: account.organisation,
    roles: account.roles,
    created_at: account.created_at,
  };
}

export type UserView = ReturnType<typeof toUserView>;

/**
 * Whether an account may keep using its sessions and tokens: claims for the provider (and
 * so every session and token check), the account page and step-up ask here; the rule
 * itself is the sign-in policy's (domain/policies/sign-in.ts).
 */
export function maySignIn(account: Pick<AccountRow, 'status'>): boolean {
  return isAccountUsable(account);
}

/** Longest position a member may have; longer text is refused, not cut. */
export const POSITION_MAX_LENGTH = 200;
/** Room for an international number with spaces and an extension. */
export const PHONE_MAX_LENGTH = 40;
/** Digits and the usual separators, an optional leading +: nothing that could be markup or a command. */
const PHONE = /^\+?[0-9 ()./-]+$/;
const NAME_MAX_LENGTH = 200;

/** The problem of a name, if any; the same rule wherever a name is set. */
function nameProblem(name: string | null | undefined): string | undefined {
  if (name == null) return undefined;
  if (name.length > NAME_MAX_LENGTH) return 'too_long';
  return UNSHOWABLE.test(name) ? 'invalid_input' : undefined;
}

/** Position and phone as stored: trimmed, empty as null; undefined stays "not given". */
function profileValue(value: string | null | undefined): string | null | undefined {
  return value == null ? value : value.trim() || null;
}

/** Problems of position and phone (SPEC 5), at their fields; the same rule for /manage and the CLI. */
function profileProblems({ position, phone }: { position?: string | null; phone?: string | null }): Record<string, string> {
  const problems: Record<string, string> = {};
  if (position && position.length > POSITION_MAX_LENGTH) problems.position = 'too_long';
  else if (position && UNSHOWABLE.test(position)) problems.position = 'invalid_input';
  if (phone && phone.length > PHONE_MAX_LENGTH) problems.phone = 'too_long';
  else if (phone && (!PHONE.test(phone) || (phone.match(/[0-9]/g) ?? []).length < 3)) problems.phone = 'invalid_phone';
  return problems;
}

export interface CreateAccountInput {
  email: string;
  password?: string;
  name?: string;
  /** The name must be given (a user manager's colleague is listed and greeted by it); the CLI may leave it out. */
  nameRequired?: boolean;
  position?: string;
  phone?: string;
  agentNumber?: string;
  status?: AccountStatus;
  /** Organisation by id or name. */
  organisation?: string;
  /** Role names (or ids); with an organisation, only roles it may grant. */
  roles?: string[];
  actor?: AuditActor;
}

export interface UpdateAccountInput {
  name?: string | null;
  /** null (or empty) clears it. */
  position?: string | null;
  phone?: string | null;
  /** Organisation by id or name; null takes the account out of its organisation. */
  organisation?: string | null;
  /** Replaces the account's roles. */
  roles?: string[];
}

/**
 * SPEC 5: an organisation never loses its last user manager (counting only active accounts
 * of the organisation itself), whoever acts: withdrawing the role or moving the account out.
 */
async function keepAUserManager(
  tx: Pick<DirectoryRepos, 'accounts' | 'organisations'>,
  account: Pick<AccountRow, 'id' | 'organisation_id'>,
  newOrganisationId: string | null,
  newRoles: readonly RoleRow[] | undefined,
): Promise<void> {
  const stillManages = newOrganisationId === account.organisation_id && (newRoles === undefined || newRoles.some((role) => role.name === USER_MANAGER_ROLE));
  if (stillManages) return;
  if (!(await tx.accounts.roles(account.id)).some((role) => role.name === USER_MANAGER_ROLE)) return;
  // Counted under the organisation's lock: two managers withdrawing each other's role at once
  // are taken one after the other, and the second sees that the first left nobody else.
  await tx.organisations.lockForRoleWithdrawal(account.organisation_id!);
  if ((await tx.accounts.countOtherHolders(account.organisation_id!, USER_MANAGER_ROLE, account.id)) === 0) {
    throw new AppError('last_user_manager', { message: 'the organisation would lose its last user manager' });
  }
}

export interface AccountServiceDeps {
  repo: AccountsRepo;
  /** Organisations and roles, and transactions across them and accounts. */
  directory: Directory;
  hasher: PasswordHasher;
  audit: AuditLog;
  passwordMinLength: number;
  agentNumberPattern: RegExp;
}

export function createAccountService({ repo, directory, hasher, audit, passwordMinLength, agentNumberPattern }: AccountServiceDeps) {
  /** ACCOUNT is an id or an email (SPEC 6). */
  const resolve = async (ref: string): Promise<AccountRow> => {
    const account = (await repo.findById(ref)) ?? (await repo.findByEmail(ref.trim()));
    if (!account) throw new NotFoundError('user');
    return account;
  };
  const resolveOrganisation = async (ref: string): Promise<OrganisationRow> => {
    const organisation = await findOrganisation(directory.organisations, ref);
    if (!organisation) throw new ValidationError({ organisation: 'unknown_organisation' });
    return organisation;
  };
  const checkName = (name: string | null | undefined) => {
    const problem = nameProblem(name);
    if (problem) throw new ValidationError({ name: problem });
  };

  return {
    findById: (id: string) => repo.findById(id),
    /** The account without credentials, for pages and policies. */
    async findAccount(id: string): Promise<Account | undefined> {
      const row = await repo.findById(id);
      return row && toAccount(row);
    },
    /** An account by id or email (SPEC 6), without credentials; user_not_found otherwise. */
    resolve: async (ref: string): Promise<Account> => toAccount(await resolve(ref)),
    findByEmail: (email: string) => repo.findByEmail(email),
    findByAgentNumber: (agentNumber: string) => repo.findByAgentNumber(agentNumber),
    /** The address is proven (a link or a TAN mailed to it was used). */
    markEmailVerified: (id: string) => repo.markEmailVerified(id),
    /** Accounts with their organisation and roles, ordered by email. */
    list: repo.list,
    /** One account (by id or email) with its organisation and roles. */
    show: async (ref: string): Promise<AccountDetail> => (await repo.findDetailed((await resolve(ref)).id))!,

    async create(input: CreateAccountInput): Promise<AccountRow> {
      const email = normaliseEmail(input.email);
      const problems: Record<string, string> = {};
      if (!email) problems.email = 'invalid_email';
      if (input.password !== undefined) {
        const unmet = unmetPasswordRules(input.password, { minLength: passwordMinLength, email });
        if (unmet.length > 0) problems.password = `password_${unmet[0]}`;
      }
      const badName = nameProblem(input.name);
      if (badName) problems.name = badName;
      if (input.nameRequired && !input.name?.trim()) problems.name = 'required';
      const position = profileValue(input.position);
      const phone = profileValue(input.phone);
      Object.assign(problems, profileProblems({ position, phone }));
      const agentNumber = input.agentNumber === undefined ? undefined : normaliseAgentNumber(input.agentNumber, agentNumberPattern);
      if (input.agentNumber !== undefined && !agentNumber) problems.agentNumber = 'agent_number_invalid';
      if (Object.keys(problems).length > 0) throw new ValidationError(problems);
      const organisation = input.organisation === undefined ? undefined : await resolveOrganisation(input.organisation);
      const roles = await findRoles(directory.roles, input.roles ?? [], 'roles');
      if (await repo.findByEmail(email!)) throw new ConflictError('email_taken', 'email', 'an account with this email exists');
      if (agentNumber && (await repo.findByAgentNumber(agentNumber))) {
        throw new ConflictError('agent_number_taken', 'agentNumber', 'an account with this agent number exists');
      }
      // Hashed before the transaction, so bcrypt's time holds no locks.
      const passwordHash = input.password === undefined ? null : await hasher.hash(input.password);
      const account = await directory.inTransaction(async (tx) => {
        if (organisation) await requireGrantable(tx, organisation.id, roles, 'roles');
        const row = await tx.accounts.insert({
          email: email!,
          name: input.name ?? null,
          position: position ?? null,
          phone: phone ?? null,
          agent_number: agentNumber ?? null,
          status: input.status ?? 'active',
          password_hash: passwordHash,
          organisation_id: organisation?.id ?? null,
        });
        await tx.accounts.setRoles(row.id, roles.map((role) => role.id));
        return row;
      });
      const membership = { ...(organisation ? { organisation_id: organisation.id } : {}), ...(roles.length > 0 ? { roles: roles.map((r) => r.name) } : {}) };
      await audit.record('account.created', { account_id: account.id, actor: input.actor ?? null, ...(Object.keys(membership).length > 0 ? { detail: membership } : {}) });
      return account;
    },

    /**
     * Changes name, organisation and roles (by id or email). Whatever changes, the account's
     * roles are checked against its organisation's grantable set afterwards (SPEC 5).
     */
    async update(ref: string, changes: UpdateAccountInput, actor?: AuditActor): Promise<AccountDetail> {
      const current = await resolve(ref);
      checkName(changes.name);
      const position = profileValue(changes.position);
      const phone = profileValue(changes.phone);
      const problems = profileProblems({ position, phone });
      if (Object.keys(problems).length > 0) throw new ValidationError(problems);
      const organisation = changes.organisation == null ? changes.organisation : await resolveOrganisation(changes.organisation);
      const roles = changes.roles === undefined ? undefined : await findRoles(directory.roles, changes.roles, 'roles');
      await directory.inTransaction(async (tx) => {
        const account = await tx.accounts.findByIdForUpdate(current.id);
        if (!account) throw new NotFoundError('user');
        const organisationId = organisation === undefined ? account.organisation_id : (organisation?.id ?? null);
        const membershipChanges = organisation !== undefined || roles !== undefined;
        // Before requireGrantable's shared lock: this one may need the organisation exclusively.
        if (account.organisation_id) await keepAUserManager(tx, account, organisationId, roles);
        if (organisationId && membershipChanges) {
          const heldRoles: RoleRow[] = roles ?? (await tx.accounts.roles(account.id));
          await requireGrantable(tx, organisationId, heldRoles, 'roles');
        }
        await tx.accounts.update(account.id, {
          ...(changes.name !== undefined ? { name: changes.name || null } : {}),
          ...(position !== undefined ? { position } : {}),
          ...(phone !== undefined ? { phone } : {}),
          ...(organisation !== undefined ? { organisation_id: organisationId } : {}),
        });
        if (roles) await tx.accounts.setRoles(account.id, roles.map((role) => role.id));
      });
      await audit.record('account.updated', {
        account_id: current.id,
        actor: actor ?? null,
        detail: {
          changed: Object.keys(changes),
          ...(organisation !== undefined ? { organisation_id: organisation?.id ?? null } : {}),
          ...(roles ? { roles: roles.map((role) => role.name) } : {}),
        },
      });
      return (await repo.findDetailed(current.id))!;
    },

    /** The account a sign-in form names, found without any password work (limits are checked first). */
    async findForSignIn(emailInput: string): Promise<AccountRow | undefined> {
      const email = normaliseEmail(emailInput);
      return email ? repo.findByEmail(email) : undefined;
    },

    /**
     * One bcrypt comparison against the account's hash. Without an account it spends the
     * same bcrypt time on a dummy hash, so the answer time reveals nothing.
     */
    async checkPassword(account: AccountRow | undefined, password: string, options?: VerifyOptions): Promise<boolean> {
      const isValid = await hasher.verify(password, account?.password_hash, options);
      return isValid && account !== undefined;
    },

    /**
     * Checks a password. `account` is returned even when the password is wrong, so the
     * caller can count the failure against it.
     */
    async verifyPassword(emailInput: string, password: string): Promise<{ account?: AccountRow; isValid: boolean }> {
      const email = normaliseEmail(emailInput);
      const account = email ? await repo.findByEmail(email) : undefined;
      const isValid = await hasher.verify(password, account?.password_hash);
      return { account, isValid: isValid && account !== undefined };
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
