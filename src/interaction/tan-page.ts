import type { Context } from 'koa';
import type { Config } from '../config/index.js';
import { renderPage } from '../http/render.js';
import type { InteractionContext } from './context.js';
import type { FlowState } from './flow.js';

/** The TAN step, shared by password and agent journeys (SPEC 4.3). */
export function renderTanPage(
  ctx: Context,
  { config }: { config: Config },
  interaction: InteractionContext,
  flow: FlowState,
  { errors = {}, notice, messageVars = {}, status = 200 }: { errors?: Record<string, string>; notice?: string; messageVars?: Record<string, string | number>; status?: number } = {},
) {
  return renderPage(ctx, 'tan', {
    uid: interaction.uid,
    clientName: interaction.clientName,
    email: flow.email,
    isAgent: flow.method === 'agent',
    // A step-up asks the account's own address: there is nothing to correct.
    mayCorrectEmail: flow.method === 'agent' && !flow.stepUpFrom,
    validityMinutes: Math.round(config.tan.ttlSeconds / 60),
    allowUnconfirmed: flow.allowUnconfirmed,
    values: flow.trustDevice ? { trust: 'on' } : {},
    errors,
    notice,
    messageVars,
  }, status);
}
