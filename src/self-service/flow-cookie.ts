import type { Context } from 'koa';
import type { Config } from '../config/index.js';
import { deriveKey } from '../domain/secret-box.js';
import type { FlowKind, SelfServiceFlow, SelfServiceFlows } from '../domain/self-service-flows.js';
import { AppError } from '../errors/index.js';
import { createCsrf } from '../http/csrf.js';

/**
 * The browser's tie to its self-service flow: an HttpOnly cookie holding the flow id (a
 * random 256-bit value). It proves "this browser started the flow": the form's CSRF token
 * is derived from it, and only this browser may continue at the relying party afterwards.
 */
export function createFlowCookie(config: Config, flows: SelfServiceFlows) {
  const name = `${config.isHttps ? '__Host-' : ''}pforte.flow`;
  const csrf = createCsrf(deriveKey(config.keyEncryptionSecret, 'csrf'));
  // Prefixed so a flow's token can never equal a session's (same key, other input).
  const csrfSubject = (flow: SelfServiceFlow) => `flow:${flow.id}`;

  return {
    /** This browser's flow, if it is alive. */
    async current(ctx: Context): Promise<SelfServiceFlow | undefined> {
      return flows.get(ctx.cookies.get(name) ?? undefined);
    },
    set(ctx: Context, flow: SelfServiceFlow): void {
      ctx.cookies.set(name, flow.id, { httpOnly: true, sameSite: 'lax', secure: config.isHttps, path: '/', expires: new Date(flow.expiresAt), overwrite: true });
    },
    csrfToken: (flow: SelfServiceFlow) => csrf.tokenFor(csrfSubject(flow)),
    /**
     * The flow a form was posted for: this browser's flow of `kind` whose token the form
     * carries; anything else (no cookie, expired flow, missing or foreign token) is a 403.
     */
    async verifiedFlow(ctx: Context, kind: FlowKind, token: string | undefined): Promise<SelfServiceFlow> {
      const flow = await this.current(ctx);
      if (!flow || flow.kind !== kind) throw new AppError('csrf_failed');
      csrf.verify(token, csrfSubject(flow));
      return flow;
    },
  };
}

export type FlowCookie = ReturnType<typeof createFlowCookie>;
