import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type Provider from 'oidc-provider';
import { errors as oidcErrors } from 'oidc-provider';
import { z } from 'zod';
import { AppError, problemOf } from '../errors/index.js';
import { isUnavailable } from '../errors/unavailable.js';
import { parseJsonBody } from '../http/json-body.js';
import { routePattern } from '../http/route-pattern.js';
import type { Logger } from '../observability/logger.js';
import { loggableError } from '../observability/loggable-error.js';
import type { Services } from '../services.js';
import { authenticateAdmin, type AdminCaller } from './auth.js';
import { ADMIN_API_PREFIX, openApiDocument } from './openapi.js';
import { auditRoutes } from './resources/audit.js';
import { clientRoutes } from './resources/clients.js';
import { customerRoutes } from './resources/customers.js';
import { keyRoutes } from './resources/keys.js';
import { organisationRoutes } from './resources/organisations.js';
import { roleRoutes } from './resources/roles.js';
import { userRoutes } from './resources/users.js';
import { inJsonTerms, notFound, validated, type AdminRoute } from './route.js';

/** Every operation of the admin API (SPEC 6); the router and the OpenAPI document are built from it. */
export const ADMIN_ROUTES: readonly AdminRoute[] = [...clientRoutes, ...userRoutes, ...organisationRoutes, ...roleRoutes, ...customerRoutes, ...keyRoutes, ...auditRoutes];

export interface AdminApiDeps {
  provider: Provider;
  services: Services;
  logger: Logger;
  /** The issuer: the document's server URL. */
  issuer: string;
}

/** A route without a query schema takes no query parameters. */
const noQuery = z.object({}).strict();

/** `/users/{id}/block` → koa-router's `/users/:id/block`. */
const koaPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/** The body of a route that takes one; a request without a body gives undefined (the schema decides). */
async function bodyOf(ctx: Context): Promise<unknown> {
  // No body at all (fetch sends `Content-Length: 0` for an empty POST): nothing to parse,
  // whatever Content-Type says (scripts send `Content-Type: application/json` on every call;
  // an empty body is no body of a wrong type, so no 415).
  const isEmpty = !ctx.get('transfer-encoding') && !(Number(ctx.get('content-length')) > 0);
  if (isEmpty) return undefined;
  return parseJsonBody(ctx);
}

/** One route: authenticate, validate path, query and body with the route's schemas, act. */
function endpoint(route: AdminRoute, { provider, services }: AdminApiDeps): Middleware {
  return async (ctx) => {
    const caller = await authenticateAdmin(ctx, { provider, clientMetadata: (id) => services.clients.providerMetadata(id) });
    ctx.state.adminCaller = caller;
    let params: unknown;
    try {
      params = route.params ? validated(route.params, { ...ctx.params }) : undefined;
    } catch {
      // An id that cannot name anything names nothing.
      throw notFound(route.notFound);
    }
    // A repeated query parameter stays an array, which the schemas refuse.
    const query = validated(route.query ?? noQuery, { ...ctx.query });
    const body = route.body ? validated(route.body, await bodyOf(ctx)) : undefined;
    const result = await inJsonTerms(route.fields, () => route.handle({ params, query, body, actor: caller.actor, services }));
    ctx.status = route.status;
    if (route.status !== 204) ctx.body = result;
  };
}

/**
 * The admin HTTP API under /admin/api/v1. Everything under the prefix answers JSON, also
 * what no route matches, and never a 5xx for bad input. Each call by an authenticated
 * client is an audit event naming it; unauthenticated refusals write nothing (a flood of
 * them must not fill the audit table) and never read the body.
 */
export function createAdminApi(deps: AdminApiDeps): { router: Router; middleware: Middleware } {
  const { services, logger } = deps;
  const router = new Router({ prefix: ADMIN_API_PREFIX });
  let document: object | undefined;
  router.get('/openapi.json', (ctx) => {
    document ??= openApiDocument(ADMIN_ROUTES, deps.issuer);
    ctx.body = document;
  });
  for (const route of ADMIN_ROUTES) router[route.method](koaPath(route.path), endpoint(route, deps));
  const dispatch = router.routes();

  const refusalOf = (ctx: Context, error: unknown): AppError => {
    if (error instanceof AppError) return error;
    if (error instanceof oidcErrors.TemporarilyUnavailable || isUnavailable(error)) return new AppError('unavailable', { message: 'a dependency is unavailable; try again' });
    logger.error({ requestId: ctx.state.requestId, err: loggableError(error) }, 'admin api request failed');
    return new AppError('internal', { message: `internal error (request id ${ctx.state.requestId ?? '-'})` });
  };

  const audit = async (ctx: Context, caller: AdminCaller, error: AppError | undefined) => {
    try {
      await services.audit.record(error ? 'admin_api.failed' : 'admin_api.request', {
        actor: caller.actor,
        client_id: caller.clientId,
        ip: ctx.ip,
        detail: { method: ctx.method, route: routePattern(ctx), status: ctx.status, request_id: ctx.state.requestId ?? null, ...(error ? { error: error.code } : {}) },
      });
    } catch (auditError) {
      logger.error({ requestId: ctx.state.requestId, err: loggableError(auditError) }, 'admin api call not audited');
    }
  };

  const middleware: Middleware = async (ctx, next) => {
    if (ctx.path !== ADMIN_API_PREFIX && !ctx.path.startsWith(`${ADMIN_API_PREFIX}/`)) return next();
    // Answers carry secrets (client_secret, activation_link, initial_password) and account
    // data: no browser or proxy may keep any of them (RFC 6749 5.1 asks the same of /token).
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Pragma', 'no-cache');
    let refusal: AppError | undefined;
    try {
      await dispatch(ctx as never, async () => undefined);
      if (routePattern(ctx) === 'unmatched') {
        const allowed = [...new Set(router.match(ctx.path, ctx.method).path.flatMap((layer) => layer.methods))];
        // RFC 9110 15.5.6: a 405 names the methods the resource has.
        if (allowed.length > 0) ctx.set('Allow', allowed.join(', '));
        throw new AppError(allowed.length > 0 ? 'method_not_allowed' : 'not_found', { message: allowed.length > 0 ? `${ctx.method} is not allowed here` : 'no such route' });
      }
    } catch (error) {
      refusal = refusalOf(ctx, error);
      // Refused before its body was read (no token, too large, not JSON): this connection
      // ends with the answer, rather than pforte reading the rest only to throw it away.
      if (!ctx.req.complete) ctx.set('Connection', 'close');
      ctx.status = refusal.status;
      ctx.body = problemOf(refusal);
    }
    const caller = ctx.state.adminCaller as AdminCaller | undefined;
    if (caller) await audit(ctx, caller, refusal);
  };

  return { router, middleware };
}
