import { z } from 'zod';
import { ConflictError, ValidationError } from '../errors/index.js';
import type { AccountRow, AccountsRepo, AccountStatus } from '../store/pg/accounts-repo.js';
import type { AuditLog } from './audit.js';
import { normaliseAgentNumber } from './agent-number.js';
import { unmetPasswordRules } from './password-policy.js';
import type { PasswordHasher } from './passwords.js';

const emailSchema = z.email().max(254);

export function normaliseEmail(input: string): string | undefined {
  const email = input.trim();
  return emailSchema.safeParse(email).success ? email : undefined;
}

export interface CreateAccountInput {
  email: string;
  password?: string;
  name?: string;
  agentNumber?: string;
  status?: AccountStatus;
  actor?: string;
}

export interface AccountServiceDeps {
  repo: AccountsRepo;
  hasher: PasswordHasher;
  audit: AuditLog;
  passwordMinLength: number;
  agentNumberPattern: RegExp;
}

export function createAccountService({ repo, hasher, audit, passwordMinLength, agentNumberPattern }: AccountServiceDeps) {
  return {
    findById: (id: string) => repo.findById(id),
    findByEmail: (email: string) => repo.findByEmail(email),
    findByAgentNumber: (agentNumber: string) => repo.findByAgentNumber(agentNumber),
    list: repo.list,

    async create(input: CreateAccountInput): Promise<AccountRow> {
      const email = normaliseEmail(input.email);
      const problems: Record<string, string> = {};
      if (!email) problems.email = 'invalid_email';
      if (input.password !== undefined) {
        const unmet = unmetPasswordRules(input.password, { minLength: passwordMinLength, email });
        if (unmet.length > 0) problems.password = `password_${unmet[0]}`;
      }
      if (input.name !== undefined && input.name.length > 200) problems.name = 'too_long';
      const agentNumber = input.agentNumber === undefined ? undefined : normaliseAgentNumber(input.agentNumber, agentNumberPattern);
      if (input.agentNumber !== undefined && !agentNumber) problems.agentNumber = 'agent_number_invalid';
      if (Object.keys(problems).length > 0) throw new ValidationError(problems);
      if (await repo.findByEmail(email!)) throw new ConflictError('email_taken', 'email', 'an account with this email exists');
      if (agentNumber && (await repo.findByAgentNumber(agentNumber))) {
        throw new ConflictError('agent_number_taken', 'agentNumber', 'an account with this agent number exists');
      }
      const account = await repo.insert({
        email: email!,
        name: input.name ?? null,
        agent_number: agentNumber ?? null,
        status: input.status ?? 'active',
        password_hash: input.password === undefined ? null : await hasher.hash(input.password),
      });
      await audit.record('account.created', { account_id: account.id, actor: input.actor ?? null });
      return account;
    },

    /**
     * Checks a password. `account` is returned even when the password is wrong, so the
     * caller can count the failure against it. Unknown emails spend the same bcrypt time
     * as wrong passwords, so the answer time reveals nothing.
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
