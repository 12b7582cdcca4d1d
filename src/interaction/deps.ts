import type Provider from 'oidc-provider';
import type { Config } from '../config/index.js';
import type { AccountStatusService } from '../domain/account-status.js';
import type { AccountService } from '../domain/accounts.js';
import type { AuditBatches, AuditLog } from '../domain/audit.js';
import type { DeviceService } from '../domain/devices.js';
import type { Lockout } from '../domain/lockout.js';
import type { Onboarding } from '../domain/onboarding.js';
import type { SignInRefusal } from '../domain/policies/sign-in.js';
import type { AccountRow } from '../store/pg/accounts-repo.js';
import type { TanService } from '../domain/tans.js';
import type { RateLimits } from '../http/rate-limit.js';
import type { Mailer } from '../mail/mailer.js';
import type { SelfServiceFlows } from '../domain/self-service-flows.js';
import type { FlowCookie } from '../self-service/flow-cookie.js';
import type { FlowState } from './flow.js';

export interface FlowStore {
  get(uid: string): Promise<FlowState | undefined>;
  set(uid: string, state: FlowState): Promise<void>;
  clear(uid: string): Promise<void>;
  claimOnce(uid: string, what: string): Promise<boolean>;
}

/** Everything the hosted login journeys need, passed in (no module singletons). */
export interface InteractionDeps {
  provider: Provider;
  config: Config;
  accounts: AccountService;
  accountStatus: Pick<AccountStatusService, 'blockedContacts'>;
  signInPolicy: { refusal(account: AccountRow, options: { proven: boolean }): SignInRefusal | undefined };
  audit: AuditLog & AuditBatches;
  tans: TanService;
  devices: DeviceService;
  lockout: Lockout;
  mailer: Mailer;
  onboarding: Onboarding;
  flows: FlowStore;
  rateLimits: RateLimits;
  /** Registration and recovery flows that may lead back into a sign-in. */
  selfService: { flows: SelfServiceFlows; flowCookie: FlowCookie };
}
