import type { Context } from 'koa';
import { renderPage } from '../http/render.js';
import type { InteractionContext } from './context.js';
import type { FlowState } from './flow.js';

/** The TAN step, shared by password and agent journeys (SPEC 4.3). */
export function renderTanPage(
  ctx: Context,
  interaction: InteractionContext,
  flow: FlowState,
  { errors = {}, notice, messageVars = {}, status = 200 }: { errors?: Record<string, string>; notice?: string; messageVars?: Record<string, string | number>; status?: number } = {},
) {
  return renderPage(ctx, 'tan', {
    uid: interaction.uid,
    clientName: interaction.clientName,
    email: flow.email,
    isAgent: flow.method === 'agent',
    allowUnconfirmed: flow.allowUnconfirmed,
    values: flow.trustDevice ? { trust: 'on' } : {},
    errors,
    notice,
    messageVars,
  }, status);
}
