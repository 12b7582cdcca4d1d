import type { Context } from 'koa';
import type { Amr } from '../../domain/assurance.js';
import type { AuditLog } from '../../domain/audit.js';
import type { InteractionContext } from '../context.js';
import type { InteractionDeps } from '../deps.js';

/**
 * A way to prove possession without asking the person anything (a trusted device today).
 * It names the method it proved, or says "not my request" with undefined; continueFlow
 * tries each before it falls back to asking for a TAN, so adding one needs no other edit.
 * What it audits goes to `audit`, the sign-in's batch (written with its login row).
 */
export interface SilentMethod {
  readonly name: string;
  prove(deps: InteractionDeps, ctx: Context, interaction: InteractionContext, accountId: string, audit: AuditLog): Promise<Amr | undefined>;
}
