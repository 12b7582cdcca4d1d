import type { Context } from 'koa';
import { isLocale } from '../i18n/index.js';
import type { FlowKind, SelfServiceFlow, SelfServiceFlows } from '../domain/self-service-flows.js';
import type { FlowCookie } from './flow-cookie.js';

/** How long a shown form stays usable before it must be reloaded (like a sign-in). */
export const FORM_TTL_SECONDS = 3600;

const INTERACTION_UID = /^[A-Za-z0-9_-]{1,64}$/;

/** Pages of a flow speak the language it started in (its mails do too). */
export function useFlowLocale(ctx: Context, flow: SelfServiceFlow): void {
  if (isLocale(flow.locale)) ctx.state.locale = flow.locale;
}

/**
 * The flow behind a form page: this browser's flow of this kind while its form is still
 * open (a reload keeps it), else a new one. `?interaction=UID` (from the login page) names
 * the sign-in to continue afterwards.
 */
export function startOrResumeFlow({ flows, flowCookie }: { flows: SelfServiceFlows; flowCookie: FlowCookie }) {
  return async (ctx: Context, kind: FlowKind): Promise<SelfServiceFlow> => {
    const given = typeof ctx.query.interaction === 'string' && INTERACTION_UID.test(ctx.query.interaction) ? ctx.query.interaction : undefined;
    const current = await flowCookie.current(ctx);
    if (current && current.kind === kind && current.state === 'started' && current.interactionUid === given && current.locale === ctx.state.locale) return current;
    const flow = await flows.start(kind, { ttlSeconds: FORM_TTL_SECONDS, locale: ctx.state.locale, interactionUid: given });
    flowCookie.set(ctx, flow);
    return flow;
  };
}
