import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { SelfServiceFlow } from '../domain/self-service-flows.js';
import { renderPage } from '../http/render.js';
import type { FlowCookie } from './flow-cookie.js';

/**
 * After a registration or reset succeeded: the browser that started the flow from a
 * sign-in still alive continues it at /interaction/:uid/continue (signed in, back to the
 * relying party); any other browser, or a sign-in that has expired, sees a success page
 * telling the person to sign in from their application.
 */
export async function leadOnAfterSuccess(ctx: Context, { provider, flowCookie, flow, message }: { provider: Provider; flowCookie: FlowCookie; flow: SelfServiceFlow; message: string }): Promise<void> {
  const browserFlow = await flowCookie.current(ctx);
  const isSameBrowser = browserFlow?.id === flow.id;
  if (isSameBrowser && flow.interactionUid && (await provider.Interaction.find(flow.interactionUid))) {
    ctx.status = 303;
    return ctx.redirect(`/interaction/${flow.interactionUid}/continue`);
  }
  await renderPage(ctx, 'message', { title: 'self_service.done_title', message });
}
